package renderers

import (
	"slices"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

// prefixless hides a tokenizer's PrefixEncoder, so EncodeFirst must
// encode whole texts and truncate.
type prefixless struct{ tokenizer.Tokenizer }

// EncodeFirst gives the first max ids and weights of Encode, across text
// and special segments, with or without a PrefixEncoder.
func TestEncodeFirst(t *testing.T) {
	r, err := Get("llama3")
	if err != nil {
		t.Fatal(err)
	}
	byteLevel, err := tokenizer.NewByteLevel(r.SpecialTokens())
	if err != nil {
		t.Fatal(err)
	}
	segs := []Segment{sp("<|begin_of_text|>"), tx("hello"), {Text: " world", Weight: 1}, sp("<|eot_id|>"), tx("tail")}
	for _, tok := range []tokenizer.Tokenizer{byteLevel, prefixless{byteLevel}} {
		ids, weights, err := Encode(tok, segs)
		if err != nil {
			t.Fatal(err)
		}
		for max := 0; max <= len(ids)+2; max++ {
			gotIDs, gotWeights, err := EncodeFirst(tok, segs, max)
			if err != nil {
				t.Fatal(err)
			}
			n := len(ids)
			if max > 0 {
				n = min(max, len(ids))
			}
			if !slices.Equal(gotIDs, ids[:n]) || !slices.Equal(gotWeights, weights[:n]) {
				t.Errorf("%T max %d: got %v %v, want %v %v", tok, max, gotIDs, gotWeights, ids[:n], weights[:n])
			}
		}
	}
}
