package tokenizer

import (
	"reflect"
	"testing"
)

// TestBPEEqualRankMergesLeftmostFirst: where the same merge applies at
// several places of a word, the leftmost is merged first, as Hugging
// Face's BPE does ("aaa" is "aa" + "a", not "a" + "aa"). Self-contained:
// the parity test that also pins this skips without the npm tokenizer
// files.
func TestBPEEqualRankMergesLeftmostFirst(t *testing.T) {
	const aa, ab, aab = 261, 262, 263
	tok := tinyTokenizer(t, func(m map[string]any) {
		model := m["model"].(map[string]any)
		vocab := model["vocab"].(map[string]int)
		vocab["aa"], vocab["ab"], vocab["aab"] = aa, ab, aab
		model["merges"] = append(model["merges"].([]any), "a a", "a b", "aa b")
	})
	cases := []struct {
		in   string
		want []int
	}{
		{"aaa", []int{aa, 'a'}},
		{"aaaaa", []int{aa, aa, 'a'}},
		// "a a" outranks "a b": the leftmost pair merges first and "ab"
		// never forms, so "aa b" applies.
		{"aab", []int{aab}},
		{"aaab", []int{aa, ab}},
	}
	for _, c := range cases {
		if got := tok.Encode(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Encode(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
