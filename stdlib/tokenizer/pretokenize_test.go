package tokenizer

import (
	"reflect"
	"testing"
)

// Expected splits worked out by hand from the patterns' semantics
// (leftmost alternative, greedy with backtracking).
func TestSplitPatterns(t *testing.T) {
	cases := []struct {
		name string
		fn   splitter
		in   string
		want []string
	}{
		{"words", func(s string) []string { return splitCL(s, 3) }, "Hello world", []string{"Hello", " world"}},
		{"contraction case-insensitive", func(s string) []string { return splitCL(s, 3) }, "I'M", []string{"I", "'M"}},
		{"digits in threes", func(s string) []string { return splitCL(s, 3) }, "12345", []string{"123", "45"}},
		{"single digits", func(s string) []string { return splitCL(s, 1) }, "123", []string{"1", "2", "3"}},
		{"space before word stays", func(s string) []string { return splitCL(s, 3) }, "a  b", []string{"a", " ", " b"}},
		{"newline run", func(s string) []string { return splitCL(s, 3) }, "  \n  \n  x", []string{"  \n  \n", " ", " x"}},
		{"trailing spaces", func(s string) []string { return splitCL(s, 3) }, "x   ", []string{"x", "   "}},
		{"punctuation with newline", func(s string) []string { return splitCL(s, 3) }, "a!!\n\nb", []string{"a", "!!\n\n", "b"}},
		{"space punctuation", func(s string) []string { return splitCL(s, 3) }, "a ?b", []string{"a", " ?", "b"}},
		{"punct prefix on letters", func(s string) []string { return splitCL(s, 3) }, "(hello", []string{"(hello"}},
		{"invalid byte", func(s string) []string { return splitCL(s, 3) }, "a\xffb", []string{"a", "\xffb"}},
		{"gpt2", splitGPT2, "Hello  world's 42!", []string{"Hello", " ", " world", "'s", " 42", "!"}},
	}
	for _, c := range cases {
		if got := c.fn(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: split(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// FuzzSplit: every splitter cuts any input (valid UTF-8 or not) into
// non-empty pieces that concatenate back to it.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "Hello world", "  \n  \n  x", "I'M 12345", "a\xffb", "日本 😀\r\n", "'s'll'LL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]splitter{"llama3": func(s string) []string { return splitCL(s, 3) }, "qwen2": func(s string) []string { return splitCL(s, 1) }, "gpt2": splitGPT2} {
			pieces := fn(s)
			joined := ""
			for _, p := range pieces {
				if p == "" {
					t.Fatalf("%s: empty piece in %q", name, s)
				}
				joined += p
			}
			if joined != s {
				t.Fatalf("%s: pieces %q do not rebuild %q", name, pieces, s)
			}
		}
	})
}
