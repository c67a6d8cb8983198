package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The split patterns of the tokenizers we load use look-ahead
// (`\s+(?!\S)`), which Go's regexp lacks, so they are implemented by hand
// below with the semantics of the backtracking engines Hugging Face uses:
// alternatives are tried in order at each position, quantifiers are greedy
// and backtrack. Each pattern is recognised by its exact source text.

// Pattern sources as they appear in tokenizer.json files.
const (
	// patternLlama3 is the cl100k-style pattern of Llama 3 (digits in
	// runs of up to three).
	patternLlama3 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	// patternQwen2 is the same pattern with single digits (Qwen2/Qwen3).
	patternQwen2 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	// patternGPT2 is GPT-2's pattern, used by ByteLevel pre-tokenizers
	// with use_regex = true.
	patternGPT2 = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
)

// splitter cuts text into pre-tokens.
type splitter func(text string) []string

// splitterFor returns the hand-written splitter of a known pattern.
func splitterFor(pattern string) (splitter, bool) {
	switch pattern {
	case patternLlama3:
		return func(s string) []string { return splitCL(s, 3) }, true
	case patternQwen2:
		return func(s string) []string { return splitCL(s, 1) }, true
	case patternGPT2:
		return splitGPT2, true
	}
	return nil, false
}

// runeAt decodes the rune at byte offset i; invalid bytes decode as
// utf8.RuneError of width 1 and count as "other" characters.
func runeAt(s string, i int) (rune, int) {
	r, w := utf8.DecodeRuneInString(s[i:])
	return r, w
}

// classify returns whether the rune at i is a letter, a number, or white
// space (Unicode White_Space, which is what \s means in the Rust regex
// engine Hugging Face tokenizers use).
func classify(s string, i int) (r rune, w int, letter, number, space bool) {
	r, w = runeAt(s, i)
	if r == utf8.RuneError && w == 1 {
		return r, w, false, false, false
	}
	return r, w, unicode.IsLetter(r), unicode.IsNumber(r), unicode.IsSpace(r)
}

// spanWhile returns the end of the run starting at i whose runes satisfy f.
func spanWhile(s string, i int, f func(letter, number, space bool, r rune) bool) int {
	for i < len(s) {
		r, w, l, n, sp := classify(s, i)
		if !f(l, n, sp, r) {
			break
		}
		i += w
	}
	return i
}

func letters(l, _, _ bool, _ rune) bool  { return l }
func spaces(_, _, sp bool, _ rune) bool  { return sp }
func others(l, n, sp bool, _ rune) bool  { return !l && !n && !sp }
func newlines(_, _, _ bool, r rune) bool { return r == '\r' || r == '\n' }

// contraction matches (?i:'s|'t|'re|'ve|'m|'ll|'d) (or the case-sensitive
// form) at i and returns its end, or -1.
func contraction(s string, i int, fold bool) int {
	if i >= len(s) || s[i] != '\'' {
		return -1
	}
	eq := func(j int, c byte) (int, bool) {
		if j >= len(s) {
			return 0, false
		}
		if s[j] == c || fold && s[j] == c-'a'+'A' {
			return 1, true
		}
		// Case folding also maps U+017F (long s) to s and U+212A
		// (Kelvin sign) to k; only the former is in the set.
		if fold && c == 's' && len(s) >= j+2 && s[j:j+2] == "\u017f" {
			return 2, true
		}
		return 0, false
	}
	for _, alt := range []string{"s", "t", "re", "ve", "m", "ll", "d"} {
		j := i + 1
		ok := true
		for k := 0; k < len(alt); k++ {
			w, m := eq(j, alt[k])
			if !m {
				ok = false
				break
			}
			j += w
		}
		if ok {
			return j
		}
	}
	return -1
}

// trailingSpace handles the three whitespace alternatives shared by the
// patterns: [\s*[\r\n]+ |] \s+(?!\S) | \s+. It returns the end of the
// match at i (a white-space rune) or -1.
func trailingSpace(s string, i int, newlineAlt bool) int {
	j := spanWhile(s, i, spaces)
	if j == i {
		return -1
	}
	if newlineAlt {
		// \s*[\r\n]+ : the longest run ending in a line break.
		last := -1
		for k := i; k < j; {
			r, w := runeAt(s, k)
			if r == '\r' || r == '\n' {
				last = k + w
			}
			k += w
		}
		if last > 0 {
			return last
		}
	}
	// \s+(?!\S): all of it at the end of the text, else all but the last
	// white-space rune when more than one.
	if j == len(s) {
		return j
	}
	_, lw := utf8.DecodeLastRuneInString(s[i:j])
	if j-lw > i {
		return j - lw
	}
	// \s+
	return j
}

// splitCL splits with the Llama 3 / Qwen2 pattern; maxDigits is the
// length limit of digit runs.
func splitCL(s string, maxDigits int) []string {
	var out []string
	for i := 0; i < len(s); {
		end := matchCL(s, i, maxDigits)
		out = append(out, s[i:end])
		i = end
	}
	return out
}

func matchCL(s string, i, maxDigits int) int {
	// (?i:'s|'t|'re|'ve|'m|'ll|'d)
	if e := contraction(s, i, true); e > 0 {
		return e
	}
	r, w, l, n, sp := classify(s, i)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if !l && !n && r != '\r' && r != '\n' && i+w < len(s) {
		if _, _, l2, _, _ := classify(s, i+w); l2 {
			return spanWhile(s, i+w, letters)
		}
	}
	if l {
		return spanWhile(s, i, letters)
	}
	// \p{N}{1,maxDigits}
	if n {
		j, k := i, 0
		for j < len(s) && k < maxDigits {
			_, w2, _, n2, _ := classify(s, j)
			if !n2 {
				break
			}
			j += w2
			k++
		}
		return j
	}
	//  ?[^\s\p{L}\p{N}]+[\r\n]*
	start := i
	if r == ' ' && i+1 < len(s) {
		if _, _, l2, n2, sp2 := classify(s, i+1); !l2 && !n2 && !sp2 {
			start = i + 1
		}
	}
	if start > i || !sp {
		if j := spanWhile(s, start, others); j > start {
			return spanWhile(s, j, newlines)
		}
	}
	if e := trailingSpace(s, i, true); e > 0 {
		return e
	}
	return i + w // unreachable for well-formed classes; never loop forever
}

// splitGPT2 splits with GPT-2's pattern.
func splitGPT2(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		end := matchGPT2(s, i)
		out = append(out, s[i:end])
		i = end
	}
	return out
}

func matchGPT2(s string, i int) int {
	if e := contraction(s, i, false); e > 0 {
		return e
	}
	r, w, _, _, _ := classify(s, i)
	start := i
	if r == ' ' && i+1 < len(s) {
		start = i + 1
	}
	for _, class := range []func(l, n, sp bool, r rune) bool{letters, numbers, others} {
		if j := spanWhile(s, start, class); j > start {
			return j
		}
		if start > i { // without the optional space
			if j := spanWhile(s, i, class); j > i {
				return j
			}
		}
	}
	if e := trailingSpace(s, i, false); e > 0 {
		return e
	}
	return i + w
}

func numbers(_, n, _ bool, _ rune) bool { return n }
