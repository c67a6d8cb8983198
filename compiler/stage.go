package compiler

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// experiment is an `experiment` block.
type experiment struct {
	name        string
	block       *hcl.Block
	description string
	stages      []*stage
	byName      map[string]*stage
	order       []*stage // topological order, after checkExperiment
}

// stage is one stage block of an experiment.
type stage struct {
	name     string
	kindName string
	kind     *schema.StageKind // nil when the kind is unknown
	block    *hcl.Block
	index    int
	attrs    hcl.Attributes
	inputs   map[string]ir.Value
	deps     map[string]hcl.Range // upstream stage -> first reference to it
	explicit map[string]bool      // upstream stages named in depends_on
	hash     string
}

func (c *compiler) declareExperiments(blocks []*hcl.Block) {
	seen := map[string]*hcl.Block{}
	for _, b := range blocks {
		if !c.declared(b, "experiment", seen) {
			continue
		}
		e := &experiment{name: b.Labels[0], block: b, byName: map[string]*stage{}}
		content, diags := b.Body.Content(lang.ExperimentSchema)
		c.addAll(diag.Classify(diags, diag.UnknownBlock))
		if a, ok := content.Attributes["description"]; ok {
			if s, ok := c.evalDescription(a); ok {
				e.description = s
			}
		}
		for _, sb := range content.Blocks {
			c.declareStage(e, sb)
		}
		c.experiments = append(c.experiments, e)
	}
}

func (c *compiler) evalDescription(a *hcl.Attribute) (string, bool) {
	if s, ok := lang.StaticString(a.Expr); ok {
		return s, true
	}
	c.errorf(diag.TypeMismatch, a.Expr.Range(), "Invalid description", "A description is a constant string.")
	return "", false
}

func (c *compiler) declareStage(e *experiment, b *hcl.Block) {
	kindName, name := b.Labels[0], b.Labels[1]
	if !hclsyntax.ValidIdentifier(name) {
		c.errorf(diag.BadLabels, b.LabelRanges[1], "Invalid stage name",
			"%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name)
		return
	}
	if prev, dup := e.byName[name]; dup {
		c.errorf(diag.Duplicate, b.LabelRanges[1], "Duplicate stage "+name,
			"Experiment %q already has a stage named %q at %s.", e.name, name, prev.block.DefRange)
		return
	}
	if ir.ReservedStageID(name) {
		// Still declared, so references to it do not cascade.
		c.errorf(diag.BadLabels, b.LabelRanges[1], "Reserved stage name "+name,
			"A stage's directory sits in the run directory beside %s, so a stage cannot be named %q; rename it.",
			joinNames(ir.ReservedStageIDs()), name)
	}
	s := &stage{name: name, kindName: kindName, block: b, index: len(e.stages),
		inputs: map[string]ir.Value{}, deps: map[string]hcl.Range{}, explicit: map[string]bool{}}
	if k, ok := c.cat.Stages[kindName]; ok {
		s.kind = k
	} else {
		names := c.cat.StageNames()
		c.errorf(diag.UnknownStageKind, b.LabelRanges[0], "Unknown stage kind "+kindName,
			"There is no stage kind %q.%s Kinds: %s.", kindName, diag.DidYouMean(kindName, names), joinNames(names))
	}
	e.stages = append(e.stages, s)
	e.byName[name] = s
}

func (c *compiler) experimentNames() []string {
	names := make([]string, len(c.experiments))
	for i, e := range c.experiments {
		names[i] = e.name
	}
	return names
}

func (c *compiler) checkExperiment(e *experiment) {
	for _, s := range e.stages {
		if s.kind != nil {
			c.checkStage(e, s)
		}
	}
	e.order = c.sortStages(e)
	for _, s := range e.order {
		if s.kind != nil {
			c.defaultRenderer(e, s)
			s.hash = c.stageHash(e, s)
		}
	}
}

// checkStage type-checks a stage's inputs and resolves its references.
func (c *compiler) checkStage(e *experiment, s *stage) {
	k := s.kind
	content, diags := s.block.Body.Content(lang.FieldSchema(fieldNames(k.Inputs), lang.DependsOn))
	c.addAll(diag.Classify(diags, diag.UnknownAttribute))
	s.attrs = content.Attributes
	known := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(content.Attributes)) {
		a := content.Attributes[name]
		if name == lang.DependsOn {
			c.dependsOn(e, s, a)
			continue
		}
		f, _ := k.Input(name)
		if v, ok := c.stageRef(e, s, f, a.Expr); ok {
			known[name] = nil
			if v != nil {
				s.inputs[name] = *v
			}
			continue
		}
		val, ok := c.evalValue(a.Expr, "a computed stage input")
		if !ok {
			known[name] = nil
			continue
		}
		if isSecret(val) {
			known[name] = nil
			ref, d := c.secretRef(a.Expr)
			if d != nil {
				c.add(d)
				continue
			}
			s.inputs[name] = ir.Value{Type: f.Type.String(), Secret: ref}
			continue
		}
		got, more := fieldValue(f, val, a.Expr.Range(), "Input")
		c.addAll(more)
		known[name] = got
		if got != nil && !more.HasErrors() {
			s.inputs[name] = irLiteral(f.Type.String(), got)
		}
	}
	for i := range k.Inputs {
		f := &k.Inputs[i]
		if _, set := content.Attributes[f.Name]; set {
			continue
		}
		if f.Required {
			c.errorf(diag.MissingAttribute, s.block.DefRange, "Missing "+f.Name,
				"Stage %q (%s) needs %s: %s", s.name, k.Name, f.Name, f.Doc)
			known[f.Name] = nil // one diagnostic per root cause
			continue
		}
		if f.Default != nil {
			s.inputs[f.Name] = c.defaultValue(f)
		}
	}
	// After an unknown attribute (often a misspelt input) the kind's
	// cross-field check would only repeat the same mistake ("model is
	// missing" for "modle"), so it is skipped.
	if k.Check != nil && !diags.HasErrors() {
		view := map[string]any{}
		for _, f := range k.Inputs {
			if f.Default != nil {
				view[f.Name] = f.Default
			}
		}
		for n, v := range known {
			view[n] = v
		}
		for _, p := range k.Check(view) {
			rng := s.block.DefRange
			if a, ok := content.Attributes[p.Field]; ok {
				rng = a.Expr.Range()
			}
			c.errorf(diag.Constraint, rng, p.Summary, "%s", p.Detail)
		}
	}
}

