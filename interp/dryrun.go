package interp

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp/journal"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// DryRun prints what Run would do, like `terraform plan`: the port
// bindings, then every stage in execution order with its dependencies,
// the adapter behind each of its ports, its resolved inputs (secrets shown
// as where they come from, never their value) and its estimated steps. It
// checks the plan as Run does but constructs no adapter, reads no secret
// and touches nothing on disk.
func DryRun(w io.Writer, opts Options) error {
	if opts.Plan == nil {
		return fmt.Errorf("no plan")
	}
	if opts.Catalog == nil {
		opts.Catalog = Catalog()
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	bound := bindPorts(opts.Bindings)
	nodes, perr := buildGraph(opts.Plan, opts.Catalog, bound)
	if perr != nil {
		return perr
	}
	used := usedPorts(nodes, bound)
	if problems := adapterConfigs(bound, used, nil); len(problems) > 0 {
		return &PlanError{Problems: problems}
	}
	p := opts.Plan
	manifest := cmp.Or(opts.Manifest, schema.DefaultManifest)
	fmt.Fprintf(w, "Dry run of experiment %q: %d stage(s), manifest %q. Nothing will be run or written.\n", p.Experiment, len(nodes), manifest)
	for _, n := range nodes {
		n.hash = effectiveHash(n, bound)
	}
	if opts.ResumeDir != "" {
		prior, err := readPrior(opts.ResumeDir, p.Experiment)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Would resume %s (attempt %d).\n", opts.ResumeDir, prior.attempts+1)
		(&runner{nodes: nodes}).decide(prior)
	}
	fmt.Fprintf(w, "\nPorts:\n")
	for _, port := range used {
		b := bound[port]
		fmt.Fprintf(w, "  %-17s -> %s%s", port, b.Adapter, fakeLabel(b))
		if b.Origin != "" {
			fmt.Fprintf(w, "  from %s", b.Origin)
		}
		fmt.Fprintln(w)
		for _, name := range slices.Sorted(maps.Keys(b.Config)) {
			fmt.Fprintf(w, "      %s = %s\n", name, showValue(p, opts.Catalog, b.Config[name], opts.Getenv))
		}
	}
	for i, n := range nodes {
		fmt.Fprintf(w, "\n%d. %s (%s)  %s\n", i+1, n.st.ID, n.st.Kind, Location(n.st.Range))
		after := "-"
		if len(n.st.DependsOn) > 0 {
			after = strings.Join(n.st.DependsOn, ", ")
		}
		fmt.Fprintf(w, "   after:  %s\n", after)
		if len(n.ports) > 0 {
			var parts []string
			for _, port := range n.ports {
				b := bound[port]
				parts = append(parts, port+" -> "+b.Adapter+fakeLabel(b))
			}
			fmt.Fprintf(w, "   ports:  %s\n", strings.Join(parts, ", "))
		}
		if len(n.st.Inputs) > 0 {
			fmt.Fprintf(w, "   inputs:\n")
			width := 0
			for name := range n.st.Inputs {
				width = max(width, len(name))
			}
			for _, name := range slices.Sorted(maps.Keys(n.st.Inputs)) {
				fmt.Fprintf(w, "     %-*s = %s\n", width, name, showValue(p, opts.Catalog, n.st.Inputs[name], opts.Getenv))
			}
		}
		if steps := estimateSteps(n); steps != "" {
			fmt.Fprintf(w, "   steps:  %s\n", steps)
		}
		if opts.ResumeDir != "" {
			fmt.Fprintf(w, "   resume: %s\n", resumeDecision(n))
		}
	}
	return nil
}

func fakeLabel(b *boundPort) string {
	if b.registered && b.adapter.Schema.Fake {
		return " [test fake]"
	}
	return ""
}

// showValue renders an input for people: literals as JSON, references by
// name with what they denote, secrets by where they come from.
func showValue(p *ir.Plan, cat *catalog.Catalog, v ir.Value, getenv func(string) string) string {
	switch {
	case v.Secret != nil:
		state := "set"
		for _, e := range v.Secret.Env {
			if getenv(e) == "" {
				state = "NOT SET: the run will refuse to start"
			}
		}
		return fmt.Sprintf("<secret from %s, %s>", describeSecret(v.Secret), state)
	case v.IsRef("dataset"):
		if d, ok := p.Datasets[v.RefName()]; ok {
			return fmt.Sprintf("%s (source %q, format %s)", v.Ref, d.Source, d.Format)
		}
		return v.Ref + " (missing)"
	case v.IsRef("renderer"):
		if r, ok := p.Renderers[v.RefName()]; ok {
			return fmt.Sprintf("%s (custom, %s)", v.Ref, Location(r.Range))
		}
		if _, ok := cat.Renderers[v.RefName()]; ok {
			return v.Ref + " (built-in)"
		}
		return v.Ref + " (unknown)"
	case v.IsRef("stage"):
		id, _, _ := v.StageRef()
		return fmt.Sprintf("%s (known once %s has run)", v.Ref, id)
	case v.Ref != "":
		return v.Ref
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v.Value); err != nil {
		return string(v.Value)
	}
	return compact.String()
}

// estimateSteps says how many optimizer steps a training stage will take,
// as far as the plan tells without reading the data.
func estimateSteps(n *node) string {
	if n.kind == nil {
		return ""
	}
	if _, ok := n.kind.Input("max_steps"); !ok {
		return ""
	}
	intInput := func(name string) (int64, bool) {
		v, ok := n.st.Inputs[name]
		if !ok || v.Ref != "" || v.Secret != nil {
			return 0, false
		}
		x, err := decodeTyped(v.Value, schema.Int)
		i, _ := x.(int64)
		return i, err == nil
	}
	if max, ok := intInput("max_steps"); ok {
		return fmt.Sprintf("at most %d (max_steps)", max)
	}
	epochs, okE := intInput("num_epochs")
	batch, okB := intInput("batch_size")
	if okE && okB {
		return fmt.Sprintf("%d epoch(s) x floor(training rows / %d) (a last partial batch is dropped), known once the dataset is read", epochs, batch)
	}
	return "unknown until the dataset is read"
}

// readPrior reads a run directory's identity and journal without
// changing anything (for dry runs).
func readPrior(dir, experiment string) (*priorState, error) {
	info, err := ReadRunInfo(dir)
	if err != nil {
		return nil, err
	}
	if info.Experiment != experiment {
		return nil, &RunDirError{Dir: dir, Reason: fmt.Sprintf("it is a run of experiment %q, not %q", info.Experiment, experiment)}
	}
	lines, _, err := journal.ReadLines(filepath.Join(dir, eventsFile))
	if err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "events.jsonl is corrupt", Err: err}
	}
	prior, err := replay(lines)
	if err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "events.jsonl is corrupt", Err: err}
	}
	return prior, nil
}

// resumeDecision says what a resume would do with a stage.
func resumeDecision(n *node) string {
	switch {
	case n.status == StatusReused:
		return "reuse (" + n.reason + ")"
	case n.reason != "":
		return n.reason
	default:
		return "run (it has not finished before)"
	}
}
