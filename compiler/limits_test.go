package compiler

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// chain returns locals l0..l<n-1>, each built from the previous one by
// step (with %[1]s standing for the previous local).
func chain(first, step string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "locals {\n  l0 = %s\n", first)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  l%d = %s\n", i, fmt.Sprintf(step, fmt.Sprintf("local.l%d", i-1)))
	}
	fmt.Fprintf(&b, "}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = local.l%d\n  }\n}\n", n-1)
	return b.String()
}

// fanOut returns a recipe whose local l0 holds 100,000 values and n other
// locals that each name it.
func fanOut(n int) string {
	var b strings.Builder
	b.WriteString("locals {\n  l0 = [for i in range(1000): [for j in range(100): j]]\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  l%d = local.l0\n", i)
	}
	b.WriteString("}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {}\n}\n")
	return b.String()
}

const oneLocal = "locals {\n  x = %s\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = local.x\n  }\n}\n"

// Inputs of a few lines that ask for billions of values must be refused
// with a diagnostic instead of hanging the checker or exhausting memory.
func TestCostlyExpressionsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		vars      map[string]string
		summary   string
	}{
		{"nested for", fmt.Sprintf(oneLocal, "[for a in range(1000): [for b in range(1000): [for c in range(1000): 1]]]"), nil, costSummary},
		{"template doubling", chain(`"ab"`, `"${%[1]s}${%[1]s}"`, 60), nil, costSummary},
		{"tuple doubling", chain("[1, 2]", "[%[1]s, %[1]s]", 80), nil, "Value too large"},
		{"deep equality", fmt.Sprintf(oneLocal, "[for x in range(1000): range(1000)] == [for x in range(1000): range(1000)]"), nil, costSummary},
		{"function results", fmt.Sprintf(oneLocal, "[for a in range(250): [for b in range(1000): range(1000)]]"), nil, costSummary},
		{"flatten", fmt.Sprintf(oneLocal, "length(flatten([for x in range(1000): range(1000)]))"), nil, costSummary},
		{"command line", "variable \"v\" {\n  type = list(any)\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = var.v\n  }\n}\n",
			map[string]string{"v": "[for a in range(1000): [for b in range(1000): [for c in range(1000): 1]]]"}, ""},
		{"large value named many times", fanOut(50), nil, "Values too large in total"},
		{"deep command line", "variable \"v\" {\n  type = list(any)\n}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = var.v\n  }\n}\n",
			map[string]string{"v": strings.Repeat("[", 200_000)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan hcl.Diagnostics)
			go func() {
				_, diags := CompileSource(mustAbs(t, "testdata/valid"), map[string][]byte{"r.hcl": []byte(tc.src)},
					Options{Catalog: testCatalog(), Vars: tc.vars}, true)
				done <- diags
			}()
			var diags hcl.Diagnostics
			select {
			case diags = <-done:
			case <-time.After(time.Minute):
				t.Fatal("the checker hangs")
			}
			var codes []diag.Code
			var summaries []string
			for _, d := range diags {
				codes = append(codes, diag.CodeOf(d))
				summaries = append(summaries, d.Summary)
			}
			if tc.summary != "" {
				assert.Contains(t, summaries, tc.summary)
				assert.LessOrEqual(t, strings.Count(strings.Join(summaries, "\n"), costSummary), 1, "one diagnostic for a spent budget: %q", summaries)
			} else {
				assert.Equal(t, []diag.Code{diag.BadVarFlag}, codes)
			}
		})
	}
}

// Ordinary use of for expressions and templates is far within the limits.
func TestReasonableExpressionsPass(t *testing.T) {
	src := fmt.Sprintf(oneLocal, `{ for i in range(1000) : "k${i}" => [for j in range(50) : "${i}-${j}"] }`)
	_, codes := compileSrc(t, "r.hcl", src, Options{}, true)
	assert.Empty(t, codes)
	src = chain(`"abcdefgh"`, `"${%[1]s}${%[1]s}"`, 12) // 16 KB of text
	_, codes = compileSrc(t, "r.hcl", src, Options{}, true)
	assert.Empty(t, codes)
}

// nestedList returns a tuple nested depth levels deep.
func nestedList(depth int) cty.Value {
	v := cty.NumberIntVal(1)
	for range depth - 1 {
		v = cty.TupleVal([]cty.Value{v})
	}
	return v
}

