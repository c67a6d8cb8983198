package datum

import (
	"math"
	"slices"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

func msg(role, text string, trainable ...bool) chat.Message {
	m := chat.Message{Role: role, Content: chat.Text(text)}
	if len(trainable) > 0 {
		m.Trainable = &trainable[0]
	}
	return m
}

// The two-turn conversation below renders with role_colon as
//
//	"User:" " hi\n\n" "Assistant:" " yo\n\n" "User:" " ok\n\n" "Assistant:" " go\n\n" "User:"
//	  H1 5    O1 5       H2 10       O2 5     H3 5    O3 5       H4 10       O4 5   stop 5
//
// (byte-level: one token per byte, 55 tokens). The masks give the
// weight of each of those nine pieces, worked out by hand from the
// train_on table (../shared/reference/cookbook-semantics.md §3.2): headers only under
// all_tokens; the stop overlap "User:" carries the last message's
// weight.
var pieceLens = []int{5, 5, 10, 5, 5, 5, 10, 5, 5}

const renderedText = "User: hi\n\nAssistant: yo\n\nUser: ok\n\nAssistant: go\n\nUser:"

func TestConversationEveryTrainOn(t *testing.T) {
	plain := []chat.Message{msg("user", "hi"), msg("assistant", "yo"), msg("user", "ok"), msg("assistant", "go")}
	custom := []chat.Message{msg("user", "hi", false), msg("assistant", "yo", true), msg("user", "ok", true), msg("assistant", "go", false)}
	tests := []struct {
		trainOn renderers.TrainOn
		msgs    []chat.Message
		mask    []float32 // per piece
	}{
		{renderers.LastAssistantMessage, plain, []float32{0, 0, 0, 0, 0, 0, 0, 1, 1}},
		{renderers.LastAssistantTurn, plain, []float32{0, 0, 0, 0, 0, 0, 0, 1, 1}},
		{renderers.AllAssistantMessages, plain, []float32{0, 0, 0, 1, 0, 0, 0, 1, 1}},
		{renderers.AllMessages, plain, []float32{0, 1, 0, 1, 0, 1, 0, 1, 1}},
		{renderers.AllTokens, plain, []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{renderers.AllUserAndSystemMessages, plain, []float32{0, 1, 0, 0, 0, 1, 0, 0, 0}},
		{renderers.Customized, custom, []float32{0, 0, 0, 1, 0, 1, 0, 0, 0}},
	}
	r, err := renderers.Get("role_colon")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.NewByteLevel(r.SpecialTokens())
	if err != nil {
		t.Fatal(err)
	}
	wantTokens := []int{}
	for _, c := range []byte(renderedText) {
		wantTokens = append(wantTokens, int(c))
	}
	for _, tt := range tests {
		var full []float32
		for i, n := range pieceLens {
			for range n {
				full = append(full, tt.mask[i])
			}
		}
		for _, red := range []Reduction{None, Mean} {
			t.Run(string(tt.trainOn)+"/"+string(red), func(t *testing.T) {
				b := &Builder{Renderer: r, Tokenizer: tok, TrainOn: tt.trainOn, MaxLength: 1000, Reduction: red}
				ds, empty, err := b.Conversation(tt.msgs)
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) != 1 || empty != 0 {
					t.Fatalf("%d datums, %d empty", len(ds), empty)
				}
				d := ds[0]
				if got := d.ModelInput.Tokens(); !slices.Equal(got, wantTokens[:54]) {
					t.Fatalf("input %q, want %q", bytesOf(got), renderedText[:54])
				}
				var wantTargets []int64
				for _, v := range wantTokens[1:] {
					wantTargets = append(wantTargets, int64(v))
				}
				if !slices.Equal(Targets(d), wantTargets) {
					t.Fatalf("targets differ")
				}
				want := slices.Clone(full[1:])
				if red == Mean {
					var sum float32
					for _, w := range want {
						sum += w
					}
					for i := range want {
						want[i] /= sum
					}
				}
				got := Weights(d)
				for i := range want {
					if math.Abs(float64(got[i]-want[i])) > 1e-7 {
						t.Fatalf("weight of target %d (%q) = %v, want %v\ngot  %v\nwant %v", i, renderedText[i+1], got[i], want[i], got, want)
					}
				}
			})
		}
	}
}

func bytesOf(ids []int) string {
	b := make([]byte, len(ids))
	for i, id := range ids {
		b[i] = byte(id)
	}
	return string(b)
}

func TestConversationTruncation(t *testing.T) {
	r, _ := renderers.Get("role_colon")
	tok, _ := tokenizer.NewByteLevel(nil)
	conv := []chat.Message{msg("user", "hi"), msg("assistant", "yo")}
	// "User: hi\n\nAssistant: yo\n\nUser:": the reply starts at token 20.
	b := &Builder{Renderer: r, Tokenizer: tok, TrainOn: renderers.AllAssistantMessages, MaxLength: 23, Reduction: None}
	ds, empty, err := b.Conversation(conv)
	if err != nil || empty != 0 || len(ds) != 1 {
		t.Fatalf("%v %d %v", ds, empty, err)
	}
	// 23 tokens kept, 22 targets; targets 19..21 are " yo" (weight 1).
	want := make([]float32, 22)
	want[19], want[20], want[21] = 1, 1, 1
	if got := Weights(ds[0]); !slices.Equal(got, want) {
		t.Fatalf("weights %v", got)
	}
	// A max_length that ends before the reply leaves nothing to train on.
	b.MaxLength = 20
	ds, empty, err = b.Conversation(conv)
	if err != nil || empty != 1 || len(ds) != 0 {
		t.Fatalf("want one empty example, got %v %d %v", ds, empty, err)
	}
}

func TestConversationRendererErrors(t *testing.T) {
	r, _ := renderers.Get("llama3")
	tok, _ := tokenizer.NewByteLevel(r.SpecialTokens())
	b := &Builder{Renderer: r, Tokenizer: tok, TrainOn: renderers.AllAssistantMessages, MaxLength: 100, Reduction: Mean}
	tool := []chat.Message{msg("user", "hi"), {Role: "tool", Content: chat.Text("x")}, msg("assistant", "yo")}
	if _, _, err := b.Conversation(tool); err == nil {
		t.Fatal("llama3 must refuse a tool message")
	}
	b.TrainOn = renderers.Customized
	if _, _, err := b.Conversation([]chat.Message{msg("user", "hi"), msg("assistant", "yo")}); err == nil {
		t.Fatal("customized without trainable flags must fail")
	}
	// Special tokens are single ids; text that looks like one is bytes.
	b.TrainOn = renderers.LastAssistantMessage
	ds, _, err := b.Conversation([]chat.Message{msg("user", "<|eot_id|>"), msg("assistant", "yo")})
	if err != nil {
		t.Fatal(err)
	}
	eot, _ := tok.SpecialID("<|eot_id|>")
	if n := slices.Index(ds[0].ModelInput.Tokens(), eot); n < 0 || slices.Contains(ds[0].ModelInput.Tokens()[:n], eot) {
		t.Fatalf("eot id %d at %d", eot, n)
	}
	if c := count(ds[0].ModelInput.Tokens(), eot); c != 1 { // user's turn end; the last eot is the final target
		t.Fatalf("eot appears %d times in the input", c)
	}
}

func count(ids []int, id int) int {
	n := 0
	for _, v := range ids {
		if v == id {
			n++
		}
	}
	return n
}
