package data

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
)

// sliceStore is a test-only DatasetStore serving fixed records.
type sliceStore []ports.Record

func (s sliceStore) Open(context.Context, ports.DatasetRef) (iter.Seq2[ports.Record, error], error) {
	return func(yield func(ports.Record, error) bool) {
		for _, r := range s {
			if !yield(r, nil) {
				return
			}
		}
	}, nil
}

func rec(line int, fields map[string]any) ports.Record {
	return ports.Record{File: "d.jsonl", Line: line, Fields: fields}
}

func msgs(pairs ...string) []any {
	var out []any
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"role": pairs[i], "content": pairs[i+1]})
	}
	return out
}

func TestToMessages(t *testing.T) {
	tests := []struct {
		name    string
		fields  map[string]any
		format  string // "" means detect
		want    []string
		wantErr string
	}{
		{name: "messages", fields: map[string]any{"messages": msgs("user", "hi", "assistant", "yo")}, want: []string{"user:hi", "assistant:yo"}},
		{name: "messages as CSV JSON cell", fields: map[string]any{"messages": `[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]`}, want: []string{"user:a", "assistant:b"}},
		{name: "prompt completion", fields: map[string]any{"prompt": "2+2?", "completion": "4"}, want: []string{"user:2+2?", "assistant:4"}},
		{name: "conversational prompt completion", fields: map[string]any{"prompt": msgs("system", "s", "user", "q"), "completion": msgs("assistant", "a")}, want: []string{"system:s", "user:q", "assistant:a"}},
		{name: "instruction with input", fields: map[string]any{"instruction": "Translate", "input": "chat", "output": "cat"}, want: []string{"user:Translate\n\nchat", "assistant:cat"}},
		{name: "instruction empty input", fields: map[string]any{"instruction": "Say hi", "input": "", "output": "hi"}, want: []string{"user:Say hi", "assistant:hi"}},
		{name: "input output", fields: map[string]any{"input": "x", "output": "y"}, want: []string{"user:x", "assistant:y"}},
		{name: "question answer numeric", fields: map[string]any{"question": "6*7?", "answer": 42.0}, want: []string{"user:6*7?", "assistant:42"}},
		{name: "no format", fields: map[string]any{"text": "hello", "label": "x"}, wantErr: "its keys: label, text"},
		{name: "messages empty", fields: map[string]any{"messages": []any{}}, wantErr: "messages: is empty"},
		{name: "message without role", fields: map[string]any{"messages": []any{map[string]any{"content": "x"}}}, wantErr: "message 0 has no role"},
		{name: "forced format missing reply", format: FormatInputOutput, fields: map[string]any{"input": "x"}, wantErr: `no "output" field`},
		{name: "object where text wanted", fields: map[string]any{"input": map[string]any{}, "output": "y"}, wantErr: "must be text, not an object"},
		{name: "bad content part", fields: map[string]any{"messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "image"}}}}}, wantErr: "unsupported type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := tt.format
			if format == "" {
				f, ok := Detect(tt.fields, false)
				if !ok {
					err := noFormatError(tt.fields)
					if tt.wantErr == "" || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("detect failed: %v", err)
					}
					return
				}
				format = f
			}
			got, err := ToMessages(format, tt.fields, Options{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var flat []string
			for _, m := range got {
				flat = append(flat, m.Role+":"+m.Content.Text())
			}
			if !slices.Equal(flat, tt.want) {
				t.Fatalf("got %q, want %q", flat, tt.want)
			}
		})
	}
}

func TestPromptOnly(t *testing.T) {
	f, ok := Detect(map[string]any{"prompt": "hi"}, true)
	if !ok || f != FormatPromptCompletion {
		t.Fatalf("detect = %q %v", f, ok)
	}
	got, err := ToMessages(f, map[string]any{"prompt": "hi"}, Options{PromptOnly: true})
	if err != nil || len(got) != 1 || got[0].Role != "user" {
		t.Fatalf("got %v %v", got, err)
	}
	if _, ok := Detect(map[string]any{"prompt": "hi"}, false); ok {
		t.Fatal("a prompt without completion must not match for training")
	}
}

func TestLoadBadRows(t *testing.T) {
	good := func(line int) ports.Record { return rec(line, map[string]any{"input": "a", "output": "b"}) }
	store := sliceStore{
		good(1),
		{File: "d.jsonl", Line: 2, Err: errors.New("invalid JSON: unexpected end")},
		good(3),
		rec(4, map[string]any{"input": "only"}),
		good(5),
	}
	_, err := Load(context.Background(), store, ir.Dataset{Name: "d"}, "", Options{})
	if err == nil || !strings.Contains(err.Error(), "d.jsonl:2: invalid JSON") {
		t.Fatalf("err = %v, want the first bad row d.jsonl:2", err)
	}
	ds, err := Load(context.Background(), store, ir.Dataset{Name: "d", SkipBadRows: true}, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Skipped != 2 || ds.FirstSkipped.Line != 2 || len(ds.Train) != 3 || ds.Format != FormatInputOutput {
		t.Fatalf("skipped=%d first=%v train=%d format=%s", ds.Skipped, ds.FirstSkipped, len(ds.Train), ds.Format)
	}
	var lines []int
	for _, e := range ds.Train {
		lines = append(lines, e.Line)
	}
	if !slices.Equal(lines, []int{1, 3, 5}) {
		t.Fatalf("lines %v", lines)
	}
}

func TestLoadNoFormatNamesFirstLine(t *testing.T) {
	store := sliceStore{
		{File: "d.jsonl", Line: 1, Err: errors.New("invalid JSON")},
		rec(2, map[string]any{"text": "x"}),
		rec(3, map[string]any{"input": "a", "output": "b"}),
	}
	// Even when bad rows may be skipped, an unrecognisable row format is
	// an error naming the first row that shows it.
	_, err := Load(context.Background(), store, ir.Dataset{Name: "d", SkipBadRows: true}, "", Options{})
	if err == nil || !strings.Contains(err.Error(), "d.jsonl:2: row matches no known row format") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadSplitAndLimit(t *testing.T) {
	var store sliceStore
	for i := 1; i <= 100; i++ {
		store = append(store, rec(i, map[string]any{"input": "a", "output": "b"}))
	}
	tests := []struct {
		ds        ir.Dataset
		train     int
		test      int
		wantError string
	}{
		{ds: ir.Dataset{}, train: 100},
		{ds: ir.Dataset{TestFraction: 0.1}, train: 90, test: 10},
		{ds: ir.Dataset{TestFraction: 0.001}, train: 99, test: 1},
		{ds: ir.Dataset{TestSize: 25}, train: 75, test: 25},
		{ds: ir.Dataset{TestSize: 5, Limit: 20}, train: 15, test: 5},
		{ds: ir.Dataset{TestSize: 100}, wantError: "leaving none to train on"},
	}
	for _, tt := range tests {
		tt.ds.Name = "d"
		ds, err := Load(context.Background(), store, tt.ds, "", Options{})
		if tt.wantError != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("%+v: err = %v", tt.ds, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(ds.Train) != tt.train || len(ds.Test) != tt.test {
			t.Errorf("%+v: train %d test %d, want %d %d", tt.ds, len(ds.Train), len(ds.Test), tt.train, tt.test)
		}
		seen := map[int]bool{}
		all, _ := ds.Split("all")
		for _, e := range all {
			if seen[e.Line] {
				t.Fatalf("line %d in both splits", e.Line)
			}
			seen[e.Line] = true
		}
	}
	// The split is a deterministic function of the seed.
	a, _ := Load(context.Background(), store, ir.Dataset{Name: "d", TestSize: 10, ShuffleSeed: 7}, "", Options{})
	b, _ := Load(context.Background(), store, ir.Dataset{Name: "d", TestSize: 10, ShuffleSeed: 7}, "", Options{})
	c, _ := Load(context.Background(), store, ir.Dataset{Name: "d", TestSize: 10, ShuffleSeed: 8}, "", Options{})
	if !slices.Equal(lineList(a.Test), lineList(b.Test)) {
		t.Fatal("same seed gave different test splits")
	}
	if slices.Equal(lineList(a.Test), lineList(c.Test)) {
		t.Fatal("different seeds gave the same test split")
	}
}

func lineList(ex []Example) []int {
	var out []int
	for _, e := range ex {
		out = append(out, e.Line)
	}
	return out
}

func TestEpochOrder(t *testing.T) {
	const n = 50
	e0, e0again, e1 := EpochOrder(n, 3, 0), EpochOrder(n, 3, 0), EpochOrder(n, 3, 1)
	if !slices.Equal(e0, e0again) {
		t.Fatal("epoch order is not deterministic")
	}
	if slices.Equal(e0, e1) {
		t.Fatal("epochs 0 and 1 have the same order")
	}
	for _, p := range [][]int{e0, e1} {
		s := slices.Clone(p)
		slices.Sort(s)
		for i, v := range s {
			if v != i {
				t.Fatalf("not a permutation: %v", p)
			}
		}
	}
	// Pinned values: a change here means resumed runs would train on a
	// different order than the one they started with.
	if got := EpochOrder(5, 0, 0); !slices.Equal(got, pinnedOrder) {
		t.Fatalf("EpochOrder(5, 0, 0) = %v, want %v", got, pinnedOrder)
	}
}

var pinnedOrder = []int{2, 3, 4, 0, 1}

// Malformed messages are bad rows whose errors speak of the data: no Go
// type ("[]chat.Part", "string"), field paths the user wrote, and a
// did-you-mean for a misspelt role, which was accepted silently.
func TestMessageErrorsSpeakOfTheData(t *testing.T) {
	for _, tc := range []struct {
		name     string
		messages any
		roles    []string
		want     string
	}{
		{"unknown role", msgs("usr", "hi", "assistant", "a"), nil, `messages: message 0: unknown role "usr". Did you mean "user"? Roles: assistant, system, tool, user`},
		{"renderer's own role", msgs("developer", "be brief", "user", "q", "assistant", "a"), []string{"developer", "user", "assistant"}, ""},
		{"role not rendered", msgs("system", "s", "user", "q"), []string{"user", "assistant"}, `message 0: unknown role "system". Roles: assistant, user`},
		{"content a number", []any{map[string]any{"role": "user", "content": 5.0}}, nil, "message 0: content must be a string or a list of parts, not a number"},
		{"part text a number", []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": 3.0}}}}, nil, "message 0: content part 0: text must be a string, not a number"},
		{"role a list", []any{map[string]any{"role": []any{"user"}, "content": "x"}}, nil, "message 0: role must be a string, not a list"},
		{"trainable a string", []any{map[string]any{"role": "user", "content": "x", "trainable": "yes"}}, nil, "message 0: trainable must be true or false, not a string"},
		{"tool calls an object", []any{map[string]any{"role": "assistant", "content": "x", "tool_calls": map[string]any{}}}, nil, "message 0: tool_calls must be a list of tool calls, not an object"},
		{"message a string", []any{"hello"}, nil, `message 0 must be a {"role", "content"} object, not a string`},
		{"messages a number", 3.0, nil, "messages: must be a list of messages, not a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ToMessages(FormatMessages, map[string]any{"messages": tc.messages}, Options{Roles: tc.roles})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			for _, goish := range []string{"Go ", "chat.", "[]", "float64", "map[", "json:"} {
				if strings.Contains(err.Error(), goish) {
					t.Errorf("error %q names Go's types (%q)", err, goish)
				}
			}
		})
	}
}

// An unknown role is a bad row: skip_bad_rows skips and counts it.
func TestUnknownRoleIsABadRow(t *testing.T) {
	store := sliceStore{
		rec(1, map[string]any{"messages": msgs("user", "q", "assistant", "a")}),
		rec(2, map[string]any{"messages": msgs("usr", "q", "assistant", "a")}),
		rec(3, map[string]any{"messages": msgs("user", "q", "assistant", "a")}),
	}
	_, err := Load(context.Background(), store, ir.Dataset{Name: "d"}, "", Options{})
	if err == nil || !strings.Contains(err.Error(), `d.jsonl:2: messages: message 0: unknown role "usr". Did you mean "user"?`) {
		t.Fatalf("err = %v", err)
	}
	ds, err := Load(context.Background(), store, ir.Dataset{Name: "d", SkipBadRows: true}, "", Options{})
	if err != nil || ds.Skipped != 1 || len(ds.Train) != 2 {
		t.Fatalf("skipped %v train %v err %v", ds.Skipped, len(ds.Train), err)
	}
}
