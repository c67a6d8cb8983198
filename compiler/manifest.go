package compiler

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/cookbookc/cookbookc/compiler/catalog"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang"
	"github.com/cookbookc/cookbookc/lang/diag"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// manifest is a recipe `manifest` block.
type manifest struct {
	name    string
	block   *hcl.Block
	extends *hcl.Attribute
	ir      ir.Manifest
}

func (c *compiler) declareManifests(blocks []*hcl.Block) {
	seen := map[string]*hcl.Block{}
	for _, b := range blocks {
		if c.declared(b, "manifest", seen) {
			c.manifests[b.Labels[0]] = &manifest{name: b.Labels[0], block: b}
			c.manOrder = append(c.manOrder, b.Labels[0])
		}
	}
}

// manifestNames lists built-in and recipe manifest names.
func (c *compiler) manifestNames() []string {
	names := c.cat.ManifestNames()
	for _, n := range c.manOrder {
		if _, builtin := c.cat.Manifests[n]; !builtin {
			names = append(names, n)
		}
	}
	return names
}

func (c *compiler) checkManifest(m *manifest) {
	content, diags := m.block.Body.Content(lang.ManifestSchema)
	c.addAll(diag.Classify(diags, diag.UnknownAttribute))
	m.ir = ir.Manifest{Name: m.name, Ports: map[string]ir.PortBinding{}, Range: c.irRange(m.block.DefRange)}
	if a, ok := content.Attributes["extends"]; ok {
		name, ok := c.evalString(a.Expr, "extends")
		_, builtin := c.cat.Manifests[m.name]
		_, recipe := c.manifests[name]
		_, base := c.cat.Manifests[name]
		switch {
		case !ok:
		case builtin:
			c.errorf(diag.InvalidValue, a.NameRange, "Built-in manifest cannot extend",
				"Manifest %q has the name of a built-in manifest, so it overrides that manifest port by port; remove extends, or choose a new name.", m.name)
		case !recipe && !base:
			c.errorf(diag.UnknownManifest, a.Expr.Range(), "Unknown manifest "+name,
				"There is no manifest %q to extend.%s Manifests: %s.", name, diag.DidYouMean(name, c.manifestNames()), joinNames(c.manifestNames()))
		default:
			m.extends = a
			m.ir.Extends = name
		}
	}
	seen := map[string]*hcl.Block{}
	for _, pb := range content.Blocks {
		port := pb.Labels[0]
		if !schema.IsPort(port) {
			c.errorf(diag.UnknownPort, pb.LabelRanges[0], "Unknown port "+port,
				"There is no port %q.%s Ports: %s.", port, diag.DidYouMean(port, schema.Ports), strings.Join(schema.Ports, ", "))
			continue
		}
		if prev, dup := seen[port]; dup {
			c.errorf(diag.Duplicate, pb.LabelRanges[0], "Duplicate port "+port, "Port %q is already bound at %s.", port, prev.DefRange)
			continue
		}
		seen[port] = pb
		if b, ok := c.checkPort(port, pb); ok {
			m.ir.Ports[port] = b
		}
	}
}

func (c *compiler) checkPort(port string, b *hcl.Block) (ir.PortBinding, bool) {
	content, diags := b.Body.Content(lang.PortSchema)
	c.addAll(diag.Classify(diags, diag.UnknownAttribute))
	a, ok := content.Attributes["adapter"]
	if !ok {
		return ir.PortBinding{}, false
	}
	name, ok := c.evalString(a.Expr, "adapter")
	if !ok {
		return ir.PortBinding{}, false
	}
	schema, ok := c.cat.Adapter(port, name)
	if !ok {
		names := c.cat.AdapterNames(port)
		c.errorf(diag.UnknownAdapter, a.Expr.Range(), "Unknown adapter "+name,
			"No adapter %q is registered for port %s.%s Adapters for %s: %s.", name, port, diag.DidYouMean(name, names), port, orNone(names))
		return ir.PortBinding{}, false
	}
	pb := ir.PortBinding{Adapter: name, Range: c.irRange(b.DefRange)}
	var cfgBody hcl.Body
	for i, cb := range content.Blocks {
		if i > 0 {
			c.errorf(diag.Duplicate, cb.DefRange, "Duplicate config block", "A port has at most one config block.")
			continue
		}
		cfgBody = cb.Body
	}
	cfg, good := c.checkConfig(schema, cfgBody, b.DefRange)
	pb.Config = cfg
	return pb, good
}

func withSpace(doc string) string {
	if doc == "" {
		return ""
	}
	return " " + doc
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "(none registered)"
	}
	return strings.Join(names, ", ")
}

