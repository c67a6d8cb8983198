package scorers

import (
	"math/big"
	"strings"
)

// A small exact evaluator that stands in for the reference's sympy
// simplify(a - b) == 0 (../shared/reference/formats.md §4.4 step 7).
// Numbers are exact rationals (math/big) as long as the expression
// allows: + - * / and integer powers of rationals stay exact, and so do
// roots of perfect powers (\sqrt{8/18} = 2/3). Other roots and pi make
// the value a 320-bit float, and two such values are equal when they
// agree to 2^-200 relative. Expressions in up to three one-letter
// variables are compared at fixed points (exactly where the expression
// is rational): a randomised identity test, not a proof. Every step is
// bounded by construction (maxExprLen, maxDigits, maxBits,
// maxRootIndex), so no input makes it slow; recursion is at most
// maxExprLen deep.

const (
	// maxExprLen is the longest expression the evaluator reads.
	maxExprLen = 1024
	// maxDigits bounds the digits of one number literal.
	maxDigits = 1000
	// maxBits bounds the size (numerator plus denominator bits) of every
	// exact intermediate value, so 2^20000 is computed and 10^10^10 is not.
	maxBits = 1 << 15
	// maxRootIndex is the largest n of an n-th root (x^(1/n), \sqrt[n]x).
	maxRootIndex = 12
	// maxVars is how many distinct one-letter variables may appear.
	maxVars = 3
	// floatPrec is the precision of inexact values, in bits.
	floatPrec = 320
	// maxFloatExp bounds the binary exponent of inexact values.
	maxFloatExp = 1 << 20
)

// floatTolerance: inexact values are equal within 2^-200 relative.
var floatTolerance = new(big.Float).SetPrec(floatPrec).SetMantExp(big.NewFloat(1), -200)

// piDigits is pi to more digits than floatPrec holds.
const piDigits = "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651328230664709384460955058223172535940812848111745028410270193852110555964462294895493038196"

var piFloat, _, _ = big.ParseFloat(piDigits, 10, floatPrec, big.ToNearestEven)

// node is a parsed expression.
type node struct {
	op   byte // 'n' number, 'v' variable, 'p' pi, 'u' negate, 's' square root, or + - * / ^
	num  *big.Rat
	vari int // index into the variable list, for 'v'
	a, b *node
}

// exprParser reads the plain text that normalize produces: numbers,
// one-letter variables, pi, sqrt, + - * / ^, parentheses, implicit
// multiplication ("2x", "3sqrt(2)", "(x+1)(x-1)", "pir^2" = pi r^2).
type exprParser struct {
	s    string
	i    int
	vars *[]byte
	ok   bool
}

// parseExpr parses s, adding its variables to vars. It fails on anything
// it does not read (commas, relations, functions other than sqrt) and on
// words: an expression of letters alone ("no", "xy") is text, so "on" is
// not "no" although the product of o and n is.
func parseExpr(s string, vars *[]byte) (*node, bool) {
	if s == "" || len(s) > maxExprLen || len(s) > 1 && strings.IndexFunc(s, notLetter) < 0 || hasFunctionName(s) {
		return nil, false
	}
	p := &exprParser{s: s, vars: vars, ok: true}
	n := p.expr()
	if !p.ok || p.i != len(s) {
		return nil, false
	}
	return n, true
}

func notLetter(r rune) bool { return r > 0x7f || !isLetter(byte(r)) }

// functionNames are functions the evaluator does not know: read as
// products of letters, "sin2x" would equal "2sinx".
var functionNames = []string{"sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "arc",
	"max", "min", "gcd", "lcm", "mod", "det", "lim", "sum", "prod", "int", "binom", "choose",
	"floor", "ceil", "abs", "inf"}

