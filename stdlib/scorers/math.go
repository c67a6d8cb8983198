package scorers

import (
	"math"
	"strconv"
	"strings"
)

// LastBoxed returns the content of the last \boxed{...} (or \fbox{...})
// in s, with nested braces balanced.
func LastBoxed(s string) (string, bool) {
	brace := -1 // index of the marker's opening brace
	for _, marker := range []string{`\boxed{`, `\fbox{`} {
		if i := strings.LastIndex(s, marker); i >= 0 && i+len(marker)-1 > brace {
			brace = i + len(marker) - 1
		}
	}
	if brace < 0 {
		return "", false
	}
	inner, _, ok := braced(s, brace)
	return inner, ok
}

// ExtractMathAnswer reads the final answer from a model's response: the
// last \boxed{} when present, else the text after a final "answer is" /
// "answer:", else the whole response.
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

// MathEqual reports whether two answers are mathematically equal: both
// are normalised (NormalizeMath); if both then evaluate to numbers (with
// + - * / ^ and parentheses) the numbers are compared, otherwise the
// normalised strings.
func MathEqual(a, b string) bool {
	na, nb := NormalizeMath(a), NormalizeMath(b)
	if na == "" || nb == "" {
		return false
	}
	if na == nb {
		return true
	}
	va, okA := evalArith(na)
	vb, okB := evalArith(nb)
	return okA && okB && closeEnough(va, vb)
}

// latexReplacements rewrite LaTeX into plain arithmetic where possible.
var latexReplacements = strings.NewReplacer(
	`\left`, "", `\right`, "", `\!`, "", `\,`, "", `\;`, "", `\:`, "", `\ `, "",
	`\dfrac`, `\frac`, `\tfrac`, `\frac`, `\cdot`, "*", `\times`, "*", `\div`, "/",
	`^\circ`, "", `^{\circ}`, "", `\circ`, "", `\%`, "", "%", "", `\$`, "", "$", "",
	`\(`, "", `\)`, "", `\[`, "", `\]`, "", `\displaystyle`, "",
	"−", "-", "×", "*", "÷", "/",
)

// NormalizeMath normalises an answer for comparison: it strips \boxed{},
// dollar signs, \left/\right, spacing commands, degree and percent signs
// and \text{} wrappers, rewrites \frac{a}{b} (and \frac12) as (a)/(b)
// and \sqrt{x} as sqrt(x), removes thousands separators ("1,000"), a
// leading "x =", spaces and a trailing period, and lower-cases the rest.
func NormalizeMath(s string) string {
	s = strings.TrimSpace(s)
	if b, ok := LastBoxed(s); ok {
		s = b
	}
	s = latexReplacements.Replace(s)
	for _, cmd := range []string{`\text`, `\textbf`, `\mbox`, `\mathrm`, `\mathbf`} {
		s = unwrapCommand(s, cmd)
	}
	s = rewriteFrac(s)
	s = rewriteSqrt(s)
	s = strings.ReplaceAll(s, "{", "(")
	s = strings.ReplaceAll(s, "}", ")")
	s = strings.Join(strings.Fields(s), "")
	s = removeThousandsSeparators(s)
	// "x=5" -> "5" (a lone variable on the left).
	if i := strings.IndexByte(s, '='); i > 0 && i <= 2 && isLetters(s[:i]) {
		s = s[i+1:]
	}
	s = strings.TrimRight(s, ".")
	return strings.ToLower(s)
}

func isLetters(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

// braced reads "{...}" at s[i:], returning the content and the index
// after the closing brace.
func braced(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '{' {
		return "", i, false
	}
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[i+1 : j], j + 1, true
			}
		}
	}
	return "", i, false
}

// unwrapCommand replaces cmd{x} by x.
func unwrapCommand(s, cmd string) string {
	for {
		i := strings.Index(s, cmd+"{")
		if i < 0 {
			return s
		}
		inner, end, ok := braced(s, i+len(cmd))
		if !ok {
			return s
		}
		s = s[:i] + inner + s[end:]
	}
}

