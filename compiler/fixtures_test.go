package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// Fixtures under testdata/invalid are recipes with inline expectations:
//
//	lr_schedule = "cosin"   # want: E202:19
//
// means exactly one diagnostic with code E202 starting at column 19 of
// this line ("E504:3 E504:3" expects two). Text after " | " must appear in
// the detail of a diagnostic reported on the line:
//
//	lr_schedule = "cosin"   # want: E202:19 | Did you mean "cosine"?
//
// `# want-cmdline: E207` expects a
// diagnostic about the command line, and `# option: var NAME=VALUE`,
// `# option: manifest NAME`, `# option: port PORT=ADAPTER` and
// `# option: experiment NAME` set compiler options. Every diagnostic must
// be expected and every expectation met, warnings included.

var (
	wantRe    = regexp.MustCompile(`#\s*want:\s*(.+)$`)
	cmdlineRe = regexp.MustCompile(`#\s*want-cmdline:\s*(.+)$`)
	optionRe  = regexp.MustCompile(`#\s*option:\s*(\w+)\s+(\S+)`)
)

type expectation struct {
	line, col int
	code      diag.Code
}

// detailWant is text a diagnostic on line must have in its detail.
type detailWant struct {
	line int
	text string
}

func (e expectation) String() string { return fmt.Sprintf("%d:%d %s", e.line, e.col, e.code) }

func parseFixture(t *testing.T, src string) ([]expectation, []detailWant, Options) {
	t.Helper()
	var want []expectation
	var details []detailWant
	opts := Options{Catalog: testCatalog(), Vars: map[string]string{}, Ports: map[string]string{}}
	for i, line := range strings.Split(src, "\n") {
		if m := wantRe.FindStringSubmatch(line); m != nil {
			codes, detail, hasDetail := strings.Cut(m[1], " | ")
			if hasDetail {
				details = append(details, detailWant{i + 1, strings.TrimSpace(detail)})
			}
			for _, item := range strings.Fields(codes) {
				code, col, ok := strings.Cut(item, ":")
				n, err := strconv.Atoi(col)
				if !ok || err != nil {
					t.Fatalf("line %d: bad marker %q (want CODE:COLUMN)", i+1, item)
				}
				want = append(want, expectation{i + 1, n, diag.Code(code)})
			}
		}
		if m := cmdlineRe.FindStringSubmatch(line); m != nil {
			for _, code := range strings.Fields(m[1]) {
				want = append(want, expectation{0, 0, diag.Code(code)})
			}
		}
		if m := optionRe.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "var", "port":
				k, v, _ := strings.Cut(m[2], "=")
				if m[1] == "var" {
					opts.Vars[k] = v
				} else {
					opts.Ports[k] = v
				}
			case "manifest":
				opts.Manifest = m[2]
			case "experiment":
				opts.Experiment = m[2]
			default:
				t.Fatalf("line %d: unknown option %q", i+1, m[1])
			}
		}
	}
	return want, details, opts
}

func got(diags hcl.Diagnostics) []expectation {
	var out []expectation
	for _, d := range diags {
		e := expectation{code: diag.CodeOf(d)}
		if d.Subject != nil && d.Subject.Filename != cmdLineRange.Filename {
			e.line, e.col = d.Subject.Start.Line, d.Subject.Start.Column
		}
		out = append(out, e)
	}
	return out
}

func sortExpectations(list []expectation) {
	sort.Slice(list, func(i, j int) bool { return list[i].String() < list[j].String() })
}

func TestInvalidFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("only %d invalid fixtures; the suite promises at least 40", len(files))
	}
	covered := map[diag.Code]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, details, opts := parseFixture(t, string(src))
			if len(want) == 0 {
				t.Fatal("fixture has no # want: marker")
			}
			_, diags := Check(file, opts)
			for _, d := range diags {
				if diag.CodeOf(d) == "" {
					t.Errorf("diagnostic without a code: %s", d.Error())
				}
				if d.Subject == nil {
					t.Errorf("diagnostic without a range: %s", d.Error())
				}
			}
			have := got(diags)
			sortExpectations(want)
			sortExpectations(have)
			if fmt.Sprint(want) != fmt.Sprint(have) {
				var lines []string
				for _, d := range diags {
					lines = append(lines, fmt.Sprintf("  %s [%s]", d.Error(), diag.CodeOf(d)))
				}
				t.Errorf("want %v\n got %v\n%s", want, have, strings.Join(lines, "\n"))
			}
			for _, w := range details {
				found := false
				var onLine []string
				for _, d := range diags {
					if d.Subject != nil && d.Subject.Start.Line == w.line {
						found = found || strings.Contains(d.Detail, w.text)
						onLine = append(onLine, d.Detail)
					}
				}
				if !found {
					t.Errorf("line %d: no diagnostic's detail contains %q; details on that line: %q", w.line, w.text, onLine)
				}
			}
			for _, w := range want {
				covered[w.code] = true
			}
		})
	}
	// Every documented code except the fallback must be exercised.
	for code := range diag.Descriptions {
		if code == diag.HCLNative || code == diag.FileRead {
			continue // FileRead is covered by TestLoadErrors
		}
		if !covered[code] {
			t.Errorf("no fixture expects %s (%s)", code, diag.Descriptions[code])
		}
	}
}
