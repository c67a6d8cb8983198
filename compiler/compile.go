// Package compiler checks a recipe against the catalog and lowers it to
// the IR. It resolves references into a dependency graph, type-checks
// every stage input, dataset attribute and adapter config value, runs the
// stage kinds' cross-field checks, fills in defaults and computes a
// Merkle-style content hash per stage. All language problems are
// hcl.Diagnostics with codes (lang/diag); one root cause gives one
// diagnostic, never a cascade.
package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// Options configure a compilation.
type Options struct {
	// Catalog is what the recipe is checked against: the stage kinds,
	// adapters, manifests and renderers of this build (interp.Catalog);
	// nil means an empty catalog (catalog.New), in which every stage kind
	// is unknown.
	Catalog *catalog.Catalog
	// Vars are raw --var NAME=VALUE values by name. A string variable
	// takes the text as is; other types parse it as an HCL expression.
	Vars map[string]string
	// Experiment selects one experiment when the recipe has several.
	Experiment string
	// Manifest, when set, makes the compilation also resolve that
	// manifest (see ResolveManifest) and report every port a stage needs
	// that it does not bind, unknown adapters and bad adapter config.
	// Empty skips that check unless Ports is set, in which case
	// the default manifest (schema.DefaultManifest) is used.
	Manifest string
	// Ports are --port PORT=ADAPTER overrides, applied last.
	Ports map[string]string
	// RequireData is set when the plan is about to run: a local dataset
	// file that does not exist is then error E702, not warning W102.
	RequireData bool
}

// Result is a compilation's output.
type Result struct {
	// Plan is the selected experiment's plan; nil when there are errors
	// or (for Check) when the recipe has several experiments.
	Plan *ir.Plan
	// Plans holds the plan of every experiment, in source order (Check).
	Plans []*ir.Plan
	// Files are the parsed recipe files by name, for snippets.
	Files map[string]*hcl.File
	// Sources are the recipe bytes by file name, for snippets.
	Sources diag.Sources
	// Bindings are the resolved port bindings when Options.Manifest or
	// Options.Ports was set.
	Bindings map[string]Binding
}

// Compile parses the recipe at path (a file or a directory) and lowers the
// selected experiment to a plan. When the recipe has more than one
// experiment, opts.Experiment must name one.
func Compile(path string, opts Options) (*Result, hcl.Diagnostics) {
	rec, diags := lang.Load(path)
	return compileRecipe(rec, diags, opts, true)
}

// Check is Compile for every experiment of the recipe: it reports all
// problems and returns one plan per experiment; Result.Plan is set only
// when there is exactly one.
func Check(path string, opts Options) (*Result, hcl.Diagnostics) {
	rec, diags := lang.Load(path)
	return compileRecipe(rec, diags, opts, false)
}

// CompileSource compiles in-memory files (name -> bytes) of a recipe in
// dir; single selects one experiment as Compile does. Tests, benchmarks
// and the fuzzer use it.
func CompileSource(dir string, files map[string][]byte, opts Options, single bool) (*Result, hcl.Diagnostics) {
	rec, diags := lang.Parse(dir, files)
	return compileRecipe(rec, diags, opts, single)
}

func compileRecipe(rec *lang.Recipe, diags hcl.Diagnostics, opts Options, single bool) (*Result, hcl.Diagnostics) {
	res := &Result{Files: rec.Files(), Sources: rec.Bytes()}
	if fatal(diags) {
		// Syntax errors: the rest of the checks would only report
		// cascades of the same mistakes.
		diag.Sort(diags)
		return res, diags
	}
	if opts.Catalog == nil {
		opts.Catalog = catalog.New()
	}
	c := newCompiler(rec, opts)
	c.diags = diags
	c.run()
	plans := c.lower()
	if single && len(c.experiments) > 1 && opts.Experiment == "" {
		c.errorf(diag.ExperimentChoice, c.experiments[0].block.DefRange, "Choose an experiment",
			"The recipe declares %d experiments (%s); choose one with --experiment.", len(c.experiments), joinNames(c.experimentNames()))
	}
	chosen := opts.Manifest != "" || len(opts.Ports) > 0
	if !c.diags.HasErrors() && chosen {
		shown := map[string]string{}
		for name, rel := range c.rel {
			shown[rel] = name
		}
		for _, p := range plans {
			b, more := ResolveManifest(opts.Catalog, p, opts.Manifest, opts.Ports)
			for _, d := range more {
				// Plans record paths relative to the recipe; diagnostics
				// use the names the user gave, so snippets print.
				if d.Subject != nil && shown[d.Subject.Filename] != "" {
					d.Subject.Filename = shown[d.Subject.Filename]
				}
			}
			c.diags = append(c.diags, more...)
			res.Bindings = b
		}
	}
	switch {
	case !chosen:
		c.checkDatasetSources(nil, plans)
	case res.Bindings != nil:
		c.checkDatasetSources(res.Bindings, plans)
	}
	if !c.diags.HasErrors() {
		res.Plans = plans
		if len(plans) == 1 {
			res.Plan = plans[0]
		}
	}
	c.firstCostDiag()
	diag.Sort(c.diags)
	return res, c.diags
}

// fatal reports whether diags hold a syntax or file error, after which
// checking the meaning of the recipe would only produce cascades.
func fatal(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if code := diag.CodeOf(d); d.Severity == hcl.DiagError && (code == diag.Syntax || code == diag.FileRead) {
			return true
		}
	}
	return false
}

// sources lists the recipe files with their digests, computed once (each
// plan records them; hashing the files again for each of thousands of
// experiments was quadratic).
func (c *compiler) sources() []ir.Source {
	if c.sourceList == nil {
		c.sourceList = sourcesOf(c.rec)
	}
	return append([]ir.Source(nil), c.sourceList...)
}

// sourcesOf lists the recipe files with their digests.
func sourcesOf(rec *lang.Recipe) []ir.Source {
	out := make([]ir.Source, 0, len(rec.Sources))
	for _, s := range rec.Sources {
		sum := sha256.Sum256(s.Data)
		out = append(out, ir.Source{Path: s.Rel, SHA256: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", n)
	}
	return s
}

func toRange(r hcl.Range) ir.Range {
	return ir.Range{
		Filename: r.Filename,
		Start:    ir.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      ir.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

func toPos(p hcl.Pos) ir.Pos { return ir.Pos{Line: p.Line, Column: p.Column, Byte: p.Byte} }
