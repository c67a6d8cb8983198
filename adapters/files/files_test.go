package files

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

func collect(t *testing.T, s *Store, ref ports.DatasetRef) ([]ports.Record, error) {
	t.Helper()
	seq, err := s.Open(context.Background(), ref)
	if err != nil {
		return nil, err
	}
	var out []ports.Record
	for rec, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadFormats(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.jsonl", "{\"input\":\"x\",\"output\":\"y\"}\n\n[1,2]\n{\"input\": \"p\", \"n\": 3}\n{broken\n")
	write(t, dir, "arr.json", "[\n  {\"input\": \"x\"},\n  {\"input\": \"y\"},\n  \"str\",\n  {\"input\": \"z\"}\n]\n")
	write(t, dir, "rows.json", "{\"meta\": {\"v\": 1},\n \"rows\": [\n {\"input\": \"x\"}\n ]}")
	write(t, dir, "a.csv", "\ufeffinput,output\nx,y\n\"multi\nline\",z\nshort\nq,r\n")
	tests := []struct {
		file string
		want []struct {
			line  int
			input string
			err   string
		}
	}{
		{"a.jsonl", []struct {
			line  int
			input string
			err   string
		}{{1, "x", ""}, {3, "", "JSON array, not an object"}, {4, "p", ""}, {5, "", "invalid JSON"}}},
		{"arr.json", []struct {
			line  int
			input string
			err   string
		}{{2, "x", ""}, {3, "y", ""}, {4, "", "JSON string, not an object"}, {5, "z", ""}}},
		{"rows.json", []struct {
			line  int
			input string
			err   string
		}{{3, "x", ""}}},
		{"a.csv", []struct {
			line  int
			input string
			err   string
		}{{2, "x", ""}, {3, "multi\nline", ""}, {5, "", "row has 1 fields, the header has 2"}, {6, "q", ""}}},
	}
	s := &Store{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			recs, err := collect(t, s, ports.DatasetRef{Source: tt.file, BaseDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(tt.want) {
				t.Fatalf("got %d records, want %d: %+v", len(recs), len(tt.want), recs)
			}
			for i, w := range tt.want {
				r := recs[i]
				if r.File != tt.file || r.Line != w.line {
					t.Errorf("record %d at %s:%d, want %s:%d", i, r.File, r.Line, tt.file, w.line)
				}
				if w.err != "" {
					if r.Err == nil || !strings.Contains(r.Err.Error(), w.err) {
						t.Errorf("record %d err = %v, want %q", i, r.Err, w.err)
					}
					continue
				}
				if r.Err != nil || r.Fields["input"] != w.input {
					t.Errorf("record %d = %v (err %v), want input %q", i, r.Fields, r.Err, w.input)
				}
			}
		})
	}
}

func TestJSONLNumbersDecodeAsFloat(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "n.jsonl", `{"question":"q","answer":42}`)
	recs, err := collect(t, &Store{}, ports.DatasetRef{Source: "file://n.jsonl", BaseDir: dir})
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	if v, ok := recs[0].Fields["answer"].(float64); !ok || v != 42 {
		t.Fatalf("answer = %#v", recs[0].Fields["answer"])
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bad.json", `{"x": 1}`)
	write(t, dir, "syntax.json", "[\n{\"a\":1},\n{\"a\":\n")
	write(t, dir, "data.txt", "hello")
	tests := []struct {
		ref  ports.DatasetRef
		want string
	}{
		{ports.DatasetRef{Source: "hf://org/name"}, "got a hf:// source"},
		{ports.DatasetRef{Source: "hf://org/name"}, "--port dataset_store=hf, or --manifest dev or prod"},
		{ports.DatasetRef{Source: "s3://bucket/x.jsonl"}, "got a s3:// source \"s3://bucket/x.jsonl\" (bind dataset_store"},
		{ports.DatasetRef{Source: "missing.jsonl", BaseDir: dir}, "no such file"},
		{ports.DatasetRef{Source: "data.txt", BaseDir: dir}, "set file_format"},
		{ports.DatasetRef{Source: "data.txt", BaseDir: dir, FileFormat: "xml"}, "unknown file format"},
		{ports.DatasetRef{Source: ".", BaseDir: dir, FileFormat: "jsonl"}, "is a directory"},
		{ports.DatasetRef{Source: "bad.json", BaseDir: dir}, `"rows" (or "data") array`},
		{ports.DatasetRef{Source: "syntax.json", BaseDir: dir}, "syntax.json:3: invalid JSON"},
	}
	for _, tt := range tests {
		_, err := collect(t, &Store{}, tt.ref)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want containing %q", tt.ref, err, tt.want)
		}
	}
}

