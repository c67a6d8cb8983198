package scorers

import "testing"

func TestScore(t *testing.T) {
	tests := []struct {
		scorer, pattern, response, reference string
		want                                 float64
	}{
		{ExactMatch, "", "  Paris ", "Paris", 1},
		{ExactMatch, "", "paris", "Paris", 0},
		{ExactMatch, "", "The  answer\nis 4", "The answer is 4", 1},
		{ExactMatch, `answer: (\w+)`, "so the answer: Paris.", "Paris", 1},
		{ExactMatch, `answer: (\w+)`, "no cue here Paris", "Paris", 0},
		{Contains, "", "I think it is Paris, France.", "Paris", 1},
		{Contains, "", "London", "Paris", 0},
		{Contains, "", "anything", "", 0},
		{Regex, `^\d+$`, "123", "", 1},
		{Regex, `^\d+$`, "12a", "", 0},
		{Regex, `is {answer}\b`, "the capital is St. Louis", "St. Louis", 1},
		{Regex, `is {answer}\b`, "the capital is StX Louis", "St. Louis", 0},
		{Numeric, "", "So 6 times 7 is 42.", "42", 1},
		{Numeric, "", "It costs $1,234.50 total", "1234.5", 1},
		{Numeric, "", "41", "42", 0},
		{Numeric, "", "no number", "42", 0},
		{Numeric, "", "The result: 18", "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs.\n#### 18", 1},
		{Numeric, "", "-3", "#### -3", 1},
		// The tolerance is 1e-6 relative: pinned from both sides (issue 17 gap 5).
		{Numeric, "", "1000.5", "1000", 0},
		{Numeric, "", "0.333", "0.3333333333333333", 0},
		{Numeric, "", "1000.0005", "1000", 1},
		{Numeric, "", "0.0000005", "0", 1},
		{Numeric, "", "0.000002", "0", 0},
		{Math, "", `The answer is \boxed{\frac{1}{2}}`, "0.5", 1},
		{Math, "", `\boxed{\dfrac12}`, `\frac{1}{2}`, 1},
		{Math, "", `\boxed{1,000}`, "1000", 1},
		{Math, "", `$x = 3$`, "3", 1},
		{Math, "", `\boxed{50\%}`, "50", 1},
		{Math, "", `\boxed{90^\circ}`, "90", 1},
		{Math, "", `\boxed{2\sqrt{2}}`, `\sqrt{8}`, 1},
		{Math, "", `\boxed{2*\sqrt{2}}`, `\sqrt{8}`, 1},
		{Math, "", `\boxed{\left( 1, 2 \right)}`, "(1,2)", 1},
		{Math, "", `\boxed{\text{Tuesday}}`, "tuesday", 1},
		{Math, "", `\boxed{3}`, "4", 0},
		{Math, "", "The answer is 7.", "#### 7", 1},
		{Math, "", `\boxed{}`, "0", 0},
		{Math, "", `\boxed{0.333}`, `\frac{1}{3}`, 0},
		{Math, "", `\boxed{1000.5}`, "1000", 0},
		{Math, "", `So \boxed{2} and then \boxed{3}`, "3", 1},
		{Math, "", "Janet makes 9 * 2 = 18 dollars.\n#### 18", "Janet sells 9 eggs.\n#### 18", 1},
	}
	for _, tt := range tests {
		s, err := New(tt.scorer, tt.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tt.scorer, err)
		}
		if got := s.Score(tt.response, tt.reference); got.Score != tt.want {
			t.Errorf("%s(%q, %q) = %v (extracted %q), want %v", tt.scorer, tt.response, tt.reference, got.Score, got.Extracted, tt.want)
		}
	}
}

func TestNewRejects(t *testing.T) {
	for _, c := range [][2]string{{"none", ""}, {"bleu", ""}, {Regex, ""}, {ExactMatch, "("}} {
		if _, err := New(c[0], c[1]); err == nil {
			t.Errorf("New(%q, %q) accepted", c[0], c[1])
		}
	}
}

// TestRegexReferenceThatBreaksThePattern: the pattern is checked with a
// probe answer, but a particular reference can still make it invalid; the
// response then scores 0 instead of crashing the stage.
func TestRegexReferenceThatBreaksThePattern(t *testing.T) {
	s, err := New(Regex, `[{answer}]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Score("abc", ""); got.Score != 0 {
		t.Fatalf("score %v, want 0", got.Score)
	}
	if got := s.Score("b", "abc"); got.Score != 1 || got.Extracted != "b" {
		t.Fatalf("score %+v, want 1 with \"b\" extracted", got)
	}
}

// FuzzScore: no scorer panics on any response, reference or pattern.
func FuzzScore(f *testing.F) {
	f.Add(`The answer is \boxed{\frac{1}{2}}`, "0.5", `answer: (\w+)`)
	f.Add("1,234", "#### 1234", "")
	f.Add(`\frac\frac12`, `\sqrt{`, `[{answer}]`)
	f.Add("((((-", "2^-", "{answer}{2}")
	f.Fuzz(func(t *testing.T, response, reference, pattern string) {
		for _, name := range []string{ExactMatch, Contains, Regex, Numeric, Math} {
			s, err := New(name, pattern)
			if err != nil {
				continue
			}
			r := s.Score(response, reference)
			if r.Score != 0 && r.Score != 1 {
				t.Fatalf("%s: score %v, want 0 or 1", name, r.Score)
			}
		}
	})
}
