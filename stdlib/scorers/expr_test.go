package scorers

import (
	"strings"
	"testing"
)

// TestEquivalentAtTheBounds: each size limit of the evaluator accepts
// what is exactly at it and refuses what is past it.
func TestEquivalentAtTheBounds(t *testing.T) {
	long := strings.Repeat("1+", (maxExprLen-1)/2) + "1" // maxExprLen bytes
	digits := "1" + strings.Repeat("0", maxDigits-1)     // 10^(maxDigits-1)
	cases := []struct {
		a, b string
		want bool
	}{
		{long, "512", true},
		{long + "+0", "512", false}, // longer than maxExprLen
		{digits, "10^999", true},
		{"0+" + digits, "10^999", true},
		{digits + "0", "10^1000", false}, // a literal of more than maxDigits digits
		{"a+b+c", "c+b+a", true},
		{"a+b+c+d", "d+c+b+a", false}, // more than maxVars variables
		{"2^32766", "4^16383", true},  // 32,768 bits: exactly maxBits
		{"2^32767", "2*2^32766", false},
		{"1^2147483647", "1", true}, // a 31-bit exponent
		{"1^2147483648", "1", false},
		{"(-1)^2147483647", "-1", true},
		{"2^(1/12)", "sqrt(sqrt(2^(1/3)))", true}, // maxRootIndex
		{"2^(1/13)", "2^(1/13)", false},
		{"4^(1/2)", "2", true},
		{"4^(3/2)", "8", true},
		{"8^(-2/3)", "1/4", true},
		{"(1/8)^(1/3)", "0.5", true},
		{"(-8)^(1/3)", "-2", false}, // roots of negative numbers are refused
		{"sqrt(-4)", "2i", false},
		{"0^0", "1", true},
		{"0^3", "0", true},
		{"0^(-1)", "0^(-1)", false},
		{"(0*sqrt(2))^3", "0", true},
		{"(0*sqrt(2))^(-1)", "1", false},
		{"sqrt(0)", "0", true},
		{"(0*sqrt(2))^(1/3)", "0", true},
		{"sqrt(2)^524288", "sqrt(2)^262144*sqrt(2)^262144", true}, // float exponent 2^20 exactly
		{"sqrt(2)^524289", "sqrt(2)^524289", false},
		{"(sqrt(2)/8)^349525", "(sqrt(2)/8)^349525", true},
		{"(sqrt(2)/8)^349526", "(sqrt(2)/8)^349526", false},
		{"sqrt(2)^(-2)", "0.5", true},
		{"2^sqrt(2)", "2^sqrt(2)", false}, // an irrational exponent is refused
		{"1/(x-x)", "1/(x-x)", false},     // undefined at every point
		{"1/(x-3/7)", "1/(x-3/7)", true},  // undefined at one point only
		{"3^(1/3)*3^(2/3)", "3", true},
		{"2^3^2", "512", true}, // right-associative: 2^9, not 8^2
		{"10^(1/4)", "sqrt(sqrt(10))", true},
		{"7^(1/7)", "7^(1/7)*1", true},
		{"(2^100)^(1/4)", "2^25", true},
		{"(3/4)^(1/2)", "sqrt(3)/2", true},
		{"pi*2^(1/3)", "2^(1/3)*pi", true},
		{"pi+1e", "pi+e", true},
		{"2pi", "pi+pi", true},
		{"1/x", "1/y", false},
		{"1.5.2", "1.5", false},
		{".", "0", false},
		{"(1", "1", false},
		{"1)", "1", false},
		{"sqrt", "1", false},
	}
	for _, c := range cases {
		if got := equivalent(c.a, c.b); got != c.want {
			a, b := c.a, c.b
			if len(a) > 60 {
				a = a[:60] + "..."
			}
			t.Errorf("equivalent(%q, %q) = %v, want %v", a, b, got, c.want)
		}
	}
}