func TestRootOverridesBaseDir(t *testing.T) {
	root := t.TempDir()
	write(t, root, "r.jsonl", `{"input":"x","output":"y"}`)
	recs, err := collect(t, &Store{Root: root}, ports.DatasetRef{Source: "r.jsonl", BaseDir: "/nonexistent"})
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
}

type pqMessage struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

type pqRow struct {
	Messages []pqMessage `parquet:"messages,list"`
	Source   string      `parquet:"source"`
	Score    int64       `parquet:"score"`
}

func TestParquet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "chat.parquet")
	rows := []pqRow{
		{Messages: []pqMessage{{"user", "hi"}, {"assistant", "hello"}}, Source: "a", Score: 3},
		{Messages: []pqMessage{{"user", "2+2?"}, {"assistant", "4"}}, Source: "b", Score: 5},
	}
	if err := parquet.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := collect(t, &Store{}, ports.DatasetRef{Source: "chat.parquet", BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	for i, r := range recs {
		if r.Err != nil || r.Line != i+1 {
			t.Fatalf("record %d: line %d err %v", i, r.Line, r.Err)
		}
		msgs, ok := r.Fields["messages"].([]any)
		if !ok || len(msgs) != 2 {
			t.Fatalf("record %d messages = %#v", i, r.Fields["messages"])
		}
		first, _ := msgs[0].(map[string]any)
		if first["role"] != "user" || first["content"] != rows[i].Messages[0].Content {
			t.Fatalf("record %d first message = %#v", i, first)
		}
		if r.Fields["score"] != float64(rows[i].Score) {
			t.Fatalf("record %d score = %#v", i, r.Fields["score"])
		}
	}
	write(t, dir, "junk.parquet", "not parquet at all")
	if _, err := collect(t, &Store{}, ports.DatasetRef{Source: "junk.parquet", BaseDir: dir}); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Fatalf("err = %v", err)
	}

	// A panic in the caller's loop body is the caller's: the reader
	// guards only the decoder, and must not turn it into a "corrupt
	// file" error or call the body again.
	seq, err := (&Store{}).Open(context.Background(), ports.DatasetRef{Source: "chat.parquet", BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	func() {
		defer func() {
			if r := recover(); r != "consumer" {
				t.Fatalf("recovered %v, want the loop body's own panic", r)
			}
		}()
		for range seq {
			calls++
			panic("consumer")
		}
	}()
	if calls != 1 {
		t.Fatalf("loop body ran %d times", calls)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "shard.jsonl", "{\"a\": 1}\n{bad\n")
	seq, err := ReadFile(context.Background(), filepath.Join(dir, "shard.jsonl"), "hf://org/x/shard.jsonl", "jsonl", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rec, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s:%d err=%v", rec.File, rec.Line, rec.Err != nil))
	}
	if want := []string{"hf://org/x/shard.jsonl:1 err=false", "hf://org/x/shard.jsonl:2 err=true"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, err := ReadFile(context.Background(), "x", "x", "auto", 0); err == nil || !strings.Contains(err.Error(), "unknown file format") {
		t.Fatalf("format auto: err = %v", err)
	}
	seq, _ = ReadFile(context.Background(), filepath.Join(dir, "gone.csv"), "gone.csv", "csv", 0)
	for _, err := range seq {
		if err == nil || !strings.Contains(err.Error(), "dataset gone.csv") {
			t.Fatalf("missing file: err = %v", err)
		}
	}
}
