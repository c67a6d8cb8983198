package interp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// node is one stage of the DAG being run.
type node struct {
	idx        int
	st         *ir.Stage
	kind       *schema.StageKind
	impl       stage.Impl
	dirless    bool // the kind never writes to its stage directory
	ports      []string
	deps       []*node
	dependents []*node
	hash       string // effective input hash, see effectiveHash

	// Set by the resume decision and the run.
	waiting     int
	status      string
	resume      bool
	invalidated bool // finished in an earlier attempt but must run again
	reason      string
	started     time.Time
	elapsed     time.Duration
	err         error
	outputs     map[string]json.RawMessage
}

// PlanError lists what makes a plan impossible to run under a manifest;
// nothing has run when it is returned.
type PlanError struct {
	Problems []string
}

// Error lists the problems, one per line.
func (e *PlanError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0]
	}
	return fmt.Sprintf("%d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Location formats a source range as file:line:col.
func Location(r ir.Range) string {
	if r.Filename == "" {
		return "(no source)"
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// buildGraph checks the plan against the catalog, the stage
// implementations and the bound ports, and links the nodes. With problems it
// still returns the nodes (linked as far as possible), so callers can
// report further problems in the same message.
func buildGraph(p *ir.Plan, cat *catalog.Catalog, bindings boundPorts) ([]*node, *PlanError) {
	var problems []string
	add := func(st *ir.Stage, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("stage %q at %s: ", st.ID, Location(st.Range))+fmt.Sprintf(format, args...))
	}
	nodes := make([]*node, len(p.Stages))
	byID := make(map[string]*node, len(p.Stages))
	for i := range p.Stages {
		st := &p.Stages[i]
		n := &node{idx: i, st: st, kind: cat.Stages[st.Kind]}
		nodes[i] = n
		switch {
		case st.ID == "" || strings.ContainsAny(st.ID, `/\`) || st.ID == "." || st.ID == "..":
			add(st, "invalid stage id")
		case ir.ReservedStageID(st.ID):
			add(st, "the name %q is reserved in run directories; rename the stage", st.ID)
		case byID[st.ID] != nil:
			add(st, "duplicate stage id")
		}
		byID[st.ID] = n
		if n.kind == nil {
			add(st, "unknown stage kind %q", st.Kind)
		} else if k, ok := stage.Lookup(st.Kind); ok && k.Implemented() {
			n.impl, n.dirless = k.Impl, k.Dirless
		} else {
			add(st, "stage kind %q has no implementation in this build of cookbookc", st.Kind)
		}
		n.ports = stagePortList(st, cat)
		for _, port := range n.ports {
			b, ok := bindings[port]
			if !ok || b.Adapter == "" {
				add(st, "needs port %s, which the manifest does not bind", port)
				continue
			}
			if !b.registered {
				add(st, "port %s is bound to adapter %q (%s), which is not registered in this build", port, b.Adapter, b.Origin)
			}
		}
	}
	for _, n := range nodes {
		for _, dep := range n.st.DependsOn {
			d := byID[dep]
			switch {
			case d == nil:
				add(n.st, "depends on unknown stage %q", dep)
			case d.idx >= n.idx:
				add(n.st, "depends on %q, which does not come before it (the plan is not in topological order)", dep)
			default:
				n.deps = append(n.deps, d)
				d.dependents = append(d.dependents, n)
			}
		}
		for name, v := range n.st.Inputs {
			if id, _, ok := v.StageRef(); ok && !slices.Contains(n.st.DependsOn, id) {
				add(n.st, "input %q refers to stage %q, which is not in depends_on", name, id)
			}
		}
	}
	if len(problems) > 0 {
		return nodes, &PlanError{Problems: problems}
	}
	return nodes, nil
}

// effectiveHash is the hash that decides whether a finished stage can be
// reused: the compiler's stage hash (its kind and inputs, with references
// replaced by what they denote), the effective hashes of the stages it
// depends on, and the adapters (and their configs) serving its ports, so
// a resume under another manifest re-runs the stage.
func effectiveHash(n *node, bindings boundPorts) string {
	h := sha256.New()
	if n.st.Hash != "" {
		fmt.Fprintf(h, "stage:%s\n", n.st.Hash)
	} else {
		data, _ := json.Marshal(struct {
			Kind   string              `json:"kind"`
			Inputs map[string]ir.Value `json:"inputs"`
		}{n.st.Kind, n.st.Inputs})
		fmt.Fprintf(h, "inputs:%s\n", data)
	}
	deps := make([]string, 0, len(n.deps))
	for _, d := range n.deps {
		deps = append(deps, d.st.ID+"="+d.hash)
	}
	sort.Strings(deps)
	for _, d := range deps {
		fmt.Fprintf(h, "dep:%s\n", d)
	}
	for _, port := range n.ports {
		var b compiler.Binding
		if bp := bindings[port]; bp != nil {
			b = bp.Binding
		}
		cfg, _ := json.Marshal(b.Config)
		fmt.Fprintf(h, "port:%s=%s %s\n", port, b.Adapter, cfg)
	}
	return hex.EncodeToString(h.Sum(nil))
}