// defaultValue returns the IR value of a field's default, built once per
// compilation (IR values are never modified, so stages share it).
func (c *compiler) defaultValue(f *schema.Field) ir.Value {
	if v, ok := c.defaults[f]; ok {
		return v
	}
	v := irLiteral(f.Type.String(), f.Default)
	c.defaults[f] = v
	return v
}

// dependsOn records a depends_on list of stage references.
func (c *compiler) dependsOn(e *experiment, s *stage, a *hcl.Attribute) {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		c.errorf(diag.InvalidRef, a.Expr.Range(), "Invalid depends_on", "depends_on is a list of stage references, e.g. [stage.train].")
		return
	}
	for _, x := range exprs {
		t, isTraversal := c.refTraversal(x)
		if !isTraversal || t.RootName() != rootStage || len(t) != 2 || attrName(t[1]) == "" {
			c.errorf(diag.InvalidRef, x.Range(), "Invalid depends_on entry", "Each depends_on entry is a stage reference: stage.NAME.")
			continue
		}
		name := attrName(t[1])
		if !c.linkStage(e, s, name, t.SourceRange()) {
			continue
		}
		s.explicit[name] = true
	}
}

// linkStage records that s depends on stage name, reporting undefined and
// self references. It returns false when it reported a problem.
func (c *compiler) linkStage(e *experiment, s *stage, name string, rng hcl.Range) bool {
	if _, ok := e.byName[name]; !ok {
		c.errorf(diag.UndefinedRef, rng, "Undefined stage "+name,
			"Experiment %q has no stage %q.%s", e.name, name, diag.DidYouMean(name, stageNames(e)))
		return false
	}
	if name == s.name {
		c.errorf(diag.Cycle, rng, "Stage depends on itself",
			"The stages depend on each other in a cycle: stage.%s -> stage.%s.", s.name, s.name)
		return false
	}
	if _, seen := s.deps[name]; !seen {
		s.deps[name] = rng
	}
	return true
}

func stageNames(e *experiment) []string {
	names := make([]string, len(e.stages))
	for i, s := range e.stages {
		names[i] = s.name
	}
	return names
}

// refTraversal returns the traversal an expression consists of: a bare
// reference in native syntax (dataset.chat), or in JSON syntax a string
// holding exactly one interpolation ("${dataset.chat}").
func (c *compiler) refTraversal(expr hcl.Expression) (hcl.Traversal, bool) {
	if _, native := expr.(hclsyntax.Expression); native {
		t, diags := hcl.AbsTraversalForExpr(expr)
		return t, !diags.HasErrors()
	}
	rng := expr.Range()
	src := c.source(rng)
	if rng.Start.Byte < 0 || rng.End.Byte > len(src) || rng.Start.Byte >= rng.End.Byte {
		return nil, false
	}
	var str string
	if json.Unmarshal(src[rng.Start.Byte:rng.End.Byte], &str) != nil {
		return nil, false
	}
	inner, ok := strings.CutPrefix(str, "${")
	if !ok {
		return nil, false
	}
	inner, ok = strings.CutSuffix(inner, "}")
	if !ok {
		return nil, false
	}
	start := rng.Start
	start.Byte += 3 // past `"${`
	start.Column += 3
	t, diags := hclsyntax.ParseTraversalAbs([]byte(inner), rng.Filename, start)
	return t, !diags.HasErrors()
}

