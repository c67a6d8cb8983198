package compiler

import (
	"maps"
	"slices"
	"sort"

	"github.com/zclconf/go-cty/cty"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/diag"
)

// lower builds one plan per experiment (only the selected one when
// Options.Experiment is set). Plans are built even when there are
// errors, but callers only hand them out when there are none.
func (c *compiler) lower() []*ir.Plan {
	exps := c.experiments
	if c.opts.Experiment != "" {
		exps = nil
		for _, e := range c.experiments {
			if e.name == c.opts.Experiment {
				exps = append(exps, e)
			}
		}
		if len(exps) == 0 && len(c.experiments) > 0 {
			c.errorf(diag.ExperimentChoice, cmdLineRange, "Unknown experiment "+c.opts.Experiment,
				"--experiment %s names no experiment.%s Experiments: %s.", c.opts.Experiment,
				diag.DidYouMean(c.opts.Experiment, c.experimentNames()), joinNames(c.experimentNames()))
		}
	}
	plans := make([]*ir.Plan, 0, len(exps))
	for _, e := range exps {
		plans = append(plans, c.lowerExperiment(e))
	}
	return plans
}

func (c *compiler) lowerExperiment(e *experiment) *ir.Plan {
	p := &ir.Plan{
		IRVersion:   ir.Version,
		Experiment:  e.name,
		Description: e.description,
		BaseDir:     c.rec.Dir,
		Sources:     c.sources(),
		Variables:   c.planVariables(),
		Stages:      []ir.Stage{},
	}
	for _, s := range e.order {
		if s.kind == nil {
			continue
		}
		st := ir.Stage{
			ID: s.name, Kind: s.kindName, Inputs: s.inputs,
			// Never nil: plans encode no dependencies as [], not null.
			DependsOn: append([]string{}, slices.Sorted(maps.Keys(s.deps))...),
			Ports:     append([]string(nil), s.kind.Ports...),
			Range:     c.irRange(s.block.DefRange),
			Hash:      s.hash,
		}
		sort.Strings(st.Ports)
		p.Stages = append(p.Stages, st)
		for _, v := range s.inputs {
			switch {
			case v.IsRef(rootDataset):
				if d, ok := c.datasets[v.RefName()]; ok {
					if p.Datasets == nil {
						p.Datasets = map[string]ir.Dataset{}
					}
					p.Datasets[d.name] = d.ir
				}
			case v.IsRef(rootRenderer):
				if r, ok := c.renderers[v.RefName()]; ok {
					if p.Renderers == nil {
						p.Renderers = map[string]ir.Renderer{}
					}
					p.Renderers[r.name] = r.ir
				}
			}
		}
	}
	for _, name := range c.manOrder {
		if p.Manifests == nil {
			p.Manifests = map[string]ir.Manifest{}
		}
		p.Manifests[name] = c.manifests[name].ir
	}
	return p
}

// planVariables records each variable's final value; secrets as
// references, values that could not be computed are left out.
func (c *compiler) planVariables() map[string]ir.Value {
	out := map[string]ir.Value{}
	for _, name := range c.varOrder {
		v := c.vars[name]
		switch {
		case v.secret != nil:
			out[name] = ir.Value{Type: catalogType(v.typ), Secret: v.secret}
		case v.value.IsWhollyKnown() && !v.value.IsNull():
			if x, err := anyValue(v.value); err == nil {
				typ := v.typ
				if typ == cty.DynamicPseudoType {
					typ = v.value.Type()
				}
				if val, err := ir.Literal(catalogType(typ), x); err == nil {
					out[name] = val
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
