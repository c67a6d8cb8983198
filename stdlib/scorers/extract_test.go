package scorers

import (
	"errors"
	"testing"
)

func TestLastBoxed(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{`\boxed{3}`, "3", true},
		// An intermediate result is boxed first, the answer last (issue 17 gap 2).
		{`First \boxed{12} apples, so the answer is \boxed{7}.`, "7", true},
		{`\boxed{\frac{1}{2}} then \boxed{\frac{3}{4}}`, `\frac{3}{4}`, true},
		// Nested boxes: the outer one closes last.
		{`\boxed{\boxed{1}+1}`, `\boxed{1}+1`, true},
		{`\boxed{\frac{\sqrt{2}}{2}}`, `\frac{\sqrt{2}}{2}`, true},
		{`\boxed{}`, "", true},
		{`\fbox{5}`, "5", true},
		{`\boxed{1} and \fbox{2}`, "2", true},
		// A stray closing brace does not hide the box (the reference fails).
		{`} oops \boxed{4}`, "4", true},
		// A box that never closes is not an answer; an earlier closed one is.
		{`\boxed{2} and \boxed{3`, "2", true},
		{`\boxed{3`, "", false},
		{`\boxed 7`, "7", true},
		{`\boxed 7 or \boxed 8`, "8", true},
		{`\boxed{5} then \boxed 9`, "5", true}, // a braced box wins over the bare form
		{`no box here: 42`, "", false},
		{`\boxedx{3}`, "", false},
		{`{\boxed{6}}`, "6", true},
	}
	for _, tt := range tests {
		got, ok := LastBoxed(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LastBoxed(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if HasBoxed(tt.in) != tt.ok {
			t.Errorf("HasBoxed(%q) = %v, want %v", tt.in, !tt.ok, tt.ok)
		}
	}
}

func TestGSM8KAnswer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"She makes 9 * 2 = $<<9*2=18>>18 every day.\n#### 18", "18"},
		{"so 1,000 + 200\n#### 1,200", "1200"},
		{"#### -3", "-3"},
		{"####: 5", "5"},
		{"#### 12\n", "12"},
		{"first #### 1\nthen\n#### 2", "2"},
		{"The total is #### 99 dollars.", "99 dollars."},
		{"#### 1,450,000", "1450000"},
	}
	for _, tt := range tests {
		got, err := GSM8KAnswer(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("GSM8KAnswer(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := GSM8KAnswer("no marker, 42"); !errors.Is(err, ErrNoGSM8KAnswer) {
		t.Errorf("GSM8KAnswer without #### = %v, want ErrNoGSM8KAnswer", err)
	}
}

func TestLastNumberText(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"What is 4 + 5? 9", "9", true},
		{"It costs $1,234.50.", "1234.50", true},
		{"from -3 to -7", "-7", true},
		{"a .5 chance", ".5", true},
		{"12 apples and 3 pears; 15 in all", "15", true},
		{"none", "", false},
	}
	for _, tt := range tests {
		got, ok := LastNumberText(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LastNumberText(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestMathScorerGradesTheLastBox: the math scorer reads the last box of
// a response that boxes an intermediate result first (issue 17 gap 2: a
// scorer taking the first box passed every other test).
func TestMathScorerGradesTheLastBox(t *testing.T) {
	s, err := New(Math, "")
	if err != nil {
		t.Fatal(err)
	}
	response := `Half of 24 is \boxed{12}; adding 3 gives \boxed{15}.`
	if got := s.Score(response, "15"); got.Score != 1 || got.Extracted != "15" {
		t.Errorf("Score = %+v, want 1 with 15 extracted", got)
	}
	if got := s.Score(response, "12"); got.Score != 0 {
		t.Errorf("the intermediate box was graded: %+v", got)
	}
}

// TestExtractionCuesAtTheStart: cues and markers count at position 0.
func TestExtractionCuesAtTheStart(t *testing.T) {
	for in, want := range map[string]string{
		"Answer: 5":      "5",
		"answer is 7":    "7",
		"#### 9":         "9",
		"no cue, just 3": "no cue, just 3",
	} {
		if got := ExtractMathAnswer(in); got != want {
			t.Errorf("ExtractMathAnswer(%q) = %q, want %q", in, got, want)
		}
	}
	if got, err := GSM8KAnswer("####\n5"); err != nil || got != "" {
		t.Errorf("GSM8KAnswer with nothing after #### on its line = %q, %v, want \"\"", got, err)
	}
}