// stageRef lowers an input whose whole value is a dataset, renderer or
// stage reference. ok is false when expr is not such a reference; v is
// nil when the reference was wrong (a diagnostic was reported).
func (c *compiler) stageRef(e *experiment, s *stage, f *schema.Field, expr hcl.Expression) (v *ir.Value, ok bool) {
	t, isTraversal := c.refTraversal(expr)
	if !isTraversal {
		return nil, false
	}
	root := t.RootName()
	if root != rootDataset && root != rootRenderer && root != rootStage {
		return nil, false
	}
	rng := t.SourceRange()
	want := 2
	if root == rootStage {
		want = 3
	}
	names := make([]string, 0, 2)
	for _, step := range t[1:] {
		names = append(names, attrName(step))
	}
	for _, n := range names {
		if n == "" {
			want = -1
		}
	}
	if len(t) != want {
		shape := map[string]string{rootDataset: "dataset.NAME", rootRenderer: "renderer.NAME", rootStage: "stage.NAME.OUTPUT"}[root]
		c.errorf(diag.InvalidRef, rng, "Invalid "+root+" reference", "Write %s.", shape)
		return nil, true
	}
	var typ schema.Type
	switch root {
	case rootDataset:
		if _, found := c.datasets[names[0]]; !found {
			c.errorf(diag.UndefinedRef, rng, "Undefined dataset "+names[0],
				"No dataset %q is declared.%s", names[0], diag.DidYouMean(names[0], slices.Sorted(maps.Keys(c.datasets))))
			return nil, true
		}
		typ = schema.Dataset
	case rootRenderer:
		_, custom := c.renderers[names[0]]
		_, builtin := c.cat.Renderers[names[0]]
		if !custom && !builtin {
			all := append(slices.Sorted(maps.Keys(c.renderers)), c.cat.RendererNames()...)
			c.errorf(diag.UndefinedRef, rng, "Undefined renderer "+names[0],
				"No renderer %q is built in or declared.%s", names[0], diag.DidYouMean(names[0], all))
			return nil, true
		}
		typ = schema.Renderer
	case rootStage:
		if !c.linkStage(e, s, names[0], rng) {
			return nil, true
		}
		up := e.byName[names[0]]
		typ = schema.Any
		if up.kind != nil {
			out, found := up.kind.Output(names[1])
			if !found {
				outs := make([]string, len(up.kind.Outputs))
				for i, o := range up.kind.Outputs {
					outs[i] = o.Name
				}
				c.errorf(diag.UnknownOutput, rng, "Unknown output "+names[1],
					"Stage %q (%s) has no output %q.%s Outputs: %s.", up.name, up.kind.Name, names[1], diag.DidYouMean(names[1], outs), joinNames(outs))
				return nil, true
			}
			typ = out.Type
		}
	}
	if !refCompatible(f.Type, typ) {
		c.errorf(diag.TypeMismatch, rng, "Wrong type for "+f.Name,
			"Input %q expects %s, got %s (%s).", f.Name, f.Type, typ, t.RootName()+"."+joinDots(names))
		return nil, true
	}
	return &ir.Value{Type: typ.String(), Ref: root + "." + joinDots(names)}, true
}

func joinDots(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += "."
		}
		s += n
	}
	return s
}

// refCompatible reports whether a reference of type got may fill an input
// of type want.
func refCompatible(want, got schema.Type) bool {
	return want.Kind == schema.KindAny || got.Kind == schema.KindAny || want.String() == got.String()
}

// defaultRenderer fills in an omitted renderer: inherited from the stage
// that produced the checkpoint this stage starts from, else the model's
// recommended renderer (with a warning that names it).
func (c *compiler) defaultRenderer(e *experiment, s *stage) {
	if _, has := s.kind.Input("renderer"); !has {
		return
	}
	if _, set := s.attrs["renderer"]; set {
		return
	}
	for _, f := range s.kind.Inputs {
		if f.Type.Kind != schema.KindCheckpoint {
			continue
		}
		id, _, ok := s.inputs[f.Name].StageRef()
		if !ok {
			continue
		}
		if up := e.byName[id]; up != nil {
			if r, ok := up.inputs["renderer"]; ok {
				s.inputs["renderer"] = r
				return
			}
		}
	}
	model, ok := s.inputs["model"]
	var name string
	if !ok || model.Value == nil || json.Unmarshal(model.Value, &name) != nil {
		return
	}
	rec, listed := c.cat.RecommendedRenderer(name)
	if rec == "" {
		return
	}
	why := fmt.Sprintf("the recommended renderer for %s", name)
	if !listed {
		why = fmt.Sprintf("the default, because %s is not in the model table", name)
	}
	c.warnf(diag.RendererDefaulted, s.block.DefRange, "Renderer not set; using "+rec,
		"Stage %q omits renderer, so it uses %s, %s. Set renderer = renderer.%s to make the choice explicit.", s.name, rec, why, rec)
	s.inputs["renderer"] = ir.Value{Type: schema.Renderer.String(), Ref: "renderer." + rec}
}
