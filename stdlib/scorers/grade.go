package scorers

import (
	"math/big"
	"regexp"
	"strings"
)

// maxAnswerLen is the longest answer (or reference) GradeAnswer
// normalises; longer ones are correct only when identical.
const maxAnswerLen = 4096

// GradeAnswer reports whether given, a model's final answer (say the
// content of its last \boxed{}), is the reference answer, by the rules of
// tinker-cookbook's grade_answer (../shared/reference/formats.md §4.4;
// SPEC.md §11 "The math grader" lists where we differ):
//
//  1. equal after the MATH ("mathd") normalisation: correct;
//  2. equal after the second normalisation (units, \text, LaTeX to
//     text, thousands separators, case): correct;
//  3. otherwise both are split into tuple or interval elements ("(1,2)",
//     "[0,1)"; the brackets must agree) and compared element by element:
//     two integer fractions must be the same fraction (2/4 is not 1/2),
//     an integer needs an integer, and anything else must evaluate to
//     the same number (exact rationals; see equivalent).
//
// Grading is deterministic and bounded in time by construction: inputs
// and every intermediate value have size limits, and nothing waits on a
// clock, so a verdict never depends on the machine's load.
func GradeAnswer(given, reference string) bool {
	given, reference = strings.TrimSpace(given), strings.TrimSpace(reference)
	if given == "" || reference == "" {
		return false
	}
	if len(given) > maxAnswerLen || len(reference) > maxAnswerLen {
		return given == reference
	}
	if mathdNormalize(given) == mathdNormalize(reference) {
		return true
	}
	g, r := normalize(given), normalize(reference)
	if g == r {
		return true
	}
	if g == "" || r == "" {
		return false
	}
	ge, re := splitTuple(g), splitTuple(r)
	if len(ge) != len(re) {
		return false
	}
	if len(re) > 1 && (g[0] != r[0] || g[len(g)-1] != r[len(r)-1]) {
		return false // (1,2) is not [1,2]
	}
	for i := range re {
		if !sameElement(ge[i], re[i]) {
			return false
		}
	}
	return true
}

// splitTuple splits "(a,b)" or "[a,b)" into its elements at the commas
// that the outer brackets enclose directly ("(2sqrt(2),1)" has two);
// anything else is one element. Thousands separators are removed first,
// so "1,000" is one number. (The reference splits only when no bracket
// occurs inside.)
func splitTuple(s string) []string {
	s = removeThousands(s)
	if s == "" {
		return nil
	}
	if len(s) <= 2 || !strings.ContainsRune("([", rune(s[0])) || !strings.ContainsRune(")]", rune(s[len(s)-1])) {
		return []string{s}
	}
	var parts []string
	depth, start := 0, 1
	for i := 1; i < len(s)-1; i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth < 0 {
				return []string{s} // "(1)+(2)": the brackets are not one pair
			}
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return []string{s}
	}
	return append(parts, strings.TrimSpace(s[start:len(s)-1]))
}

var fractionRE = regexp.MustCompile(`^(-?[0-9]+)/([0-9]+)$`)

// sameElement compares one normalised element of an answer with the
// reference's.
func sameElement(g, r string) bool {
	if g == r {
		return true
	}
	if fg, fr := fractionRE.FindStringSubmatch(g), fractionRE.FindStringSubmatch(r); fg != nil && fr != nil {
		return sameInteger(fg[1], fr[1]) && sameInteger(fg[2], fr[2]) && !sameInteger(fr[2], "0")
	}
	if isInteger(g) != isInteger(r) {
		return false
	}
	return equivalent(g, r)
}

// isInteger: the element is an integer written in decimal ("12", "-3",
// "1,000", "7.0").
func isInteger(s string) bool {
	v, ok := exactDecimal(removeThousands(s))
	return ok && v.IsInt()
}

// sameInteger compares two decimal integer literals by value ("007" and
// "7" are equal).
func sameInteger(a, b string) bool {
	x, okA := new(big.Int).SetString(a, 10)
	y, okB := new(big.Int).SetString(b, 10)
	return okA && okB && x.Cmp(y) == 0
}
