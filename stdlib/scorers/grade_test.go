package scorers

import (
	"strings"
	"testing"
)

// gradeCases are (given, reference, verdict) triples in the answer styles
// of MATH (LaTeX, boxed contents) and GSM8K (plain numbers), grouped by
// the rule that decides them (../shared/reference/formats.md §4.4).
var gradeCases = []struct {
	given, reference string
	want             bool
}{
	// The reference's own cases (math_env_test.py, formats.md §4.4).
	{"42", "42", true},
	{"43", "42", false},
	{`\frac{1}{2}`, "0.5", true},
	{`\frac{3}{4}`, "0.75", true},
	{"5.0", "5", true},
	{"5.1", "5", false},
	{`\frac{2}{4}`, `\frac{1}{2}`, false}, // fractions are not reduced
	{"(1, 2)", "(1, 2)", true},
	{"(1, 2)", "(2, 1)", false},
	{`\text{yes}`, "yes", true},

	// Integers: exact, however long; an integer needs an integer.
	{"0", "0", true},
	{"-7", "-7", true},
	{"-7", "7", false},
	{"+7", "7", true},
	{"007", "7", true},
	{"7.000", "7", true},
	{"7.0000001", "7", false},
	{"4.99999999", "5", false}, // the reference rounds within 1e-7; we do not
	{"123456789012345678901234567890", "123456789012345678901234567890", true},
	{"123456789012345678901234567891", "123456789012345678901234567890", false},
	{"1,000", "1000", true},
	{"1,000,000", "1000000", true},
	{"1{,}000", "1000", true},
	{`1,\!000`, "1000", true},
	{"1000", "1,000", true},
	{"10/2", "5", false}, // an integer reference needs an integer
	{`\sqrt{4}`, "2", false},
	{"2^{10}", "1024", false},
	{"1024", "1024.", true},
	{"3 million", "3000000", true},
	{"2 billion", "2000000000", true},

	// Fractions and decimals: exact rationals.
	{"0.5", `\frac12`, true},
	{"0.50", `\frac{1}{2}`, true},
	{".5", `\frac{1}{2}`, true},
	{`\dfrac{1}{2}`, `\frac{1}{2}`, true},
	{`\tfrac{1}{2}`, `\frac{1}{2}`, true},
	{`\frac12`, `\frac{1}{2}`, true},
	{"1/2", `\frac{1}{2}`, true},
	{`-\frac{1}{2}`, `\frac{-1}{2}`, true},
	{`-\frac{1}{2}`, "-0.5", true},
	{`\frac{1}{2}`, "-0.5", false},
	{"0.333", `\frac{1}{3}`, false},
	{"0.3333333333", `\frac{1}{3}`, false},
	{"0.333", "1/3", false},
	{`\frac{1}{3}`, `\frac{1}{3}`, true},
	{`\frac{4}{8}`, "0.5", true}, // not both fractions: compared by value
	{`\frac{3}{9}`, `\frac{1}{3}`, false},
	{"0.125", `\frac{1}{8}`, true},
	{"0.12", `\frac{1}{8}`, false},
	{"1.25", `\frac{5}{4}`, true},
	{`1\frac{1}{4}`, `\frac{5}{4}`, true}, // a mixed number
	{`7\frac{3}{4}`, "7.75", true},
	{"2.5", "2.50", true},
	{"2.5", "2.05", false},
	{"3.14", `\pi`, false},
	{"1000.5", "1000", false},
	{`\frac{22}{7}`, `\pi`, false},
	{`\frac{100}{3}`, "33.3", false},
	{`\frac{-3}{4}`, "-0.75", true},
	{`\frac{3}{-4}`, "-0.75", true},
	{`\frac{1}{0}`, "0", false},
	{`\frac{0}{5}`, "0", false},

	// The mathd normalisation: LaTeX decorations, units, degrees.
	{`\left(3\right)`, "3", true},
	{`90^\circ`, "90", true},
	{`90^{\circ}`, "90", true},
	{"90°", "90", true},
	{`50\%`, "50", true},
	{"50%", "50", true},
	{`\$18.90`, "18.90", true},
	{"$18.90$", "18.9", true},
	{`5\text{ cm}`, "5", true},
	{`5 \text{ inches}`, "5", true},
	{`12\text{ cm}^2`, "12", true},
	{`12\mbox{ cm}`, "12", true},
	{`12\mbox{ cm}^2`, "12", false}, // as in the reference: the unit's power is left behind
	{"2.5 million", "2500000", true},
	{"2.5 million", "250000", false},
	{"12 cm", "12", true},
	{"3 hours", "3", true},
	{"6 feet", "6", true},
	{"10 meters", "10", true},
	{`x = 3`, "3", true},
	{`k=-2`, "-2", true},
	{"$x = 3$", "3", true},
	{`\text{(A)}`, "(A)", true},
	{`\textbf{(C)}`, `\text{(C)}`, true},
	{`\text{(B)}`, `\text{(C)}`, false},
	{`\text{Tuesday}`, "tuesday", true},
	{`\text{Monday}`, "Tuesday", false},
	{"Evelyn", `\text{Evelyn}`, true},
	{"yes", "no", false},
	{`\sqrt2`, `\sqrt{2}`, true},
	{`\sqrt{2}`, "1.41421356", false},
	{`\sqrt{2}`, "1.4142135623730950488016887242097", false},
	{`\sqrt{3}`, `\sqrt{2}`, false},

	// Roots and pi: equal values, different forms.
	{`2\sqrt{2}`, `\sqrt{8}`, true},
	{`\sqrt{8}`, `2\sqrt{2}`, true},
	{`\frac{\sqrt{3}}{2}`, `\frac{1}{2}\sqrt{3}`, true},
	{`\frac{\sqrt{2}}{2}`, `\frac{1}{\sqrt{2}}`, true},
	{`\frac{\sqrt{3}}{3}`, `\frac{1}{\sqrt{3}}`, true},
	{`3\sqrt{2}`, `\sqrt{18}`, true},
	{`3\sqrt{2}`, `\sqrt{19}`, false},
	{`\sqrt{\frac{4}{9}}`, `\frac{2}{3}`, true},
	{`\sqrt[3]{8}`, "2", false}, // an integer reference needs an integer
	{`\sqrt[3]{27}`, `\sqrt{9}`, true},
	{`\sqrt[3]{2}`, `2^{1/3}`, true},
	{`2^{1/2}`, `\sqrt{2}`, true},
	{`4^{-1/2}`, "0.5", true},
	{`\sqrt{12}`, `2\sqrt{3}`, true},
	{`5+\sqrt{3}`, `\sqrt{3}+5`, true},
	{`5-\sqrt{3}`, `\sqrt{3}-5`, false},
	{`2\pi`, `\pi \cdot 2`, true},
	{`4\pi`, `2\pi`, false},
	{`\frac{\pi}{2}`, `0.5\pi`, true},
	{`\frac{\pi}{3}`, `60`, false},
	{`6\pi`, `6 \pi \text{ cm}`, true},
	{`\pi r^2`, `r^2\pi`, true},
	{`\frac{9\pi}{4}`, `2.25\pi`, true},
	{`\frac{1+\sqrt{5}}{2}`, `\frac{\sqrt{5}+1}{2}`, true},
	{`\frac{1-\sqrt{5}}{2}`, `\frac{\sqrt{5}+1}{2}`, false},

	// Simple algebra: the same expression in another form.
	{"2x+2", "2(x+1)", true},
	{"2x+1", "2(x+1)", false},
	{"x^2-1", "(x-1)(x+1)", true},
	{"x^2+1", "(x-1)(x+1)", false},
	{"(x+1)^2", "x^2+2x+1", true},
	{"(x+1)^2", "x^2+x+1", false},
	{`\frac{x}{2}`, "0.5x", true},
	{`\frac{x+1}{x}`, `1+\frac{1}{x}`, true},
	{"a+b", "b+a", true},
	{"a-b", "b-a", false},
	{"3a^2b", "3ba^2", true},
	{"x^3", "x^2", false},
	{`y = 2x + 3`, "2x+3", true},
	{"2x+3", "3+2x", true},
	{`\frac{x^2-1}{x-1}`, "x+1", true},
	{"6x^2+5x-6", "(2x+3)(3x-2)", true},
	{"6x^2+5x-6", "(2x-3)(3x+2)", false},
	{`\sqrt{x^2}`, "x", true}, // the sample points are positive
	{"2xy", "2yx", true},
	{"xy", "yx", false}, // letters alone are a word
	{"no", "on", false},
	{`\sin 2x`, `2\sin x`, false}, // sin is not a product of letters
	{`\log_2 8`, "3", false},
	{"tuesday", "wednesday", false},

	// Tuples, intervals, lists: element by element, brackets must agree.
	{"(1,2)", "(1, 2)", true},
	{`\left(1, 2\right)`, "(1,2)", true},
	{"(1,2)", "[1,2]", false},
	{"[0,1)", "[0, 1)", true},
	{"[0,1)", "[0,1]", false},
	{`(-\infty, 3]`, `(-\infty,3]`, true},
	{`(-\infty, 3)`, `(-\infty,3]`, false},
	{`(\frac{1}{2}, 3)`, "(0.5, 3)", true},
	{"(0.5, 3)", `\left(\frac12,3\right)`, true},
	{"(1,2,3)", "(1,2)", false},
	{"(3, -1)", "(3,-1)", true},
	{"(-1, 3)", "(3,-1)", false},
	{"(2, 4)", `(2, \sqrt{16})`, false}, // an integer needs an integer
	{`(\sqrt{2}, 1)`, `(\sqrt{2}, 1)`, true},
	{`(2\sqrt{2}, 1)`, `(\sqrt{8}, 1)`, true},
	{"(1,000, 2)", "(1000,2)", true},
	{"1, 2", "1,2", true},

	// GSM8K answer styles: plain numbers after "####".
	{"18", "18", true},
	{"18.00", "18", true},
	{"$18", "18", true},
	{`\$18`, "18", true},
	{"18 dollars", "18", false},
	{"-3", "-3", true},
	{"3", "-3", false},
	{"70,000", "70000", true},
	{"70000", "70,000", true},
	{"0.25", "0.25", true},
	{"1/4", "0.25", true},
	{"25%", "25", true},
	{"25", "0.25", false},
	{"460", "46", false},
	{"5", "5.5", false},

	// Things that are not answers.
	{"", "0", false},
	{"   ", "0", false},
	{"5", "", false},
	{`\frac`, `\frac`, true},
	{`\frac`, "1", false},
	{"(", ")", false},
	{"2^{", "2", false},
	{"x^{-}", "1", false},
	{"inf", "inf", true},
}