// checkConfig checks an adapter config block against the adapter's
// schema: known attributes, types and bounds, required fields, and
// sensitive fields set from env().
func (c *compiler) checkConfig(schema *schema.AdapterSchema, body hcl.Body, def hcl.Range) (map[string]ir.Value, bool) {
	out := map[string]ir.Value{}
	ok := true
	attrs := hcl.Attributes{}
	if body != nil {
		var diags hcl.Diagnostics
		attrs, diags = body.JustAttributes()
		c.addAll(diag.Classify(diags, diag.UnknownBlock))
	}
	names := fieldNames(schema.Config)
	for _, n := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[n]
		f, known := schema.Field(n)
		if !known {
			c.errorf(diag.AdapterConfig, a.NameRange, "Unknown config "+n,
				"Adapter %q (port %s) has no config attribute %q.%s Attributes: %s.", schema.Name, schema.Port, n, diag.DidYouMean(n, names), orNone(names))
			ok = false
			continue
		}
		val, good := c.evalValue(a.Expr, "adapter config")
		if !good {
			ok = false
			continue
		}
		if isSecret(val) {
			ref, d := c.secretRef(a.Expr)
			if d != nil {
				c.add(d)
				ok = false
				continue
			}
			out[n] = ir.Value{Type: f.Type.String(), Secret: ref}
			continue
		}
		if f.Sensitive && val.IsKnown() {
			// An unknown value comes from an expression whose error was
			// reported (a secret derived through too many locals is
			// E107 there); it is no literal.
			c.errorf(diag.SensitiveLiteral, a.Expr.Range(), "Sensitive value not from env()",
				"%s is sensitive: set it with env(\"NAME\") so the secret never appears in the recipe or the plan.", n)
			ok = false
			continue
		}
		got, more := fieldValue(f, val, a.Expr.Range(), "Config attribute")
		c.addAll(more)
		if more.HasErrors() {
			ok = false
			continue
		}
		if got != nil {
			out[n] = irLiteral(f.Type.String(), got)
		}
	}
	for i := range schema.Config {
		f := &schema.Config[i]
		if _, set := attrs[f.Name]; !set && f.Required {
			c.errorf(diag.AdapterConfig, def, "Missing config "+f.Name,
				"Adapter %q (port %s) needs config attribute %q.%s", schema.Name, schema.Port, f.Name, withSpace(f.Doc))
			ok = false
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, ok
}

// checkManifestCycles reports recipe manifests whose extends chain loops,
// once per cycle, at the member declared first. Each manifest is walked
// once (following every chain from every manifest was quadratic in the
// length of a chain).
func (c *compiler) checkManifestCycles() {
	const onPath, done = 1, 2
	state := map[string]int{}
	order := map[string]int{}
	for i, n := range c.manOrder {
		order[n] = i
	}
	for _, start := range c.manOrder {
		var path []string
		at := map[string]int{}
		for cur := start; ; {
			m := c.manifests[cur]
			if m == nil || state[cur] == done {
				break
			}
			if state[cur] == onPath {
				cycle := path[at[cur]:]
				first := 0
				for i, n := range cycle {
					if order[n] < order[cycle[first]] {
						first = i
					}
				}
				names := append(append(append([]string{}, cycle[first:]...), cycle[:first]...), cycle[first])
				c.errorf(diag.Cycle, c.manifests[cycle[first]].extends.Expr.Range(), "Manifest extends itself",
					"The manifests extend each other in a cycle: %s.", strings.Join(names, " -> "))
				break
			}
			state[cur] = onPath
			at[cur] = len(path)
			path = append(path, cur)
			if m.ir.Extends == "" {
				break
			}
			cur = m.ir.Extends
		}
		for _, n := range path {
			state[n] = done
		}
	}
}

// Binding is one resolved port binding.
type Binding struct {
	Port    string
	Adapter string
	Config  map[string]ir.Value
	// Origin says where the binding came from: `manifest "prod"
	// (built-in)`, `recipe.hcl:40` or `--port`.
	Origin string
	// Range is the recipe range of the binding (zero for built-ins and
	// --port).
	Range ir.Range
}

// ResolveManifest resolves the manifest name ("" means
// schema.DefaultManifest) for
// plan: a built-in manifest from the catalog, overridden port by port by a
// recipe manifest of the same name; a recipe manifest with a new name
// extends its `extends` manifest (the default one when unset); overrides
// (--port PORT=ADAPTER) apply last. It checks that every port a stage of
// the plan needs is bound to a registered adapter whose required config is
// set, and returns the bindings of every bound port.
func ResolveManifest(cat *catalog.Catalog, plan *ir.Plan, name string, overrides map[string]string) (map[string]Binding, hcl.Diagnostics) {
	name = cmp.Or(name, schema.DefaultManifest)
	r := &resolver{cat: cat, plan: plan}
	bindings := r.resolve(name, nil)
	if r.diags.HasErrors() {
		return nil, r.diags
	}
	for _, port := range slices.Sorted(maps.Keys(overrides)) {
		adapter := overrides[port]
		if !schema.IsPort(port) {
			r.errorf(diag.UnknownPort, cmdLineRange, "Unknown port "+port, "--port %s=%s: there is no port %q.%s", port, adapter, port, diag.DidYouMean(port, schema.Ports))
			continue
		}
		b := Binding{Port: port, Adapter: adapter, Origin: "--port"}
		if prev, ok := bindings[port]; ok && prev.Adapter == adapter {
			b.Config = prev.Config
		}
		bindings[port] = b
	}
	r.check(bindings)
	if r.diags.HasErrors() {
		return nil, r.diags
	}
	return bindings, r.diags
}

type resolver struct {
	cat   *catalog.Catalog
	plan  *ir.Plan
	diags hcl.Diagnostics
}

func (r *resolver) errorf(code diag.Code, rng hcl.Range, summary, format string, args ...any) {
	r.diags = append(r.diags, diag.New(code, rng, summary, fmt.Sprintf(format, args...)))
}

func (r *resolver) resolve(name string, visiting []string) map[string]Binding {
	for _, v := range visiting {
		if v == name {
			r.errorf(diag.Cycle, cmdLineRange, "Manifest extends itself", "The manifests extend each other in a cycle: %s.", strings.Join(append(visiting, name), " -> "))
			return map[string]Binding{}
		}
	}
	recipe, inRecipe := r.plan.Manifests[name]
	builtin, isBuiltin := r.cat.Manifests[name]
	out := map[string]Binding{}
	switch {
	case isBuiltin:
		for port, b := range builtin.Ports {
			out[port] = Binding{Port: port, Adapter: b.Adapter, Config: r.builtinConfig(port, b), Origin: fmt.Sprintf("manifest %q (built-in)", name)}
		}
	case inRecipe:
		base := cmp.Or(recipe.Extends, schema.DefaultManifest)
		out = r.resolve(base, append(visiting, name))
	default:
		names := r.cat.ManifestNames()
		for n := range r.plan.Manifests {
			if _, ok := r.cat.Manifests[n]; !ok {
				names = append(names, n)
			}
		}
		r.errorf(diag.UnknownManifest, cmdLineRange, "Unknown manifest "+name,
			"There is no manifest %q.%s Manifests: %s.", name, diag.DidYouMean(name, names), joinNames(names))
		return out
	}
	if inRecipe {
		for port, b := range recipe.Ports {
			out[port] = Binding{Port: port, Adapter: b.Adapter, Config: b.Config, Range: b.Range,
				Origin: fmt.Sprintf("%s:%d", b.Range.Filename, b.Range.Start.Line)}
		}
	}
	return out
}

// builtinConfig converts a built-in binding's Go config to IR values,
// typed by the adapter schema when the adapter is registered.
func (r *resolver) builtinConfig(port string, b schema.ManifestPort) map[string]ir.Value {
	if len(b.Config) == 0 {
		return nil
	}
	schema, _ := r.cat.Adapter(port, b.Adapter)
	out := map[string]ir.Value{}
	for k, v := range b.Config {
		typ := "any"
		if schema != nil {
			if f, ok := schema.Field(k); ok {
				typ = f.Type.String()
			}
		}
		val, err := ir.Literal(typ, v)
		if err == nil {
			out[k] = val
		}
	}
	return out
}

// check reports, once per port, every port a stage needs that is unbound,
// bound to an unregistered adapter, or missing required config.
func (r *resolver) check(bindings map[string]Binding) {
	done := map[string]bool{}
	for _, st := range r.plan.Stages {
		for _, port := range st.Ports {
			if done[port] {
				continue
			}
			done[port] = true
			stageRange := fromIRRange(st.Range)
			b, ok := bindings[port]
			if !ok {
				r.errorf(diag.UnboundPort, stageRange, "Port "+port+" is not bound",
					"Stage %q (%s) needs port %s, which the manifest does not bind; add port %q { adapter = \"...\" } to a manifest or pass --port %s=ADAPTER.", st.ID, st.Kind, port, port, port)
				continue
			}
			subject := stageRange
			if b.Range.Filename != "" {
				subject = fromIRRange(b.Range)
			}
			schema, ok := r.cat.Adapter(port, b.Adapter)
			if !ok {
				names := r.cat.AdapterNames(port)
				r.errorf(diag.UnknownAdapter, subject, "Unknown adapter "+b.Adapter,
					"Stage %q needs port %s, bound by %s to adapter %q, which is not registered.%s Adapters for %s: %s.", st.ID, port, b.Origin, b.Adapter, diag.DidYouMean(b.Adapter, names), port, orNone(names))
				continue
			}
			for _, f := range schema.Config {
				if _, set := b.Config[f.Name]; f.Required && !set {
					r.errorf(diag.AdapterConfig, subject, "Missing config "+f.Name,
						"Adapter %q (port %s, bound by %s) needs config attribute %q.%s", b.Adapter, port, b.Origin, f.Name, withSpace(f.Doc))
				}
			}
		}
	}
}

func fromIRRange(r ir.Range) hcl.Range {
	return hcl.Range{
		Filename: r.Filename,
		Start:    hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      hcl.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}
