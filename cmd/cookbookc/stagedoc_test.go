package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/interp"
)

const (
	specBegin = "<!-- BEGIN stage tables:"
	specEnd   = "<!-- END stage tables -->"
)

// TestSpecStageTablesMatchTheCatalog: SPEC.md §5's stage tables are
// exactly what the stage kinds' schemas say (writeStagesMarkdown over this
// build's catalog). Run with -update to rewrite the section after changing
// a kind's schema.
func TestSpecStageTablesMatchTheCatalog(t *testing.T) {
	path := filepath.Join("..", "..", "SPEC.md")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	spec := string(data)
	begin := strings.Index(spec, specBegin)
	require.GreaterOrEqual(t, begin, 0, "SPEC.md has no %q marker", specBegin)
	bodyStart := begin + strings.Index(spec[begin:], "-->\n") + len("-->\n")
	end := strings.Index(spec, specEnd)
	require.Greater(t, end, bodyStart, "SPEC.md has no %q marker after the begin marker", specEnd)

	cat := interp.Catalog()
	var gen bytes.Buffer
	gen.WriteString("\n")
	writeStagesMarkdown(&gen, cat, cat.StageNames())
	if updateGoldens() {
		spec = spec[:bodyStart] + gen.String() + spec[end:]
		require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
	}
	if got := spec[bodyStart:end]; got != gen.String() {
		t.Fatalf("SPEC.md §5 differs from the stage kinds' schemas (run go test ./cmd/cookbookc -run TestSpecStageTables -update):\n%s",
			lineDiff(got, gen.String()))
	}
}

// lineDiff lists the lines of want missing from got (-) and the lines of
// got that want lacks (+), at most ten of each, for a readable failure.
func lineDiff(got, want string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	gotLines, wantLines := in(got), in(want)
	var out []string
	for _, pass := range []struct {
		text  string
		other map[string]bool
		sign  string
	}{{want, gotLines, "- SPEC.md lacks: "}, {got, wantLines, "+ SPEC.md has:   "}} {
		n := 0
		for _, l := range strings.Split(pass.text, "\n") {
			if !pass.other[l] && n < 10 {
				out = append(out, pass.sign+l)
				n++
			}
		}
	}
	if len(out) == 0 {
		return "(the same lines in another order or with other blank lines)"
	}
	return strings.Join(out, "\n")
}
