package scorers

import "testing"

// TestLatexToText pins the conversion of each LaTeX construct the grader
// reads (latex.go), one case per branch.
func TestLatexToText(t *testing.T) {
	cases := []struct{ in, want string }{
		{`x^{10}`, "x^(10)"},
		{`x^{2}`, "x^2"},
		{`x^{ 2 }`, "x^2"},
		{`x^2`, "x^2"},
		{`x^{2`, "x^{2"},
		{`x^`, "x^"},
		{`\{1,2\}`, "{1,2}"},
		{`\left[0,1\right)`, "[0,1)"},
		{`\left.x\right|`, "x|"},
		{`a\,b\;c\:d\ e`, "a b c d e"},
		{`a\\b`, "a b"},
		{`a\!b`, "ab"},
		{`a\`, "a"},
		{`\frac{1}{2}`, "1/2"},
		{`\frac12`, "1/2"},
		{`\frac 1 2`, "1/2"},
		{`\dfrac{-1}{2}`, "-1/2"},
		{`\tfrac{1.5}{2}`, "1.5/2"},
		{`\frac{x+1}{2}`, "(x+1)/(2)"},
		{`\frac{ab}{c}`, "(ab)/(c)"},
		{`\frac{x}{y}`, "x/y"},
		{`3\frac{1}{2}`, "3 1/2"},
		{`3\frac{x}{2}`, "3x/2"},
		{`x\frac{1}{2}`, "x1/2"},
		{`\frac{\frac{1}{2}}{3}`, "(1/2)/(3)"},
		{`\frac\pi2`, "(pi)/(2)"},
		{`\frac{1}`, "{1}"},
		{`\frac{1}}`, "{1}}"},
		{`\sqrt{2}`, "sqrt(2)"},
		{`\sqrt 2`, "sqrt(2)"},
		{`\sqrt{x+1}`, "sqrt(x+1)"},
		{`\sqrt[3]{8}`, "(8)^(1/(3))"},
		{`\sqrt[2]{8}`, "sqrt(8)"},
		{`\sqrt[n]{x}`, "(x)^(1/(n))"},
		{`\sqrt`, ""},
		{`\text{cm}`, "cm"},
		{`\textbf{A} and \mathrm{B}`, "A and B"},
		{`\text`, ""},
		{`\pi r^2`, "pi r^2"},
		{`(-\infty, 0]`, "(-inf, 0]"},
		{`2\cdot3\times4\div5`, "2*3*4/5"},
		{`\alpha+\beta`, "alpha+beta"},
		{`\boxed{7}`, "7"},
	}
	for _, c := range cases {
		if got := latexToText(c.in); got != c.want {
			t.Errorf("latexToText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