// fracArg reads one argument of \frac: a braced group or a single
// character (\frac12).
func fracArg(s string, i int) (string, int, bool) {
	if i < len(s) && s[i] == '{' {
		return braced(s, i)
	}
	if i < len(s) {
		return s[i : i+1], i + 1, true
	}
	return "", i, false
}

func rewriteFrac(s string) string {
	for {
		i := strings.Index(s, `\frac`)
		if i < 0 {
			return s
		}
		j := i + len(`\frac`)
		for j < len(s) && s[j] == ' ' {
			j++
		}
		num, j2, ok1 := fracArg(s, j)
		den, j3, ok2 := fracArg(s, j2)
		if !ok1 || !ok2 {
			return s
		}
		s = s[:i] + "(" + rewriteFrac(num) + ")/(" + rewriteFrac(den) + ")" + s[j3:]
	}
}

func rewriteSqrt(s string) string {
	for {
		i := strings.Index(s, `\sqrt`)
		if i < 0 {
			return s
		}
		arg, end, ok := fracArg(s, i+len(`\sqrt`))
		if !ok {
			return s
		}
		s = s[:i] + "sqrt(" + rewriteSqrt(arg) + ")" + s[end:]
	}
}

// removeThousandsSeparators drops commas between a digit and exactly
// three digits not followed by another digit ("12,345" but not "(1,2)").
func removeThousandsSeparators(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ',' && i > 0 && isDigit(s[i-1]) && i+3 < len(s) &&
			isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) &&
			(i+4 >= len(s) || !isDigit(s[i+4])) {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// evalArith evaluates numbers with + - * / ^, parentheses and sqrt().
// It fails on anything else (variables, sets, intervals).
func evalArith(s string) (float64, bool) {
	p := &arith{s: s}
	v, ok := p.expr()
	if !ok || p.i != len(p.s) || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

type arith struct {
	s string
	i int
}

func (p *arith) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *arith) expr() (float64, bool) {
	v, ok := p.term()
	for ok {
		switch p.peek() {
		case '+':
			p.i++
			var r float64
			r, ok = p.term()
			v += r
		case '-':
			p.i++
			var r float64
			r, ok = p.term()
			v -= r
		default:
			return v, true
		}
	}
	return 0, false
}

func (p *arith) term() (float64, bool) {
	v, ok := p.unary()
	for ok {
		switch p.peek() {
		case '*':
			p.i++
			var r float64
			r, ok = p.unary()
			v *= r
		case '/':
			p.i++
			var r float64
			r, ok = p.unary()
			if r == 0 {
				return 0, false
			}
			v /= r
		default:
			return v, true
		}
	}
	return 0, false
}

func (p *arith) unary() (float64, bool) {
	switch p.peek() {
	case '-':
		p.i++
		v, ok := p.unary()
		return -v, ok
	case '+':
		p.i++
		return p.unary()
	}
	return p.power()
}

func (p *arith) power() (float64, bool) {
	base, ok := p.atom()
	if !ok {
		return 0, false
	}
	if p.peek() == '^' {
		p.i++
		exp, ok := p.unary()
		if !ok {
			return 0, false
		}
		return math.Pow(base, exp), true
	}
	return base, true
}

func (p *arith) atom() (float64, bool) {
	if strings.HasPrefix(p.s[p.i:], "sqrt(") {
		p.i += len("sqrt")
		v, ok := p.atom()
		if !ok || v < 0 {
			return 0, false
		}
		return math.Sqrt(v), true
	}
	if p.peek() == '(' {
		p.i++
		v, ok := p.expr()
		if !ok || p.peek() != ')' {
			return 0, false
		}
		p.i++
		return v, true
	}
	start := p.i
	for p.i < len(p.s) && (isDigit(p.s[p.i]) || p.s[p.i] == '.') {
		p.i++
	}
	if start == p.i {
		return 0, false
	}
	v, err := strconv.ParseFloat(p.s[start:p.i], 64)
	return v, err == nil
}
