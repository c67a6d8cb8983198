package compiler

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// FuzzCompile feeds arbitrary recipe source (native or JSON syntax) to the
// whole checker. It must never panic or hang, every diagnostic must carry a
// code and a range inside the source and print without panicking (and
// without a stack trace), and an error-free recipe must encode to a plan. The
// seed corpus (every fixture under testdata plus the examples) runs in
// plain `go test`.
func FuzzCompile(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/invalid/*.hcl", "testdata/valid/*.hcl", "testdata/valid/*.hcl.json", "../examples/*.hcl"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, files...)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, filepath.Ext(s) == ".json")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "valid"))
	if err != nil {
		f.Fatal(err)
	}
	cat := testCatalog()
	f.Fuzz(func(t *testing.T, src []byte, jsonSyntax bool) {
		name := "fuzz.hcl"
		if jsonSyntax {
			name = "fuzz.hcl.json"
		}
		done := make(chan struct{})
		var res *Result
		var diags []*hclDiag
		go func() {
			defer close(done)
			r, d := CompileSource(dir, map[string][]byte{name: src}, Options{Catalog: cat, Manifest: "default"}, false)
			res = r
			for _, x := range d {
				hd := &hclDiag{code: diag.CodeOf(x), hasRange: x.Subject != nil, text: x.Error(),
					stack: strings.Contains(x.Detail, "goroutine ")}
				if s := x.Subject; s != nil && s.Filename == name {
					// Snippets slice the source with these offsets. (The
					// hcl JSON parser ends a range at EOF one byte past it.)
					hd.inSource = 0 <= s.Start.Byte && s.Start.Byte <= s.End.Byte && s.Start.Byte <= len(src) && s.End.Byte <= len(src)+1
				} else {
					hd.inSource = true
				}
				diags = append(diags, hd)
			}
			// The CLI prints whatever it gets; printing must not panic.
			_ = diag.WriteText(io.Discard, d, r.Sources)
			_ = diag.WriteJSON(io.Discard, d)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("checker hangs on %q", src)
		}
		hasErrors := false
		for _, d := range diags {
			if d.code == "" || !d.hasRange {
				t.Fatalf("diagnostic without code or range: %s", d.text)
			}
			if d.stack {
				t.Fatalf("a stack trace in a diagnostic: %s", d.text)
			}
			if !d.inSource {
				t.Fatalf("diagnostic range outside the source: %s", d.text)
			}
			if d.code[0] == 'E' {
				hasErrors = true
			}
		}
		if !hasErrors {
			for _, p := range res.Plans {
				if _, err := ir.Encode(p); err != nil {
					t.Fatalf("error-free recipe does not encode: %v", err)
				}
			}
		}
	})
}

type hclDiag struct {
	code     diag.Code
	hasRange bool
	inSource bool
	stack    bool // a panic's stack trace made it into the detail
	text     string
}