func hasFunctionName(s string) bool {
	for _, f := range functionNames {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

func (p *exprParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *exprParser) fail() *node {
	p.ok = false
	return nil
}

func (p *exprParser) expr() *node {
	n := p.term()
	for p.ok {
		op := p.peek()
		if op != '+' && op != '-' {
			break
		}
		p.i++
		n = &node{op: op, a: n, b: p.term()}
	}
	return n
}

func (p *exprParser) term() *node {
	n := p.unary()
	for p.ok {
		switch c := p.peek(); {
		case c == '*' || c == '/':
			p.i++
			n = &node{op: c, a: n, b: p.unary()}
		case isDigit(c) || isLetter(c) || c == '(':
			n = &node{op: '*', a: n, b: p.power()}
		default:
			return n
		}
	}
	return n
}

func (p *exprParser) unary() *node {
	switch p.peek() {
	case '-':
		p.i++
		return &node{op: 'u', a: p.unary()}
	case '+':
		p.i++
		return p.unary()
	}
	return p.power()
}

func (p *exprParser) power() *node {
	base := p.atom()
	if p.ok && p.peek() == '^' {
		p.i++
		return &node{op: '^', a: base, b: p.unary()}
	}
	return base
}

func (p *exprParser) atom() *node {
	if !p.ok {
		return nil
	}
	c := p.peek()
	switch {
	case c == '(':
		p.i++
		n := p.expr()
		if !p.ok || p.peek() != ')' {
			return p.fail()
		}
		p.i++
		return n
	case isDigit(c) || c == '.':
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "pi"):
		p.i += 2
		return &node{op: 'p'}
	case strings.HasPrefix(p.s[p.i:], "sqrt"):
		p.i += 4
		return &node{op: 's', a: p.atom()}
	case isLetter(c):
		p.i++
		return p.variable(c)
	}
	return p.fail()
}

func (p *exprParser) number() *node {
	start, dot := p.i, false
	for p.i < len(p.s) && (isDigit(p.s[p.i]) || p.s[p.i] == '.' && !dot) {
		dot = dot || p.s[p.i] == '.'
		p.i++
	}
	lit := p.s[start:p.i]
	if lit == "." || p.i-start > maxDigits {
		return p.fail()
	}
	v, ok := new(big.Rat).SetString(strings.TrimSuffix(lit, "."))
	if !ok {
		return p.fail()
	}
	return &node{op: 'n', num: v}
}

func (p *exprParser) variable(c byte) *node {
	for i, v := range *p.vars {
		if v == c {
			return &node{op: 'v', vari: i}
		}
	}
	if len(*p.vars) == maxVars {
		return p.fail()
	}
	*p.vars = append(*p.vars, c)
	return &node{op: 'v', vari: len(*p.vars) - 1}
}

// value is an exact rational (r) or, when the expression leaves the
// rationals, a floatPrec-bit float (f).
type value struct {
	r *big.Rat
	f *big.Float
}

func exact(r *big.Rat) (value, bool) {
	if r.Num().BitLen()+r.Denom().BitLen() > maxBits {
		return value{}, false
	}
	return value{r: r}, true
}

func inexact(f *big.Float) (value, bool) {
	if f.IsInf() {
		return value{}, false
	}
	if f.Sign() != 0 {
		if e := f.MantExp(nil); e > maxFloatExp || e < -maxFloatExp {
			return value{}, false
		}
	}
	return value{f: f}, true
}

func newFloat() *big.Float { return new(big.Float).SetPrec(floatPrec) }

// float returns v as a float.
func (v value) float() *big.Float {
	if v.f != nil {
		return v.f
	}
	return newFloat().SetRat(v.r)
}

// eval evaluates n with the variables set to point. It fails on a
// division by zero, a root of a negative number, or a value past the
// bounds.
func eval(n *node, point []*big.Rat) (value, bool) {
	switch n.op {
	case 'n':
		return value{r: n.num}, true
	case 'v':
		return value{r: point[n.vari]}, true
	case 'p':
		return value{f: piFloat}, true
	}
	a, ok := eval(n.a, point)
	if !ok {
		return value{}, false
	}
	switch n.op {
	case 'u':
		if a.r != nil {
			return value{r: new(big.Rat).Neg(a.r)}, true
		}
		return value{f: newFloat().Neg(a.f)}, true
	case 's':
		return root(a, 2)
	}
	b, ok := eval(n.b, point)
	if !ok {
		return value{}, false
	}
	if n.op == '^' {
		return pow(a, b)
	}
	if n.op == '/' && (b.r != nil && b.r.Sign() == 0 || b.f != nil && b.f.Sign() == 0) {
		return value{}, false
	}
	if a.r != nil && b.r != nil {
		r := new(big.Rat)
		switch n.op {
		case '+':
			r.Add(a.r, b.r)
		case '-':
			r.Sub(a.r, b.r)
		case '*':
			r.Mul(a.r, b.r)
		case '/':
			r.Quo(a.r, b.r)
		}
		return exact(r)
	}
	f, x, y := newFloat(), a.float(), b.float()
	switch n.op {
	case '+':
		f.Add(x, y)
	case '-':
		f.Sub(x, y)
	case '*':
		f.Mul(x, y)
	case '/':
		f.Quo(x, y)
	}
	return inexact(f)
}

// pow computes a^b for an exact rational exponent b = p/q with q at most
// maxRootIndex; the result stays exact when a is exact and, for q > 1, a
// perfect q-th power.
func pow(a, b value) (value, bool) {
	if b.r == nil || b.r.Denom().Cmp(big.NewInt(maxRootIndex)) > 0 || b.r.Num().BitLen() > 31 {
		return value{}, false
	}
	q := int(b.r.Denom().Int64())
	p := b.r.Num().Int64()
	if q > 1 {
		var ok bool
		if a, ok = root(a, q); !ok {
			return value{}, false
		}
	}
	if a.r != nil {
		return powRat(a.r, p)
	}
	return powFloat(a.f, p)
}

func powRat(x *big.Rat, p int64) (value, bool) {
	if x.Sign() == 0 && p < 0 {
		return value{}, false // 1/0
	}
	n := p
	if n < 0 {
		n = -n
	}
	// (bits-1)*n bounds the result's size from below (so 1 and -1 to
	// any power pass) and bits*n from above; exact rejects a result
	// past maxBits.
	if int64(x.Num().BitLen()-1+x.Denom().BitLen()-1)*n > maxBits {
		return value{}, false
	}
	e := big.NewInt(n)
	num := new(big.Int).Exp(x.Num(), e, nil)
	den := new(big.Int).Exp(x.Denom(), e, nil)
	if p < 0 {
		num, den = den, num
	}
	return exact(new(big.Rat).SetFrac(num, den))
}

func powFloat(x *big.Float, p int64) (value, bool) {
	if x.Sign() == 0 && p < 0 {
		return value{}, false // 1/0
	}
	n := p
	if n < 0 {
		n = -n
	}
	e := int64(x.MantExp(nil))
	if e < 0 {
		e = -e
	}
	if (e+1)*n > maxFloatExp {
		return value{}, false
	}
	result, sq := newFloat().SetInt64(1), newFloat().Set(x)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			result.Mul(result, sq)
		}
		sq.Mul(sq, sq)
	}
	if p < 0 {
		result.Quo(newFloat().SetInt64(1), result)
	}
	return inexact(result)
}

