package scorers

import (
	"errors"
	"regexp"
	"strings"
)

// boxedMarkers open a boxed answer. \fbox is accepted as well as \boxed
// (the reference recognises only \boxed; SPEC.md §11 "The math grader").
var boxedMarkers = []string{`\boxed`, `\fbox`}

// LastBoxed returns the content of the \boxed{...} (or \fbox{...}) whose
// closing brace comes last in s, braces balanced: for nested boxes the
// outer one, for a response that boxes an intermediate result and then
// the answer, the answer (../shared/reference/formats.md §4.1). A closing
// brace with no opening one is skipped rather than failing the whole
// extraction, and a box that never closes is not an answer. Without a
// braced box, "\boxed 7" (a space and letters or digits) is read.
func LastBoxed(s string) (string, bool) {
	var open []int // indexes of unmatched '{'
	found, start, end := false, 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			open = append(open, i)
		case '}':
			if len(open) == 0 {
				continue
			}
			o := open[len(open)-1]
			open = open[:len(open)-1]
			if endsWithMarker(s[:o]) {
				found, start, end = true, o+1, i
			}
		}
	}
	if found {
		return s[start:end], true
	}
	if m := boxedWordRE.FindAllStringSubmatch(s, -1); m != nil {
		return m[len(m)-1][1], true
	}
	return "", false
}

var boxedWordRE = regexp.MustCompile(`\\boxed\s+([a-zA-Z0-9]+)`)

func endsWithMarker(s string) bool {
	for _, m := range boxedMarkers {
		if strings.HasSuffix(s, m) {
			return true
		}
	}
	return false
}

// HasBoxed is the math environments' format check: the response holds a
// \boxed{} answer (an empty box counts as a format, not as an answer).
func HasBoxed(response string) bool {
	_, ok := LastBoxed(response)
	return ok
}

// ExtractMathAnswer reads the final answer of a model's response for the
// evaluate stage's math scorer: the last \boxed{} when present, else the
// text after a final "answer is" / "answer:", else after a final "####",
// else the whole response.
func ExtractMathAnswer(response string) string {
	if b, ok := LastBoxed(response); ok {
		return b
	}
	lower := strings.ToLower(response)
	for _, cue := range []string{"answer is", "answer:"} {
		if i := strings.LastIndex(lower, cue); i >= 0 {
			return strings.TrimSpace(response[i+len(cue):])
		}
	}
	if i := strings.LastIndex(response, "####"); i >= 0 {
		return strings.TrimSpace(response[i+4:])
	}
	return strings.TrimSpace(response)
}

// ErrNoGSM8KAnswer is returned by GSM8KAnswer for a text without "####".
var ErrNoGSM8KAnswer = errors.New("no GSM8K final answer (no \"####\")")

// GSM8KAnswer reads the final answer of a GSM8K reference solution: the
// text after the last "####" up to the end of its line, a leading ':'
// dropped, commas removed ("#### 1,000" reads "1000"). The reference
// keeps the commas when "####" does not start a line; we always remove
// them (../shared/reference/formats.md §4.6).
func GSM8KAnswer(solution string) (string, error) {
	i := strings.LastIndex(solution, "####")
	if i < 0 {
		return "", ErrNoGSM8KAnswer
	}
	rest := solution[i+4:]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	return strings.TrimSpace(strings.ReplaceAll(rest, ",", "")), nil
}

var numberRE = regexp.MustCompile(`-?\d[\d,]*(?:\.\d+)?|-?\.\d+`)

// LastNumberText returns the last number written in s as text with its
// thousands commas removed ("It costs $1,234.50." reads "1234.50"; the
// sentence's period is not part of it). The arithmetic environment and
// GSM8K-style answers without a box grade this text.
func LastNumberText(s string) (string, bool) {
	all := numberRE.FindAllString(s, -1)
	if len(all) == 0 {
		return "", false
	}
	return strings.ReplaceAll(all[len(all)-1], ",", ""), true
}
