package interp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp/journal"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

// Options configures a run.
type Options struct {
	Plan *ir.Plan
	// Catalog defaults to Catalog().
	Catalog *catalog.Catalog
	// Bindings maps each port to its adapter (compiler.ResolveManifest;
	// Load returns them).
	Bindings map[string]compiler.Binding
	// Manifest and PortOverrides are recorded in run.json so that a
	// resume can reuse them.
	Manifest      string
	PortOverrides map[string]string

	// RunsDir is where new run directories go (default "runs").
	RunsDir string
	// ResumeDir, when set, continues that run directory instead of
	// creating a new one.
	ResumeDir string
	// Parallel bounds the number of stages running at once (default:
	// the number of CPUs).
	Parallel int

	// Getenv reads secrets (default os.Getenv).
	Getenv func(string) string
	// ResolveSecret rebuilds secrets (default compiler.ResolveSecret).
	ResolveSecret SecretResolver
	// Observer receives events as they happen.
	Observer Observer
	// RunID overrides the generated run id (tests).
	RunID string
}

// StageResult is how one stage ended.
type StageResult struct {
	ID, Kind string
	Range    ir.Range
	// Status is ok, reused, failed, interrupted, skipped or pending.
	Status string
	// Reason explains a skip, a re-run, or a reuse.
	Reason  string
	Err     error
	Outputs map[string]json.RawMessage
	Resumed bool
	Elapsed time.Duration
}

// Result is the outcome of a run.
type Result struct {
	RunDir  string
	RunID   string
	Attempt int
	// Status is ok, failed or interrupted.
	Status string
	Stages []StageResult
	// Err describes every failure (secrets redacted), nil when Status is ok.
	Err error
}

// StageError is a failed stage: its message names the stage, its kind,
// its source location and the error (typically a ports.Error naming the
// port and adapter).
type StageError struct {
	Stage string
	Kind  string
	Range ir.Range
	Err   error
}

// Error implements error.
func (e *StageError) Error() string {
	return fmt.Sprintf("stage %q (%s) at %s failed: %v", e.Stage, e.Kind, Location(e.Range), e.Err)
}

// Unwrap returns the stage's error (often a *ports.Error).
func (e *StageError) Unwrap() error { return e.Err }

// runner is one attempt of a run.
type runner struct {
	opts     Options
	plan     *ir.Plan
	cat      *catalog.Catalog
	nodes    []*node
	secrets  map[string]string
	redact   *redactor
	adapters *adapterSet
	observer Observer

	dir     string
	runID   string
	attempt int
	events  *journal.Log
	logs    *logSink
	lock    *os.File

	// pendingEvents are journaled right after run_started.
	pendingEvents []Event

	jmu        sync.Mutex
	journalErr error
	cancelRun  context.CancelFunc

	outMu sync.RWMutex // guards node.outputs/status read by resolvers
}

// Run executes a plan. An error return means nothing ran (a problem with
// the plan, the bindings, the secrets or the run directory); otherwise the
// Result says how the run ended.
func Run(ctx context.Context, opts Options) (*Result, error) {
	r, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	if err := r.open(); err != nil {
		return nil, r.redact.Error(err)
	}
	return r.run(ctx), nil
}

