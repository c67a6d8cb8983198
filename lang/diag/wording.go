package diag

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// A returns word with its indefinite article: "an int", "a string".
func A(word string) string {
	if word == "" {
		return word
	}
	switch strings.ToLower(word)[0] {
	case 'a', 'e', 'i', 'o':
		return "an " + word
	case 'u':
		if !strings.HasPrefix(word, "us") && !strings.HasPrefix(word, "uni") {
			return "an " + word
		}
	}
	return "a " + word
}

// Patterns of hcl library messages that read badly ("All stage blocks
// must have 2 labels (kind, name).", "Error in function call").
var (
	missingLabels = regexp.MustCompile(`^All (\S+) blocks must have (\d+) labels \((.*)\)\.$`)
	extraLabels   = regexp.MustCompile(`^Only (\d+) labels \((.*)\) are expected for (\S+) blocks\.$`)
	callFailed    = regexp.MustCompile(`^Call to function "([^"]+)" failed: `)
	argumentCount = regexp.MustCompile(` argument\(s\)`)
)

// reword rewrites the summary and detail of a diagnostic from the hcl
// library whose wording is awkward; others are left alone.
func reword(d *hcl.Diagnostic) {
	if m := missingLabels.FindStringSubmatch(d.Detail); m != nil {
		n, _ := strconv.Atoi(m[2])
		d.Detail = labelsDetail(m[1], n, strings.Split(m[3], ", "), "needs")
	}
	if m := extraLabels.FindStringSubmatch(d.Detail); m != nil {
		n, _ := strconv.Atoi(m[1])
		d.Detail = labelsDetail(m[3], n, strings.Split(m[2], ", "), "takes only")
	}
	if m := callFailed.FindStringSubmatch(d.Detail); m != nil && d.Summary == "Error in function call" {
		d.Summary = fmt.Sprintf("Call to %s failed", m[1])
	}
	d.Detail = argumentCount.ReplaceAllStringFunc(d.Detail, func(string) string { return " arguments" })
	if strings.Contains(d.Detail, "expects only 1 arguments") || strings.Contains(d.Detail, "expects 1 arguments") {
		d.Detail = strings.Replace(d.Detail, "1 arguments", "1 argument", 1)
	}
}

// labelsDetail says how many labels a block has and shows the form:
// `A stage block needs 2 labels, its kind and its name: stage "KIND" "NAME" { ... }.`
func labelsDetail(block string, n int, names []string, verb string) string {
	count := "one label"
	if n != 1 {
		count = fmt.Sprintf("%d labels", n)
	}
	its := make([]string, len(names))
	form := block
	for i, name := range names {
		its[i] = "its " + name
		form += ` "` + strings.ToUpper(name) + `"`
	}
	art := A(block)
	return fmt.Sprintf("%s block %s %s, %s: %s { ... }.", strings.ToUpper(art[:1])+art[1:], verb, count, strings.Join(its, " and "), form)
}
