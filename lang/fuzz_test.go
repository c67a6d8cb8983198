package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// FuzzParse feeds arbitrary bytes to the parser entry point, as native or
// JSON syntax. It must return (no panic, no stack overflow, within
// seconds) with every diagnostic coded and inside the source. The seed
// corpus holds the examples and fixtures plus deep nesting and large
// values, the inputs that used to crash or stall the parser; CI fuzzes it
// for a bounded time (.ci/run).
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../examples/*.hcl", "../compiler/testdata/invalid/*.hcl", "../compiler/testdata/valid/*.hcl", "../compiler/testdata/valid/*.hcl.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, strings.HasSuffix(name, ".json"))
		}
	}
	for _, s := range []string{
		"x = " + strings.Repeat("[", 100_000),
		"x = " + strings.Repeat("[", MaxNesting) + strings.Repeat("]", MaxNesting),
		"x = " + strings.Repeat("!", 100_000) + "true",
		"x = 1" + strings.Repeat("+1", 50_000),
		"x = " + strings.Repeat(`"${`, 20_000),
		"x = \"" + strings.Repeat("%{ if true }", 20_000) + "\"",
		"x = \"" + strings.Repeat("a", 1<<20) + "\"",
		"x = [" + strings.Repeat("1, ", 100_000) + "]",
		"x = <<EOT\n" + strings.Repeat("line\n", 50_000) + "EOT\n",
		"dataset \"d\" {\n  source = \"x.jsonl\n  format = \"messages\"\n}\n",
	} {
		f.Add([]byte(s), false)
	}
	for _, s := range []string{
		`{"locals": {"x": ` + strings.Repeat("[", 100_000) + "}}",
		`{"locals": {"x": "` + strings.Repeat("${[", 20_000) + `"}}`,
		`{"locals": {"x": [` + strings.Repeat("1, ", 100_000) + "1]}}",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, src []byte, jsonSyntax bool) {
		name := "fuzz.hcl"
		if jsonSyntax {
			name = "fuzz.hcl.json"
		}
		done := make(chan struct{})
		var problems []string
		go func() {
			defer close(done)
			r, diags := Parse("/fuzz", map[string][]byte{name: src})
			if r == nil || r.Body == nil {
				problems = append(problems, "nil recipe or body")
			}
			for _, d := range diags {
				s := d.Subject
				switch {
				case diag.CodeOf(d) == "":
					problems = append(problems, "diagnostic without a code: "+d.Error())
				case s == nil:
					problems = append(problems, "diagnostic without a range: "+d.Error())
				case s.Start.Byte < 0 || s.Start.Byte > s.End.Byte || s.End.Byte > len(src)+1:
					problems = append(problems, "range outside the source: "+d.Error())
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the parser hangs on %d bytes", len(src))
		}
		for _, p := range problems {
			t.Error(p)
		}
	})
}