// prepare checks everything that can be checked without touching the
// disk: the graph, the bindings, the adapter configs and the secrets.
func prepare(opts Options) (*runner, error) {
	if opts.Plan == nil {
		return nil, errors.New("no plan")
	}
	if opts.Catalog == nil {
		opts.Catalog = Catalog()
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.ResolveSecret == nil {
		opts.ResolveSecret = compiler.ResolveSecret
	}
	if opts.RunsDir == "" {
		opts.RunsDir = "runs"
	}
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.NumCPU()
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	bound := bindPorts(opts.Bindings)
	nodes, perr := buildGraph(opts.Plan, opts.Catalog, bound)
	var problems []string
	if perr != nil {
		problems = perr.Problems
	}
	used := usedPorts(nodes, bound)
	secrets, sproblems := resolveSecrets(nodes, bound, used, opts.ResolveSecret, opts.Getenv)
	cproblems := adapterConfigs(bound, used, secrets)
	if problems = append(append(problems, sproblems...), cproblems...); len(problems) == 0 {
		problems = preflightAdapters(bound, used, opts.Getenv)
	}
	if len(problems) > 0 {
		return nil, &PlanError{Problems: problems}
	}
	for _, n := range nodes {
		n.hash = effectiveHash(n, bound)
	}
	values := make([]string, 0, len(secrets))
	for _, v := range secrets {
		values = append(values, v)
	}
	r := &runner{
		opts: opts, plan: opts.Plan, cat: opts.Catalog, nodes: nodes,
		secrets: secrets, redact: newRedactor(values), observer: opts.Observer,
	}
	r.adapters = newAdapterSet(bound, registry.Env{Getenv: opts.Getenv})
	return r, nil
}

// open creates or reopens the run directory and opens the journal.
func (r *runner) open() error {
	planJSON, err := ir.Encode(r.plan)
	if err != nil {
		return err
	}
	if r.redact.Contains(planJSON) {
		// Cannot happen with compiler-made plans (secrets are references);
		// refuse rather than write a secret to disk.
		return errors.New("the plan holds a secret value in clear; refusing to write it to the run directory")
	}
	var prior *priorState
	if r.opts.ResumeDir == "" {
		r.runID = r.opts.RunID
		if r.runID == "" {
			r.runID = newRunID(time.Now())
		}
		info := RunInfo{Format: RunFormat, RunID: r.runID, Experiment: r.plan.Experiment, Created: time.Now().UTC(),
			Manifest: r.opts.Manifest, PortOverrides: r.opts.PortOverrides}
		runsDir, err := filepath.Abs(r.opts.RunsDir)
		if err != nil {
			return err
		}
		// Absolute, so that paths stages put in their outputs stay valid
		// when the run is resumed from another working directory.
		dir, err := createRunDir(runsDir, info, planJSON)
		if err != nil {
			return err
		}
		r.dir = dir
		if err := r.openLogs(); err != nil {
			return err
		}
		prior = &priorState{stages: map[string]*priorStage{}}
	} else {
		dir, err := filepath.Abs(r.opts.ResumeDir)
		if err != nil {
			return err
		}
		r.dir = dir
		info, err := ReadRunInfo(r.dir)
		if err != nil {
			return err
		}
		if info.Experiment != r.plan.Experiment {
			return &RunDirError{Dir: r.dir, Reason: fmt.Sprintf("it is a run of experiment %q, not %q", info.Experiment, r.plan.Experiment)}
		}
		if _, err := ReadRunPlan(r.dir); err != nil {
			return err
		}
		lines, _, err := journal.ReadLines(filepath.Join(r.dir, eventsFile))
		if err != nil {
			return &RunDirError{Dir: r.dir, Reason: "events.jsonl is corrupt", Err: err}
		}
		if prior, err = replay(lines); err != nil {
			return &RunDirError{Dir: r.dir, Reason: "events.jsonl is corrupt", Err: err}
		}
		r.runID = info.RunID
		if err := r.openLogs(); err != nil {
			return err
		}
		if err := r.updatePlan(planJSON, prior.attempts+1); err != nil {
			return err
		}
	}
	r.attempt = prior.attempts + 1
	r.decide(prior)
	r.adapters.env.RunDir = r.dir
	return nil
}

// openLogs locks the run directory and opens events.jsonl and run.log.
func (r *runner) openLogs() error {
	// The lock is released by finish, or by the kernel when the process
	// dies.
	lock, err := lockRunDir(r.dir)
	if err != nil {
		return err
	}
	atomicfile.RemoveTemps(r.dir)
	events, _, err := journal.OpenLog(filepath.Join(r.dir, eventsFile), "events", journal.SyncBackground)
	if err != nil {
		lock.Close()
		return &RunDirError{Dir: r.dir, Reason: "events.jsonl is corrupt", Err: err}
	}
	r.events = events
	f, err := openLogFile(r.dir)
	if err != nil {
		events.Close()
		lock.Close()
		return err
	}
	r.logs = &logSink{r: r, f: f}
	r.adapters.env.Logger = newStageLogger(r.logs, "")
	r.lock = lock
	return nil
}

// updatePlan replaces plan.json when a resume brings a different plan,
// keeping the old one under superseded/.
func (r *runner) updatePlan(planJSON []byte, attempt int) error {
	path := filepath.Join(r.dir, planFile)
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if string(old) == string(planJSON) {
		return nil
	}
	keep := filepath.Join(r.dir, supersededDir, fmt.Sprintf("plan.before-attempt-%d.json", attempt))
	if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(keep, old, 0o644); err != nil {
		return err
	}
	if err := atomicfile.Write(path, planJSON, 0o644); err != nil {
		return err
	}
	r.pendingEvents = append(r.pendingEvents, Event{Type: EventPlanChanged,
		Reason: "the plan differs from the one this run directory last ran; the previous plan is kept in " + filepath.ToSlash(filepath.Join(supersededDir, filepath.Base(keep)))})
	return nil
}

// decide compares each stage with what earlier attempts left: a stage
// that finished with the same effective hash (and whose dependencies are
// all reused) is reused; an interrupted or failed stage with the same hash
// resumes from its checkpoints; anything else runs from scratch.
func (r *runner) decide(prior *priorState) {
	for _, n := range r.nodes {
		p := prior.stages[n.st.ID]
		if p == nil {
			continue
		}
		depRerun := ""
		for _, d := range n.deps {
			if d.status != StatusReused {
				depRerun = d.st.ID
				break
			}
		}
		switch {
		case p.status == StatusOK && p.hash == n.hash && depRerun == "" && !p.redacted:
			n.status = StatusReused
			n.outputs = decodeOutputs(p.outputs)
			n.reason = fmt.Sprintf("finished in attempt %d with the same inputs", p.attempt)
		case p.status == StatusOK:
			switch {
			case p.hash != n.hash && depRerun != "":
				n.reason = fmt.Sprintf("re-runs: it depends on %q, which re-runs", depRerun)
			case p.hash != n.hash:
				n.reason = "re-runs: its inputs changed since it finished"
			case p.redacted:
				n.reason = "re-runs: its outputs held a secret and were not journaled"
			default:
				n.reason = fmt.Sprintf("re-runs: it depends on %q, which re-runs", depRerun)
			}
			n.invalidated = true
		case (p.status == StatusInterrupted || p.status == StatusFailed) && p.hash == n.hash:
			n.resume = true
			n.reason = fmt.Sprintf("resumes from its last checkpoint after being %s", p.status)
		case p.started:
			n.reason = "starts over: its inputs changed since the interrupted attempt"
		}
	}
}

func decodeOutputs(raw json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	_ = json.Unmarshal(raw, &out)
	return out
}