// root computes the q-th root of a non-negative a: exact when a is an
// exact perfect q-th power, else a float.
func root(a value, q int) (value, bool) {
	if a.r != nil {
		if a.r.Sign() < 0 {
			return value{}, false
		}
		num, okN := intRoot(a.r.Num(), q)
		den, okD := intRoot(a.r.Denom(), q)
		if okN && okD {
			return value{r: new(big.Rat).SetFrac(num, den)}, true
		}
	}
	x := a.float()
	switch x.Sign() {
	case -1:
		return value{}, false
	case 0:
		return value{f: newFloat()}, true
	}
	if q == 2 {
		return inexact(newFloat().Sqrt(x))
	}
	// x = m·2^e = z·2^(qk) with z = m·2^r in [1/2, 2^q), so the root is
	// z^(1/q)·2^k with z^(1/q) in [0, 2): bisect for it.
	m := newFloat()
	e := x.MantExp(m)
	k, r := e/q, e%q
	if r < 0 {
		k, r = k-1, r+q
	}
	z := newFloat().SetMantExp(m, r)
	lo, hi := newFloat(), newFloat().SetInt64(2)
	for range floatPrec + 2 {
		mid := newFloat().Add(lo, hi)
		mid.SetMantExp(mid, -1)
		if p, _ := powFloat(mid, int64(q)); p.f.Cmp(z) > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return inexact(lo.SetMantExp(lo, k))
}

// intRoot returns the q-th root of x when x is a perfect q-th power.
func intRoot(x *big.Int, q int) (*big.Int, bool) {
	if x.Sign() == 0 {
		return new(big.Int), true
	}
	if q == 2 {
		r := new(big.Int).Sqrt(x)
		return r, new(big.Int).Mul(r, r).Cmp(x) == 0
	}
	// Integer Newton from above: r <- ((q-1)r + x/r^(q-1))/q decreases
	// to floor(x^(1/q)) in O(log bits) steps.
	bq := big.NewInt(int64(q))
	r := new(big.Int).Lsh(big.NewInt(1), uint((x.BitLen()+q-1)/q))
	for range 4 * maxBits {
		t := new(big.Int).Exp(r, big.NewInt(int64(q-1)), nil)
		t.Quo(x, t)
		t.Add(t, new(big.Int).Mul(big.NewInt(int64(q-1)), r))
		t.Quo(t, bq)
		if t.Cmp(r) >= 0 {
			break
		}
		r = t
	}
	return r, new(big.Int).Exp(r, bq, nil).Cmp(x) == 0
}

// samplePoints are the values given to the variables (one row per
// point, one column per variable): positive, so roots of variables are
// defined, and unlike any small answer.
var samplePoints = [][3]*big.Rat{
	{big.NewRat(3, 7), big.NewRat(11, 5), big.NewRat(5, 3)},
	{big.NewRat(17, 11), big.NewRat(2, 9), big.NewRat(7, 4)},
	{big.NewRat(13, 6), big.NewRat(19, 13), big.NewRat(5, 17)},
	{big.NewRat(23, 19), big.NewRat(29, 7), big.NewRat(31, 11)},
	{big.NewRat(41, 37), big.NewRat(3, 43), big.NewRat(47, 5)},
}

// equivalent reports whether the expressions a and b have the same
// value (at every sample point where both are defined, needing at least
// two such points when they have variables).
func equivalent(a, b string) bool {
	var vars []byte
	na, ok := parseExpr(a, &vars)
	if !ok {
		return false
	}
	nb, ok := parseExpr(b, &vars)
	if !ok {
		return false
	}
	points := samplePoints
	if len(vars) == 0 {
		points = points[:1]
	}
	agreed := 0
	for _, row := range points {
		pt := row[:]
		va, okA := eval(na, pt)
		vb, okB := eval(nb, pt)
		if !okA || !okB {
			continue
		}
		if !sameValue(va, vb) {
			return false
		}
		agreed++
	}
	return agreed >= min(2, len(points))
}

func sameValue(a, b value) bool {
	if a.r != nil && b.r != nil {
		return a.r.Cmp(b.r) == 0
	}
	x, y := a.float(), b.float()
	diff := newFloat().Sub(x, y)
	diff.Abs(diff)
	scale := newFloat().Abs(x)
	if ay := newFloat().Abs(y); ay.Cmp(scale) > 0 {
		scale = ay
	}
	if scale.Cmp(big.NewFloat(1)) < 0 {
		scale = newFloat().SetInt64(1)
	}
	return diff.Cmp(newFloat().Mul(scale, floatTolerance)) <= 0
}
