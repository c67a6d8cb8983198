package scorers

import (
	"math/big"
	"strings"
	"testing"
)

// TestEquivalentAtTheBounds: each size limit of the evaluator accepts
// what is exactly at it and refuses what is past it.
func TestEquivalentAtTheBounds(t *testing.T) {
	if len(strings.Repeat("1+", maxExprLen/2-1)+"11") != maxExprLen {
		t.Fatal("the long expression is not maxExprLen bytes")
	}
	long := strings.Repeat("1+", maxExprLen/2-1) + "11" // maxExprLen bytes
	digits := "1" + strings.Repeat("0", maxDigits-1)    // 10^(maxDigits-1)
	cases := []struct {
		a, b string
		want bool
	}{
		{long, "522", true},
		{long + "0", "5220", false}, // longer than maxExprLen
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
		// Float exponents: up to ±maxFloatExp, and no further.
		{"sqrt(2)^524288*sqrt(2)^524288*sqrt(2)^524288/2*sqrt(2)^524288", "sqrt(2)^524288*sqrt(2)^524288*sqrt(2)^524288/2*sqrt(2)^524288", true},
		{"sqrt(2)^524288*sqrt(2)^524288*sqrt(2)^524288*sqrt(2)^524288", "sqrt(2)^524288*sqrt(2)^524288*sqrt(2)^524288*sqrt(2)^524288", false},
		{"(1/sqrt(2))^1048576*(1/sqrt(2))^1048576", "(1/sqrt(2))^1048576*(1/sqrt(2))^1048576", true}, // 2^-2^20, just under: exponent -2^20
		{"(1/sqrt(2))^1048576*(1/sqrt(2))^1048576/2", "(1/sqrt(2))^1048576*(1/sqrt(2))^1048576/2", false},
		{"(0*sqrt(2))^0", "1", true},
		{"sqrt(2)", "1", false},
		{"sqrt(5)", "2", false},
		{"(pi+1)*10^60", "pi*10^60+10^60", true},   // relative tolerance
		{"sqrt(3)*10^60*sqrt(3)", "3*10^60", true}, // off by about 10^-36: relatively 2^-320
		{"(pi+1)*10^60", "pi*10^60+10^60+10^40", false},
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

// TestIntRoot: exact integer roots of perfect powers, and nothing else.
func TestIntRoot(t *testing.T) {
	big2 := func(s string) *big.Int {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok {
			t.Fatalf("bad number %s", s)
		}
		return v
	}
	cases := []struct {
		x    string
		q    int
		root string
		ok   bool
	}{
		{"0", 3, "0", true},
		{"1", 5, "1", true},
		{"4", 2, "2", true},
		{"5", 2, "", false},
		{"27", 3, "3", true},
		{"28", 3, "", false},
		{"26", 3, "", false},
		{"1024", 10, "2", true},
		{"1025", 10, "", false},
		{new(big.Int).Lsh(big.NewInt(1), 300).String(), 12, "33554432", true},
		{new(big.Int).Exp(big.NewInt(12345), big.NewInt(7), nil).String(), 7, "12345", true},
		{new(big.Int).Add(new(big.Int).Exp(big.NewInt(12345), big.NewInt(7), nil), big.NewInt(1)).String(), 7, "", false},
		{new(big.Int).Exp(big.NewInt(999999937), big.NewInt(11), nil).String(), 11, "999999937", true},
	}
	for _, c := range cases {
		r, ok := intRoot(big2(c.x), c.q)
		if ok != c.ok || ok && r.String() != c.root {
			t.Errorf("intRoot(%.30s, %d) = %v, %v, want %s, %v", c.x, c.q, r, ok, c.root, c.ok)
		}
	}
}
