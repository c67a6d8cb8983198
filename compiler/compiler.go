package compiler

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/cookbookc/cookbookc/compiler/catalog"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// compiler holds the state of one compilation.
type compiler struct {
	cat   *catalog.Catalog
	opts  Options
	rec   *lang.Recipe
	diags hcl.Diagnostics

	// rel maps a file name as shown in diagnostics to its path relative
	// to the recipe directory (what plans record).
	rel map[string]string
	src map[string][]byte

	vars        map[string]*variable
	varOrder    []string
	locals      map[string]*local
	datasets    map[string]*dataset
	renderers   map[string]*renderer
	manifests   map[string]*manifest
	manOrder    []string
	experiments []*experiment

	funcs map[string]function.Function
	ctx   *hcl.EvalContext
	// meter bounds the work of evaluating the recipe's expressions
	// (limits.go).
	meter meter

	// defs caches the canonical JSON of dataset and renderer references
	// for stage hashes; defaults caches the IR value of field defaults.
	defs     map[string][]byte
	defaults map[*schema.Field]ir.Value
	// sourceList caches the recipe files' digests (sources).
	sourceList []ir.Source
}

func newCompiler(rec *lang.Recipe, opts Options) *compiler {
	c := &compiler{
		cat: opts.Catalog, opts: opts, rec: rec,
		rel: map[string]string{}, src: map[string][]byte{},
		vars: map[string]*variable{}, locals: map[string]*local{},
		datasets: map[string]*dataset{}, renderers: map[string]*renderer{},
		manifests: map[string]*manifest{},

		defs:     map[string][]byte{},
		defaults: map[*schema.Field]ir.Value{},
	}
	c.meter.left = evalBudgetUnits
	c.meter.valuesLeft = valuesBudgetUnits
	c.funcs = meterFunctions(functions(rec.Dir), &c.meter)
	for _, s := range rec.Sources {
		c.rel[s.Name] = s.Rel
		c.src[s.Name] = s.Data
		if body, ok := s.File.Body.(*hclsyntax.Body); ok {
			meterExpressions(body, &c.meter)
		}
	}
	c.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: c.funcs}
	return c
}

func (c *compiler) add(d ...*hcl.Diagnostic) { c.diags = append(c.diags, d...) }

func (c *compiler) addAll(ds hcl.Diagnostics) { c.diags = append(c.diags, ds...) }

func (c *compiler) errorf(code diag.Code, rng hcl.Range, summary, format string, args ...any) {
	c.add(diag.New(code, rng, summary, fmt.Sprintf(format, args...)))
}

func (c *compiler) warnf(code diag.Code, rng hcl.Range, summary, format string, args ...any) {
	c.add(diag.Warning(code, rng, summary, fmt.Sprintf(format, args...)))
}

// irRange converts a range for the plan: file names relative to the
// recipe directory, so plans do not depend on where cookbookc ran.
func (c *compiler) irRange(r hcl.Range) ir.Range {
	out := toRange(r)
	if rel, ok := c.rel[r.Filename]; ok {
		out.Filename = rel
	}
	return out
}

// run decodes and checks the whole recipe.
func (c *compiler) run() {
	content, diags := c.rec.Body.Content(lang.TopSchema)
	c.addAll(diag.Classify(diags, diag.UnknownBlock))
	byType := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		byType[b.Type] = append(byType[b.Type], b)
	}
	c.declareVariables(byType[lang.BlockVariable])
	c.declareLocals(byType[lang.BlockLocals])
	c.declareDatasets(byType[lang.BlockDataset])
	c.declareRenderers(byType[lang.BlockRenderer])
	c.declareManifests(byType[lang.BlockManifest])
	c.declareExperiments(byType[lang.BlockExperiment])

	c.evalVariables()
	c.evalLocals()
	for _, name := range slices.Sorted(maps.Keys(c.datasets)) {
		c.checkDataset(c.datasets[name])
	}
	for _, name := range slices.Sorted(maps.Keys(c.renderers)) {
		c.checkRenderer(c.renderers[name])
	}
	for _, name := range c.manOrder {
		c.checkManifest(c.manifests[name])
	}
	c.checkManifestCycles()
	for _, e := range c.experiments {
		c.checkExperiment(e)
	}
	c.warnUnusedVariables()
	if len(c.experiments) == 0 && !c.diags.HasErrors() {
		// With other errors (say a misspelt "experimnt" block) the
		// missing experiment is most likely their consequence.
		rng := hcl.Range{Filename: "", Start: hcl.InitialPos, End: hcl.InitialPos}
		if len(c.rec.Sources) > 0 {
			rng.Filename = c.rec.Sources[0].Name
		}
		c.errorf(diag.NoExperiment, rng, "No experiment", "The recipe declares no experiment block; add `experiment \"NAME\" { stage \"KIND\" \"NAME\" { ... } }`.")
	}
}

// declared checks a block's name label: a valid identifier, unique among
// blocks of its type. It returns false when the block must be skipped.
func (c *compiler) declared(b *hcl.Block, what string, seen map[string]*hcl.Block) bool {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		c.errorf(diag.BadLabels, b.LabelRanges[0], "Invalid "+what+" name",
			"%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name)
		return false
	}
	if prev, dup := seen[name]; dup {
		c.errorf(diag.Duplicate, b.LabelRanges[0], "Duplicate "+what+" "+name,
			"There is already %s named %q, declared at %s.", diag.A(what), name, prev.DefRange)
		return false
	}
	seen[name] = b
	return true
}

// source returns the bytes of the file a range is in.
func (c *compiler) source(r hcl.Range) []byte { return c.src[r.Filename] }