func TestGradeAnswer(t *testing.T) {
	if len(gradeCases) < 150 {
		t.Fatalf("%d grading cases; issue 12 asks for at least 150", len(gradeCases))
	}
	for _, c := range gradeCases {
		if got := GradeAnswer(c.given, c.reference); got != c.want {
			t.Errorf("GradeAnswer(%q, %q) = %v, want %v (normalised %q and %q)", c.given, c.reference, got, c.want, normalize(c.given), normalize(c.reference))
		}
	}
}

// TestGradeAnswerSymmetric: swapping the answer and the reference gives
// the same verdict where the rules are symmetric (every case except
// those where one side is an integer and the other is not, and the
// empty side).
func TestGradeAnswerSymmetric(t *testing.T) {
	for _, c := range gradeCases {
		if strings.TrimSpace(c.given) == "" || strings.TrimSpace(c.reference) == "" {
			continue
		}
		if got := GradeAnswer(c.reference, c.given); got != c.want {
			t.Errorf("GradeAnswer(%q, %q) = %v, want %v like the other way round", c.reference, c.given, got, c.want)
		}
	}
}

// TestGradeAnswerEdges: the length cap, brackets that are not a tuple,
// and fractions whose integers are written differently.
func TestGradeAnswerEdges(t *testing.T) {
	atCap := `\text{` + strings.Repeat("a", maxAnswerLen-7) + "}" // normalised: at the cap
	pastCap := strings.Repeat("1", maxAnswerLen+1)
	cases := []struct {
		given, reference string
		want             bool
	}{
		{atCap, strings.Repeat("a", maxAnswerLen-7), true},
		{strings.Repeat("a", maxAnswerLen-7), atCap, true},
		{pastCap, pastCap, true}, // past it, only identical answers
		{pastCap, pastCap + " ", true},
		{pastCap + "1", pastCap, false},
		{pastCap, pastCap[:len(pastCap)-1] + "2", false},
		{"[]", "()", false},
		{"()", "()", true},
		{"01/2", "1/2", true},
		{"-1/2", "1/-2", true}, // not both fractions as written: equal values
		{"1/0", "1/0", true},
		{"2/0", "1/0", false},
	}
	for _, c := range cases {
		if got := GradeAnswer(c.given, c.reference); got != c.want {
			t.Errorf("GradeAnswer(%.20q..., %.20q...) = %v, want %v", c.given, c.reference, got, c.want)
		}
	}
}
