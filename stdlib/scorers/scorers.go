// Package scorers grades sampled answers against reference answers: the
// evaluate stage's scorers (exact_match, contains, regex, numeric, math)
// and the math grader that RL environments use (LastBoxed, HasBoxed,
// LastNumberText, GSM8KAnswer, GradeAnswer; SPEC.md §11 "The math
// grader").
package scorers

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Scorer names.
const (
	None       = "none"
	ExactMatch = "exact_match"
	Contains   = "contains"
	Regex      = "regex"
	Numeric    = "numeric"
	Math       = "math"
)

// Names lists the scorers: the enum of evaluate's scorer input.
var Names = []string{None, ExactMatch, Contains, Regex, Numeric, Math}

// AnswerPlaceholder in a regex scorer's pattern stands for the reference
// answer, quoted as a literal.
const AnswerPlaceholder = "{answer}"

// Scorer grades responses.
type Scorer struct {
	name    string
	pattern string
	re      *regexp.Regexp // compiled pattern (nil when none, or when it uses the placeholder)
}

// Result is one graded response.
type Result struct {
	// Score is 1 for a correct answer and 0 otherwise.
	Score float64 `json:"score"`
	// Extracted is the answer the scorer read from the response.
	Extracted string `json:"extracted"`
}

// New returns a scorer. pattern is optional except for "regex": for regex
// the response must match it (with {answer} replaced by the quoted
// reference); for the other scorers its first group (or whole match)
// extracts the answer from the response.
func New(name, pattern string) (*Scorer, error) {
	switch name {
	case ExactMatch, Contains, Regex, Numeric, Math:
	case None, "":
		return nil, fmt.Errorf("scorer %q grades nothing", name)
	default:
		return nil, fmt.Errorf("unknown scorer %q (want exact_match, contains, regex, numeric or math)", name)
	}
	s := &Scorer{name: name, pattern: pattern}
	if name == Regex && pattern == "" {
		return nil, fmt.Errorf("scorer regex needs answer_pattern")
	}
	if pattern != "" {
		probe := strings.ReplaceAll(pattern, AnswerPlaceholder, "x")
		re, err := regexp.Compile(probe)
		if err != nil {
			return nil, fmt.Errorf("answer_pattern: %w", err)
		}
		if !strings.Contains(pattern, AnswerPlaceholder) {
			s.re = re
		}
	}
	return s, nil
}

// Name returns the scorer's name.
func (s *Scorer) Name() string { return s.name }

// Score grades response against reference.
func (s *Scorer) Score(response, reference string) Result {
	if s.name == Regex {
		re := s.re
		if re == nil {
			// The pattern compiled with a probe in place of {answer}, but
			// a particular reference can still break it (an empty one
			// turns "[{answer}]" into "[]"): such a response cannot match.
			var err error
			re, err = regexp.Compile(strings.ReplaceAll(s.pattern, AnswerPlaceholder, regexp.QuoteMeta(strings.TrimSpace(reference))))
			if err != nil {
				return Result{}
			}
		}
		loc := re.FindStringIndex(response)
		if loc == nil {
			return Result{}
		}
		return Result{Score: 1, Extracted: response[loc[0]:loc[1]]}
	}
	answer := response
	if s.re != nil {
		m := s.re.FindStringSubmatch(response)
		switch {
		case m == nil:
			return Result{}
		case len(m) > 1:
			answer = m[1]
		default:
			answer = m[0]
		}
	}
	switch s.name {
	case ExactMatch:
		a := collapse(answer)
		return Result{Score: boolScore(a == collapse(reference)), Extracted: a}
	case Contains:
		ref := collapse(reference)
		return Result{Score: boolScore(ref != "" && strings.Contains(collapse(answer), ref)), Extracted: collapse(answer)}
	case Numeric:
		got, ok := LastNumber(answer)
		if !ok {
			return Result{Extracted: ""}
		}
		want, ok := LastNumber(referenceAnswer(reference))
		return Result{Score: boolScore(ok && closeEnough(got, want)), Extracted: strconv.FormatFloat(got, 'f', -1, 64)}
	default: // Math
		a := ExtractMathAnswer(answer)
		return Result{Score: boolScore(GradeAnswer(a, referenceAnswer(reference))), Extracted: a}
	}
}

func boolScore(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collapse trims and collapses runs of whitespace.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// referenceAnswer reads the final answer of a reference: the text after
// GSM8K's "####" marker when present, else the last \boxed{} content,
// else the whole reference.
func referenceAnswer(ref string) string {
	if i := strings.LastIndex(ref, "####"); i >= 0 {
		return strings.TrimSpace(ref[i+4:])
	}
	if b, ok := LastBoxed(ref); ok {
		return b
	}
	return strings.TrimSpace(ref)
}

// LastNumber returns the last number written in s ("1,234.5" reads as
// 1234.5; a trailing sentence period is ignored).
func LastNumber(s string) (float64, bool) {
	text, ok := LastNumberText(s)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(text, 64)
	return v, err == nil
}

// closeEnough is the numeric scorer's equality: relative tolerance 1e-6
// (absolute below 1), so 1000.5 is not 1000 and 0.333 is not 1/3.
func closeEnough(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b))
}
