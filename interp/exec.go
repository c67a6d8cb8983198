package interp

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/cookbookc/cookbookc/lang/atomicfile"
	"github.com/cookbookc/cookbookc/lang/failpoint"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// emit journals an event (secrets redacted) and passes it to the
// observer. A journal write failure stops the run: a run whose progress
// cannot be recorded cannot be resumed safely.
func (r *runner) emit(e Event) {
	e.Time = time.Now().UTC()
	if e.RunID == "" && e.Type == EventRunStarted {
		e.RunID = r.runID
	}
	data, err := marshalEvent(&e)
	if err == nil {
		err = r.events.AppendLine(r.redact.Bytes(data))
	}
	if err != nil {
		r.jmu.Lock()
		if r.journalErr == nil {
			r.journalErr = err
			if r.cancelRun != nil {
				r.cancelRun()
			}
		}
		r.jmu.Unlock()
	}
	e.Error = r.redact.String(e.Error)
	e.Reason = r.redact.String(e.Reason)
	r.observe(e)
}

func (r *runner) observe(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	r.observer.Event(e)
}

// readyQueue orders runnable stages by plan position, so a run with
// --parallel 1 runs stages in plan order.
type readyQueue []*node

func (q readyQueue) Len() int           { return len(q) }
func (q readyQueue) Less(i, j int) bool { return q[i].idx < q[j].idx }
func (q readyQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)        { *q = append(*q, x.(*node)) }
func (q *readyQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}

type outcome struct {
	n       *node
	status  string
	err     error
	outputs map[string]json.RawMessage
}

// run walks the DAG and finishes the attempt.
func (r *runner) run(parent context.Context) *Result {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	r.jmu.Lock()
	r.cancelRun = cancel
	r.jmu.Unlock()
	start := time.Now()

	r.emit(Event{Type: EventRunStarted, Attempt: r.attempt, Dir: r.dir, Status: fmt.Sprintf("%d stages, parallel %d", len(r.nodes), r.opts.Parallel)})
	for _, e := range r.pendingEvents {
		r.emit(e)
	}
	failpoint.Hit("run.started")

	ready := &readyQueue{}
	for _, n := range r.nodes {
		switch {
		case n.status == StatusReused:
			r.emit(Event{Type: EventStageReused, Stage: n.st.ID, Kind: n.st.Kind, Hash: n.hash, Reason: n.reason})
		case n.invalidated:
			r.emit(Event{Type: EventStageInvalidated, Stage: n.st.ID, Kind: n.st.Kind, Hash: n.hash, Reason: n.reason})
		}
	}
	for _, n := range r.nodes {
		if n.status == StatusReused {
			continue
		}
		for _, d := range n.deps {
			if d.status != StatusReused {
				n.waiting++
			}
		}
		if n.waiting == 0 {
			heap.Push(ready, n)
		}
	}

	done := make(chan outcome)
	running := 0
	for {
		for running < r.opts.Parallel && ready.Len() > 0 && ctx.Err() == nil {
			n := heap.Pop(ready).(*node)
			if running == 0 && ready.Len() == 0 {
				// The only runnable stage with nothing else running: no
				// other stage can become ready before it ends, so run it
				// on this goroutine and save two goroutine handoffs (which
				// dominate a chain of small stages on a busy machine).
				r.settle(ready, r.execute(ctx, n))
				continue
			}
			running++
			go func() { done <- r.execute(ctx, n) }()
		}
		if running == 0 {
			break
		}
		o := <-done
		running--
		r.settle(ready, o)
	}

	return r.finish(start)
}

// settle records how a stage ended and queues the dependents it unblocks.
func (r *runner) settle(ready *readyQueue, o outcome) {
	r.outMu.Lock()
	o.n.status, o.n.err, o.n.outputs = o.status, o.err, o.outputs
	r.outMu.Unlock()
	switch o.status {
	case StatusOK:
		for _, d := range o.n.dependents {
			if d.waiting--; d.waiting == 0 && d.status == "" {
				heap.Push(ready, d)
			}
		}
	case StatusFailed:
		r.skipDependents(o.n, o.n)
	}
}

// skipDependents marks every stage downstream of a failed stage skipped.
func (r *runner) skipDependents(n, failed *node) {
	for _, d := range n.dependents {
		if d.status != "" {
			continue
		}
		d.status = StatusSkipped
		d.reason = fmt.Sprintf("dependency %q failed", failed.st.ID)
		if n != failed {
			d.reason = fmt.Sprintf("dependency %q was skipped because %q failed", n.st.ID, failed.st.ID)
		}
		r.emit(Event{Type: EventStageSkipped, Stage: d.st.ID, Kind: d.st.Kind, Reason: d.reason})
		r.skipDependents(d, failed)
	}
}

