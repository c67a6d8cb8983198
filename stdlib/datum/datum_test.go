package datum

import (
	"errors"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

func TestBuild(t *testing.T) {
	tests := []struct {
		name       string
		tokens     []int
		weights    []float32
		maxLength  int
		red        Reduction
		wantInput  []int
		wantTarget []int64
		wantW      []float32
		wantErr    error
	}{
		{
			name:   "shift, mean",
			tokens: []int{10, 11, 12, 13, 14}, weights: []float32{0, 0, 1, 1, 0},
			red:       Mean,
			wantInput: []int{10, 11, 12, 13}, wantTarget: []int64{11, 12, 13, 14},
			// target t gets the weight of token t+1: tokens 11..14 have 0,1,1,0.
			wantW: []float32{0, 0.5, 0.5, 0},
		},
		{
			name:   "shift, none",
			tokens: []int{10, 11, 12, 13, 14}, weights: []float32{0, 0, 1, 1, 0},
			red:       None,
			wantInput: []int{10, 11, 12, 13}, wantTarget: []int64{11, 12, 13, 14},
			wantW: []float32{0, 1, 1, 0},
		},
		{
			name:   "truncate from the end",
			tokens: []int{1, 2, 3, 4, 5, 6}, weights: []float32{0, 1, 1, 1, 1, 1},
			maxLength: 4, red: None,
			wantInput: []int{1, 2, 3}, wantTarget: []int64{2, 3, 4}, wantW: []float32{1, 1, 1},
		},
		{
			name:   "truncate, mean over what is left",
			tokens: []int{1, 2, 3, 4, 5, 6}, weights: []float32{0, 0, 0, 1, 1, 1},
			maxLength: 5, red: Mean,
			wantInput: []int{1, 2, 3, 4}, wantTarget: []int64{2, 3, 4, 5}, wantW: []float32{0, 0, 0.5, 0.5},
		},
		{
			name:   "first token weight is never used",
			tokens: []int{7, 8}, weights: []float32{1, 1}, red: None,
			wantInput: []int{7}, wantTarget: []int64{8}, wantW: []float32{1},
		},
		{
			name:   "truncation removes every trained token",
			tokens: []int{1, 2, 3, 4}, weights: []float32{0, 0, 1, 1}, maxLength: 2, red: Mean,
			wantErr: ErrNoLossTokens,
		},
		{
			name: "one token left", tokens: []int{1, 2, 3}, weights: []float32{1, 1, 1}, maxLength: 1, red: Mean,
			wantErr: ErrNoLossTokens,
		},
		{
			name: "nothing trained", tokens: []int{1, 2, 3}, weights: []float32{0, 0, 0}, red: None,
			wantErr: ErrNoLossTokens,
		},
		{
			name:   "max_length 0 keeps everything",
			tokens: []int{1, 2, 3}, weights: []float32{0, 1, 1}, maxLength: 0, red: None,
			wantInput: []int{1, 2}, wantTarget: []int64{2, 3}, wantW: []float32{1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Build(tt.tokens, tt.weights, tt.maxLength, tt.red)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.ModelInput.Tokens(); !slices.Equal(got, tt.wantInput) {
				t.Errorf("input %v, want %v", got, tt.wantInput)
			}
			if got := Targets(d); !slices.Equal(got, tt.wantTarget) {
				t.Errorf("targets %v, want %v", got, tt.wantTarget)
			}
			if got := Weights(d); !slices.Equal(got, tt.wantW) {
				t.Errorf("weights %v, want %v", got, tt.wantW)
			}
		})
	}
}

func TestBuildRejectsMismatch(t *testing.T) {
	if _, err := Build([]int{1, 2}, []float32{1}, 0, Mean); err == nil {
		t.Fatal("want an error for mismatched lengths")
	}
	if _, err := Build([]int{1, 2}, []float32{1, -1}, 0, Mean); err == nil {
		t.Fatal("want an error for a negative weight")
	}
	// The error names the token, counted in the full sequence.
	if _, err := Build([]int{1, 2, 3}, []float32{1, 1, -1}, 0, Mean); err == nil || !strings.Contains(err.Error(), "at token 2") {
		t.Fatalf("err = %v, want an invalid weight at token 2", err)
	}
	if _, err := Build([]int{1, 2, 3}, []float32{1, float32(math.Inf(1)), 1}, 0, Mean); err == nil {
		t.Fatal("want an error for an infinite weight (mean reduction would make every weight NaN or 0)")
	}
	if _, err := ParseReduction("sum"); err == nil {
		t.Fatal("want an error for an unknown reduction")
	}
}

// A row of 7 MB took 500 MB to turn into one datum of max_length tokens:
// every token of it was encoded into growing id and weight slices, then
// all but max_length dropped. Only the tokens kept are encoded now; the
// datum is the same. Bytes allocated measure it (no timing).
func TestLongConversationCostsLittleMoreThanItsText(t *testing.T) {
	r, err := renderers.Get("role_colon")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.NewByteLevel(r.SpecialTokens())
	if err != nil {
		t.Fatal(err)
	}
	const size = 7 << 20
	msgs := []chat.Message{{Role: "user", Content: chat.Text(strings.Repeat("x", size))}, {Role: "assistant", Content: chat.Text("ok")}}
	b := &Builder{Renderer: r, Tokenizer: tok, TrainOn: renderers.AllMessages, MaxLength: 64, Reduction: Mean}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ds, _, err := b.Conversation(msgs)
	runtime.ReadMemStats(&after)
	if err != nil || len(ds) != 1 || len(Targets(ds[0])) != 63 {
		t.Fatalf("datums %d err %v", len(ds), err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6*size {
		t.Errorf("allocated %d MB for a %d MB message", alloc>>20, size>>20)
	}
	// The same datum as encoding everything and truncating.
	examples, err := r.Supervised(msgs, renderers.AllMessages)
	if err != nil {
		t.Fatal(err)
	}
	ids, weights, err := renderers.Encode(tok, examples[0])
	if err != nil {
		t.Fatal(err)
	}
	want, err := Build(ids, weights, 64, Mean)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, ds[0]) {
		t.Error("the datum differs from encoding the whole conversation and truncating")
	}
}