// Converting a nested value to Go data must take work proportional to its
// size: anyValue asked IsWhollyKnown at every level of its recursion,
// walking each subtree again per level (8,192 levels took 6 s, 20,000
// levels 120 s). Allocations count the work without timing anything:
// doubling the depth must roughly double them, not quadruple them.
func TestValueConversionIsLinear(t *testing.T) {
	allocs := func(depth int) float64 {
		v := nestedList(depth)
		return testing.AllocsPerRun(3, func() {
			if _, err := anyValue(v); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(250), allocs(1000)
	assert.Less(t, large/small, 6.0, "4x the depth took %.0f allocations instead of %.0f: not linear", large, small)
}

// Functions and chains of locals build values deeper than the syntax may
// nest; such a value is one diagnostic where it is made, so no later pass
// (and no plan.json reader) meets it.
func TestDeepValuesAreRefused(t *testing.T) {
	deepJSON := fmt.Sprintf(oneLocal, `jsondecode("`+strings.Repeat("[", 2000)+strings.Repeat("]", 2000)+`")`)
	var chain strings.Builder
	chain.WriteString("locals {\n  l0 = 1\n")
	for i := 1; i < 3000; i++ {
		fmt.Fprintf(&chain, "  l%d = [local.l%d]\n", i, i-1)
	}
	chain.WriteString("}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = local.l2999\n  }\n}\n")
	for name, src := range map[string]string{"jsondecode": deepJSON, "chain of locals": chain.String()} {
		t.Run(name, func(t *testing.T) {
			_, diags := CompileSource(mustAbs(t, "testdata/valid"), map[string][]byte{"r.hcl": []byte(src)}, Options{Catalog: testCatalog()}, true)
			require.Len(t, diags, 1, "%v", diags)
			assert.Equal(t, "Value nested too deeply", diags[0].Summary)
			assert.Equal(t, diag.EvalError, diag.CodeOf(diags[0]))
		})
	}
	// At the limit the value is fine.
	_, diags := CompileSource(mustAbs(t, "testdata/valid"), map[string][]byte{"r.hcl": []byte(fmt.Sprintf(oneLocal,
		`jsondecode("`+strings.Repeat("[", 999)+strings.Repeat("]", 999)+`")`))}, Options{Catalog: testCatalog()}, true)
	assert.Empty(t, diags)
}

// Checking must grow linearly with the number of locals and of manifests
// in an extends chain: every local rebuilt the object of all locals, and
// every manifest walked its whole chain (4,000 locals took 20 s). Bytes
// allocated measure the work without timing it: 4x the declarations may
// cost about 4x, not 16x.
func TestCheckScalesLinearly(t *testing.T) {
	locals := func(n int) string {
		var b strings.Builder
		b.WriteString("locals {\n  l0 = 1\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "  l%d = local.l%d + 1\n", i, i-1)
		}
		fmt.Fprintf(&b, "}\nexperiment \"e\" {\n  stage \"noop\" \"a\" {\n    value = local.l%d\n  }\n}\n", n-1)
		return b.String()
	}
	manifests := func(n int) string {
		var b strings.Builder
		for i := range n {
			base := "default"
			if i > 0 {
				base = fmt.Sprintf("m%d", i-1)
			}
			fmt.Fprintf(&b, "manifest \"m%d\" {\n  extends = %q\n}\n", i, base)
		}
		b.WriteString("experiment \"e\" {\n  stage \"noop\" \"a\" {}\n}\n")
		return b.String()
	}
	dir := mustAbs(t, "testdata/valid")
	allocated := func(src string) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, diags := CompileSource(dir, map[string][]byte{"r.hcl": []byte(src)}, Options{Catalog: testCatalog()}, true)
		runtime.ReadMemStats(&after)
		require.Empty(t, diags)
		return after.TotalAlloc - before.TotalAlloc
	}
	for name, gen := range map[string]func(int) string{"locals": locals, "manifest chain": manifests} {
		t.Run(name, func(t *testing.T) {
			small, large := allocated(gen(500)), allocated(gen(2000))
			assert.Less(t, float64(large)/float64(small), 8.0, "4x the declarations allocated %d bytes instead of %d", large, small)
		})
	}
}