// execute runs one stage and journals how it ended.
func (r *runner) execute(ctx context.Context, n *node) outcome {
	n.started = time.Now()
	fail := func(err error) outcome {
		n.elapsed = time.Since(n.started)
		err = r.redact.Error(err)
		r.emit(Event{Type: EventStageFailed, Stage: n.st.ID, Kind: n.st.Kind, Hash: n.hash, Attempt: r.attempt,
			DurationMS: ms(n.elapsed), Error: err.Error()})
		return outcome{n: n, status: StatusFailed, err: &StageError{Stage: n.st.ID, Kind: n.st.Kind, Range: n.st.Range, Err: err}}
	}
	values, err := resolveInputs(r.plan, r.cat, n.st, r.secrets, r.depOutputs(n), func(id string) string {
		for _, d := range n.deps {
			if d.st.ID == id {
				return d.st.Kind
			}
		}
		return ""
	})
	if err != nil {
		return fail(fmt.Errorf("resolving inputs: %w", err))
	}
	dir := filepath.Join(r.dir, n.st.ID)
	if !n.resume {
		// Also when the journal does not know the stage started: after a
		// power cut its last records may be lost while the stage's own
		// files survived. A fresh start never mixes with old files.
		if err := r.moveAside(dir, n.st.ID); err != nil {
			return fail(err)
		}
	}
	if !n.dirless {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fail(fmt.Errorf("creating stage directory: %w", err))
		}
	}
	r.emit(Event{Type: EventStageStarted, Stage: n.st.ID, Kind: n.st.Kind, Hash: n.hash, Attempt: r.attempt, Resume: n.resume, Reason: n.reason})
	failpoint.Hit("stage.started")

	metrics := &metricsWriter{r: r, stage: n.st.ID, path: filepath.Join(dir, metricsFile), ctx: ctx}
	ckpts := &checkpointLog{path: filepath.Join(dir, checkpointFile), metrics: metrics, redact: r.redact, events: r.events}
	env := &stage.Env{
		Stage: n.st, Plan: r.plan, Inputs: stage.NewInputs(values),
		Ports: &stagePorts{set: r.adapters, stage: n.st.ID, allowed: n.ports},
		Dir:   dir, Log: newStageLogger(r.logs, n.st.ID),
		Metrics: metrics, Checkpoints: ckpts, Progress: &progress{r: r, stage: n.st.ID},
		Resume: n.resume,
	}
	outs, err := safeRun(ctx, n.impl, env)
	if cerr := errors.Join(metrics.close(), ckpts.close()); err == nil && cerr != nil {
		err = cerr
	}
	n.elapsed = time.Since(n.started)
	if err != nil && ctx.Err() != nil {
		r.emit(Event{Type: EventStageInterrupted, Stage: n.st.ID, Kind: n.st.Kind, Hash: n.hash, Attempt: r.attempt, DurationMS: ms(n.elapsed)})
		return outcome{n: n, status: StatusInterrupted, err: r.redact.Error(err)}
	}
	if err != nil {
		return fail(err)
	}
	encoded, err := r.encodeOutputs(n, outs)
	if err != nil {
		return fail(err)
	}
	all, err := json.Marshal(encoded)
	if err != nil {
		return fail(fmt.Errorf("encoding outputs: %w", err))
	}
	redacted := r.redact.Contains(all)
	failpoint.Hit("stage.before-finish")
	r.emit(Event{Type: EventStageFinished, Stage: n.st.ID, Kind: n.st.Kind, Hash: n.hash, Attempt: r.attempt,
		DurationMS: ms(n.elapsed), Outputs: r.redact.Bytes(all), Redacted: redacted})
	failpoint.Hit("stage.finished")
	return outcome{n: n, status: StatusOK, outputs: encoded}
}

func (r *runner) depOutputs(n *node) outputsOf {
	return func(id string) (map[string]json.RawMessage, bool) {
		for _, d := range n.deps {
			if d.st.ID == id {
				r.outMu.RLock()
				defer r.outMu.RUnlock()
				if d.status == StatusOK || d.status == StatusReused {
					return d.outputs, true
				}
				return nil, false
			}
		}
		return nil, false
	}
}

// encodeOutputs checks the outputs against the kind's declaration and
// encodes each as JSON.
func (r *runner) encodeOutputs(n *node, outs stage.Outputs) (map[string]json.RawMessage, error) {
	encoded := make(map[string]json.RawMessage, len(outs))
	for _, o := range n.kind.Outputs {
		if _, ok := outs[o.Name]; !ok {
			return nil, fmt.Errorf("stage implementation returned no output %q (a bug in the %s stage kind)", o.Name, n.st.Kind)
		}
	}
	for name, v := range outs {
		if _, ok := n.kind.Output(name); !ok {
			return nil, fmt.Errorf("stage implementation returned undeclared output %q (a bug in the %s stage kind)", name, n.st.Kind)
		}
		data, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("output %q cannot be encoded: %w", name, err)
		}
		encoded[name] = data
	}
	return encoded, nil
}

// safeRun runs a stage, turning a panic into an error.
func safeRun(ctx context.Context, impl stage.Impl, env *stage.Env) (outs stage.Outputs, err error) {
	defer func() {
		if p := recover(); p != nil {
			env.Log.Error("stage panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("stage panicked: %v (stack trace in run.log)", p)
		}
	}()
	return impl.Run(ctx, env)
}

// moveAside keeps the directory of an earlier attempt under superseded/
// instead of mixing its files with a fresh start.
func (r *runner) moveAside(dir, id string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	base := filepath.Join(r.dir, supersededDir)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return err
	}
	for i := 0; ; i++ {
		name := fmt.Sprintf("%s.before-attempt-%d", id, r.attempt)
		if i > 0 {
			name += fmt.Sprintf(".%d", i)
		}
		dst := filepath.Join(base, name)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if err := os.Rename(dir, dst); err != nil {
			return fmt.Errorf("moving the earlier attempt's directory aside: %w", err)
		}
		msg := fmt.Sprintf("moved the earlier attempt's files of stage %q to %s", id, filepath.ToSlash(filepath.Join(supersededDir, name)))
		r.logs.write(id, []byte(msg+"\n"), msg)
		return atomicfile.SyncDir(r.dir)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
