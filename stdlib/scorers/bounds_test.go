package scorers

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// gradeTimeBound is how long any one grading call may take. The work is
// bounded by construction (size limits, no search) and each call here
// takes well under a second; this generous wall-clock bound only catches
// a change that makes some input blow up (a hang, an exponential
// computation), and holds on a machine loaded by other tests.
const gradeTimeBound = 5 * time.Second

// adversarial are inputs built to make a grader slow: huge powers,
// towers, deep nesting, long strings, long digit runs, many roots.
func adversarial() []string {
	return []string{
		"10^10^10",
		"10^{10^{10}}",
		"2^{2^{2^{2^{2^{2}}}}}",
		"9^{9^{9}}",
		"(10^1000)^(10^1000)",
		"2^{32768}",
		"2^{100000}-2^{100000}",
		strings.Repeat("2^", 500) + "2",
		strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		strings.Repeat("{", 5000) + "1" + strings.Repeat("}", 5000),
		strings.Repeat(`\frac{`, 2000) + "1",
		strings.Repeat(`\frac{1}{`, 600) + "2" + strings.Repeat("}", 600),
		strings.Repeat(`\sqrt{`, 600) + "2" + strings.Repeat("}", 600),
		strings.Repeat(`\sqrt[11]{`, 300) + "3" + strings.Repeat("}", 300),
		strings.Repeat("9", 100000),
		strings.Repeat("9", 999) + "^" + strings.Repeat("9", 999),
		"1." + strings.Repeat("0", 5000) + "1",
		strings.Repeat("x", 4000),
		strings.Repeat("x*", 500) + "x",
		strings.Repeat("(x+1)", 300),
		strings.Repeat("(x+y+z)^12", 80),
		strings.Repeat("(2^32767)", 30),
		strings.Repeat("2^32000*", 120) + "1",
		strings.Repeat("sqrt(2)^9999*", 70) + "1",
		strings.Repeat("pi^30000", 30),
		"(" + strings.Repeat("1,", 3000) + "1)",
		strings.Repeat(`\boxed{`, 10000),
		strings.Repeat(`\left(`, 3000) + strings.Repeat(`\right)`, 3000),
		strings.Repeat("1,000", 3000),
		strings.Repeat(`\text{ `, 3000),
		strings.Repeat("- ", 20000) + "1",
		strings.Repeat("^{", 3000) + "2",
		strings.Repeat("7 ", 5000),
		strings.Repeat(" million", 2000),
		"3^2147483647",
		"3^2147483647-3^2147483647",
		"sqrt(3)^2147483647",
		"(1/3)^2147483647",
		"0.5^-32767",
		"(1/3)^30000",
		"(" + strings.Repeat("9", 900) + "/7)^(11/12)",
	}
}

// TestGradeIsBoundedOnAdversarialInputs grades every adversarial input
// against itself, against each of a few references, and inside a
// response, each call within gradeTimeBound.
func TestGradeIsBoundedOnAdversarialInputs(t *testing.T) {
	refs := []string{"1", "2", `\sqrt{2}`, "x", "(1,2)"}
	for _, in := range adversarial() {
		name := in
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		timed(t, name, func() { GradeAnswer(in, in) })
		for _, ref := range refs {
			timed(t, name, func() { GradeAnswer(in, ref) })
			timed(t, name, func() { GradeAnswer(ref, in) })
		}
		timed(t, name, func() {
			s, _ := New(Math, "")
			s.Score(`\boxed{`+in+"}", "1")
		})
	}
}

// TestHugeResponsesAreBounded: extraction reads responses far longer
// than any answer in linear time.
func TestHugeResponsesAreBounded(t *testing.T) {
	long := strings.Repeat(`step \boxed{1} {{ }} 12,345 `, 40000) // about 1 MB
	timed(t, "LastBoxed", func() { LastBoxed(long) })
	timed(t, "LastNumberText", func() { LastNumberText(long) })
	timed(t, "GSM8KAnswer", func() { _, _ = GSM8KAnswer(long + "#### 5") })
	timed(t, "math scorer", func() {
		s, _ := New(Math, "")
		s.Score(long, "1")
	})
}

// TestEvaluatorRefusesWhatItCannotBound: values past the size limits are
// not computed (so equal-looking towers are not equal unless written
// identically), while large values within them are exact.
func TestEvaluatorRefusesWhatItCannotBound(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"2^{20000}", "4^{10000}", true},
		{"2^{20000}+1", "4^{10000}", false},
		{"10^10^10", "10^{10^{10}}", false}, // refused on both sides: not computed
		{"10^10^10", "10^10^10", true},      // identical strings need no arithmetic
		{"(1/3)^3", "1/27", true},
		{"2^{-3}", "0.125", true},
		{"0^{-1}", "0^{-1}", true},
		{"0^{-1}", "1/0", false},
	} {
		if got := GradeAnswer(c.a, c.b); got != c.want {
			t.Errorf("GradeAnswer(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// timed runs f and fails the test when it has not returned within
// gradeTimeBound. A call that never returns is reported too (and left
// running: the test fails anyway).
func timed(t *testing.T, name string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(gradeTimeBound)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s: still running after %v", name, gradeTimeBound)
	}
}

// FuzzGradeAnswer: no input panics or takes longer than gradeTimeBound,
// the verdict is the same twice (no clock or randomness) and the same
// with the sides swapped (every rule is symmetric). The seed corpus (the
// grading cases and the adversarial inputs) runs in every go test.
func FuzzGradeAnswer(f *testing.F) {
	for _, c := range gradeCases {
		f.Add(c.given, c.reference)
	}
	for _, in := range adversarial() {
		if len(in) < 2000 {
			f.Add(in, "1")
		}
	}
	f.Fuzz(func(t *testing.T, given, reference string) {
		var first, second, swapped bool
		timed(t, fmt.Sprintf("GradeAnswer(%q, %q)", given, reference), func() {
			first = GradeAnswer(given, reference)
			second = GradeAnswer(given, reference)
			swapped = GradeAnswer(reference, given)
		})
		if first != second {
			t.Fatalf("GradeAnswer(%q, %q) is not deterministic", given, reference)
		}
		if first != swapped {
			t.Fatalf("GradeAnswer(%q, %q) = %v but %v with the sides swapped", given, reference, first, swapped)
		}
		timed(t, "LastBoxed", func() { _, _ = LastBoxed(given + reference) })
	})
}
