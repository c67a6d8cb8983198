package scorers

import (
	"math/big"
	"regexp"
	"strings"
)

// The two normalisations of tinker-cookbook's grade_answer
// (../shared/reference/formats.md §4.2 and §4.3). Each is a pure string
// rewrite, linear or close to it in the length of its input; GradeAnswer
// caps that length (maxAnswerLen).

var wholeTextRE = regexp.MustCompile(`^\\text\{(.+?)\}$`)

// mathdNormalize is the MATH dataset's normalisation ("mathd",
// formats.md §4.2): a whole \text{...} is unwrapped, then stripString.
func mathdNormalize(s string) string {
	s = strings.TrimSpace(s)
	if m := wholeTextRE.FindStringSubmatch(s); m != nil {
		s = strings.TrimSpace(m[1])
	}
	if out, ok := stripString(s); ok {
		return out
	}
	return s
}

// stripString is mathd's _strip_string, step by step (formats.md §4.2).
// It reports false where the reference raises (a "\text{ " unit split
// that does not give exactly two parts, "\frac" at the very end), in
// which case the caller keeps its input. Integer fractions written
// another way ("01/2", "+1/2") are rewritten like any other; the
// reference aborts on them and leaves the string un-normalised.
func stripString(s string) (string, bool) {
	s = strings.ReplaceAll(s, "\n", "")
	s = strings.ReplaceAll(s, `\!`, "")
	s = strings.ReplaceAll(s, `\\`, `\`)
	s = strings.ReplaceAll(s, "tfrac", "frac")
	s = strings.ReplaceAll(s, "dfrac", "frac")
	s = strings.ReplaceAll(s, `\left`, "")
	s = strings.ReplaceAll(s, `\right`, "")
	s = strings.ReplaceAll(s, `^{\circ}`, "")
	s = strings.ReplaceAll(s, `^\circ`, "")
	s = strings.ReplaceAll(s, `\$`, "")
	if strings.Contains(s, `\text{ `) {
		parts := strings.Split(s, `\text{ `)
		if len(parts) != 2 {
			return "", false
		}
		s = parts[0]
	}
	s = strings.ReplaceAll(s, `\%`, "")
	s = strings.ReplaceAll(s, " .", " 0.")
	s = strings.ReplaceAll(s, "{.", "{0.")
	if s == "" {
		return "", true
	}
	if s[0] == '.' {
		s = "0" + s
	}
	if parts := strings.Split(s, "="); len(parts) == 2 && len(parts[0]) <= 2 {
		s = parts[1]
	}
	s = fixSqrt(s)
	s = strings.ReplaceAll(s, " ", "")
	s, ok := fixFracs(s)
	if !ok {
		return "", false
	}
	if s == "0.5" {
		return `\frac{1}{2}`, true
	}
	return fixSlashFraction(s), true
}

// fixSqrt braces a one-character \sqrt argument: \sqrt3 -> \sqrt{3}.
func fixSqrt(s string) string {
	if !strings.Contains(s, `\sqrt`) {
		return s
	}
	parts := strings.Split(s, `\sqrt`)
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		b.WriteString(`\sqrt`)
		if p != "" && p[0] != '{' {
			b.WriteString("{" + p[:1] + "}" + p[1:])
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}

// fixFracs braces one-character \frac arguments: \frac12 -> \frac{1}{2},
// \frac1{72} -> \frac{1}{72}. A \frac with a single character after it
// leaves the string unchanged; a \frac at the very end fails.
func fixFracs(s string) (string, bool) {
	parts := strings.Split(s, `\frac`)
	if len(parts) == 1 {
		return s, true
	}
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		b.WriteString(`\frac`)
		switch {
		case p == "":
			return "", false
		case p[0] == '{':
			b.WriteString(p)
		case len(p) < 2:
			return s, true
		case p[1] == '{':
			b.WriteString("{" + p[:1] + "}" + p[1:])
		default:
			b.WriteString("{" + p[:1] + "}{" + p[1:2] + "}" + p[2:])
		}
	}
	return b.String(), true
}

// fixSlashFraction rewrites "a/b" with integer a and b as \frac{a}{b}.
func fixSlashFraction(s string) string {
	parts := strings.Split(s, "/")
	if len(parts) != 2 || !isIntegerLiteral(parts[0]) || !isIntegerLiteral(parts[1]) {
		return s
	}
	return `\frac{` + parts[0] + "}{" + parts[1] + "}"
}

// isIntegerLiteral: optional sign, then one or more ASCII digits.
func isIntegerLiteral(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if s == "" || len(s) > maxDigits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

var (
	unitRE = regexp.MustCompile(`(?:degree|cm|centimeter|meter|mile|second|minute|hour|day|week|month|year|foot|feet|inch|yard)(?:es)?(?:s)? *(?:\^[0-9]+)?`)
	// circRE deletes a degree sign left by the first pass.
	circRE = regexp.MustCompile(`\^ *\\circ`)
	// thinSepRE deletes ",\!" thousands separators.
	thinSepRE = regexp.MustCompile(`,\\! *`)
	// minusSpaceRE joins a minus sign to what follows it.
	minusSpaceRE = regexp.MustCompile(`- +`)
	// mixedRE joins a mixed number's parts: "7 3/4" -> "7+3/4".
	mixedRE = regexp.MustCompile(`([0-9]) +([0-9])`)
	// thousandsRE finds a well-formed thousands separator.
	thousandsRE = regexp.MustCompile(`(\d),(\d\d\d)($|\D)`)
)

var percentDollar = strings.NewReplacer(`\%`, "", `\$`, "", "$", "", "%", "", "°", "")

var unicodeMath = strings.NewReplacer("√", "sqrt", "π", "pi", "∞", "inf", "∪", "U", "·", "*", "×", "*", "−", "-", "÷", "/")

// scaleWordRE finds a decimal number followed by million, billion or
// trillion, which scaleWord multiplies out exactly ("2.5 million" ->
// "2500000"); a scale word after anything else becomes "*10^6" and the
// like.
var scaleWordRE = regexp.MustCompile(`[0-9][0-9,]*(?:\.[0-9]+)? *(?:million|billion|trillion)`)

func scaleWord(m string) string {
	i := strings.IndexAny(m, " mbt")
	v, ok := exactDecimal(removeThousands(m[:i]))
	if !ok {
		return m
	}
	scale := map[string]int64{"million": 1e6, "billion": 1e9, "trillion": 1e12}[strings.TrimSpace(m[i:])]
	v.Mul(v, new(big.Rat).SetInt64(scale))
	if v.IsInt() {
		return v.Num().String()
	}
	return v.FloatString(12)
}

var wordsToNumbers = strings.NewReplacer(
	" or ", " , ", " and ", " , ",
	"million", "*10^6", "billion", "*10^9", "trillion", "*10^12",
)

// normalize is the second normalisation (_normalize, formats.md §4.3):
// units, words and thousands separators removed, LaTeX turned into plain
// text (latexToText), spaces and braces removed, lower-cased, and an
// integer written as its plain decimal digits. Where the reference turns
// any float within 1e-7 of an integer into that integer (so "4.99999999"
// became "5") and loses digits beyond float precision, a decimal here
// becomes an integer only when it is one exactly ("5.00" -> "5").
func normalize(s string) string {
	if m := wholeTextRE.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	s = percentDollar.Replace(s)
	if parts := strings.Split(s, "="); len(parts) == 2 && len(strings.TrimSpace(parts[0])) <= 2 {
		s = parts[1] // "$x = 3$": mathd's "k = 5" rule, once the dollars are gone
	}
	s = scaleWordRE.ReplaceAllStringFunc(s, scaleWord)
	s = wordsToNumbers.Replace(s)
	s = unitRE.ReplaceAllString(s, "")
	s = circRE.ReplaceAllString(s, "")
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && len(s) >= 2 {
		s = s[1 : len(s)-1]
	}
	s = thinSepRE.ReplaceAllString(s, "")
	if v, ok := exactDecimal(strings.TrimSpace(s)); ok && v.IsInt() {
		s = v.Num().String()
	}
	if strings.Contains(s, `\`) || strings.Contains(s, "^{") {
		s = latexToText(s)
	}
	s = unicodeMath.Replace(s)
	s = minusSpaceRE.ReplaceAllString(s, "-")
	s = mixedRE.ReplaceAllString(s, "$1+$2")
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '{', '}':
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(strings.ToLower(s), ".")
	if v, ok := exactDecimal(removeThousands(s)); ok && v.IsInt() {
		s = v.Num().String()
	}
	return s
}

// removeThousands removes well-formed thousands separators ("1,234,567"
// -> "1234567"; "(1,2)" is kept), repeating until none is left.
func removeThousands(s string) string {
	for i := 0; i < 32 && strings.Contains(s, ","); i++ {
		next := thousandsRE.ReplaceAllString(s, "$1$2$3")
		if next == s {
			break
		}
		s = next
	}
	return s
}

// exactDecimal parses a plain decimal number ("-12", "3.50", ".5", "7.")
// exactly; exponents, "inf" and "nan" are not numbers here.
func exactDecimal(s string) (*big.Rat, bool) {
	if s == "" || len(s) > maxDigits {
		return nil, false
	}
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" || body == "." {
		return nil, false
	}
	dot := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case isDigit(c):
		case c == '.' && !dot:
			dot = true
		default:
			return nil, false
		}
	}
	if strings.HasSuffix(body, ".") {
		s = strings.TrimSuffix(s, ".")
	}
	v, ok := new(big.Rat).SetString(s)
	return v, ok
}
