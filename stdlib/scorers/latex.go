package scorers

import "strings"

// latexToText turns the LaTeX of an answer into the plain text that the
// comparison and the evaluator read, where the reference uses pylatexenc
// (../shared/reference/formats.md §4.3 step 10): \frac{a}{b} -> a/b
// (or (a)/(b) when an argument is not a single number or letter),
// \sqrt{x} -> sqrt(x), \sqrt[n]{x} -> (x)^(1/(n)), x^{ab} -> x^(ab),
// \text{x} and the like -> x, \pi -> pi, \infty -> inf, \cdot and
// \times -> *, spacing commands dropped, \left and \right dropped; any
// other command keeps its name without the backslash. An integer
// fraction right after a digit is a mixed number ("7\frac34" -> "7 3/4",
// which normalize then reads as 7+3/4), as in the reference.
func latexToText(s string) string {
	var b strings.Builder
	c := converter{out: &b}
	c.convert(s)
	return b.String()
}

type converter struct{ out *strings.Builder }

var wrapperCommands = map[string]bool{
	"text": true, "textbf": true, "textit": true, "textrm": true, "mbox": true, "mathrm": true,
	"mathbf": true, "mathit": true, "operatorname": true, "boxed": true, "fbox": true,
}

var symbolCommands = map[string]string{
	"pi": "pi", "infty": "inf", "cup": "U", "cdot": "*", "times": "*", "div": "/",
	"circ": "", "displaystyle": "", "left": "", "right": "", "quad": " ", "qquad": " ",
	"le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "neq": "!=", "ne": "!=", "pm": "+-",
	"cdots": "...", "ldots": "...", "dots": "...",
}

// convert writes the text of s. Each nested group is converted on its
// own, so an input of n bytes costs at most n times its nesting depth
// (GradeAnswer caps n at maxAnswerLen).
func (c converter) convert(s string) {
	for i := 0; i < len(s); {
		switch s[i] {
		case '\\':
			i = c.command(s, i)
		case '^':
			if i+1 < len(s) && s[i+1] == '{' {
				if inner, end, ok := braced(s, i+1); ok {
					c.out.WriteString(wrapIfLong("^", c.text(inner)))
					i = end
					continue
				}
			}
			c.out.WriteByte('^')
			i++
		default:
			c.out.WriteByte(s[i])
			i++
		}
	}
}

// text converts s on its own.
func (c converter) text(s string) string {
	var b strings.Builder
	converter{out: &b}.convert(s)
	return b.String()
}

// command converts the command starting at s[i] ('\\') and returns the
// index after it and its arguments.
func (c converter) command(s string, i int) int {
	j := i + 1
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	if j == i+1 { // a one-character command: \{ \} \, \; \! \\ ...
		if j >= len(s) {
			return j
		}
		switch s[j] {
		case '{', '}', '[', ']', '(', ')', '|':
			c.out.WriteByte(s[j])
		case ',', ';', ':', ' ', '\\':
			c.out.WriteByte(' ')
		}
		return j + 1
	}
	name := s[i+1 : j]
	switch name {
	case "frac", "dfrac", "tfrac", "cfrac":
		num, k, ok1 := latexArg(s, j)
		den, k2, ok2 := latexArg(s, k)
		if !ok1 || !ok2 {
			return j
		}
		n, d := c.text(num), c.text(den)
		if simpleAtom(n) && simpleAtom(d) {
			if prev := c.out.String(); prev != "" && isDigit(prev[len(prev)-1]) && isIntegerLiteral(n) && isIntegerLiteral(d) {
				c.out.WriteByte(' ')
			}
			c.out.WriteString(n + "/" + d)
		} else {
			c.out.WriteString("(" + n + ")/(" + d + ")")
		}
		return k2
	case "sqrt":
		k := skipSpaces(s, j)
		index := ""
		if k < len(s) && s[k] == '[' {
			if end := strings.IndexByte(s[k:], ']'); end > 0 {
				index = c.text(s[k+1 : k+end])
				k += end + 1
			}
		}
		arg, k2, ok := latexArg(s, k)
		if !ok {
			return k
		}
		if index == "" || index == "2" {
			c.out.WriteString("sqrt(" + c.text(arg) + ")")
		} else {
			c.out.WriteString("(" + c.text(arg) + ")^(1/(" + index + "))")
		}
		return k2
	}
	if wrapperCommands[name] {
		arg, k, ok := latexArg(s, j)
		if !ok {
			return j
		}
		c.out.WriteString(c.text(arg))
		return k
	}
	if sym, ok := symbolCommands[name]; ok {
		if (name == "left" || name == "right") && j < len(s) && s[j] == '.' {
			j++ // \left. and \right. are invisible delimiters
		}
		c.out.WriteString(sym)
		return j
	}
	c.out.WriteString(name)
	return j
}

// latexArg reads one command argument at s[i:] (after spaces): a braced
// group, a command such as \pi, or a single character.
func latexArg(s string, i int) (string, int, bool) {
	i = skipSpaces(s, i)
	if i >= len(s) {
		return "", i, false
	}
	switch s[i] {
	case '{':
		return braced(s, i)
	case '\\':
		j := i + 1
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if j == i+1 && j < len(s) {
			j++
		}
		return s[i:j], j, true
	case '}':
		return "", i, false
	}
	return s[i : i+1], i + 1, true
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

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// simpleAtom: an optionally signed integer or decimal, or one letter, so
// that a/b needs no parentheses.
func simpleAtom(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) == 1 && isLetter(s[0]) {
		return true
	}
	_, ok := exactDecimal(s)
	return ok
}

// wrapIfLong writes op then x, parenthesised when x is longer than one
// character: "^" + "10" -> "^(10)", "^" + "2" -> "^2".
func wrapIfLong(op, x string) string {
	x = strings.TrimSpace(x)
	if len(x) <= 1 {
		return op + x
	}
	return op + "(" + x + ")"
}
