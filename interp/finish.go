package interp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

// summary is summary.json: the state of every stage after an attempt.
type summary struct {
	RunID      string         `json:"run_id"`
	Experiment string         `json:"experiment"`
	Attempt    int            `json:"attempt"`
	Status     string         `json:"status"`
	Stages     []summaryStage `json:"stages"`
}

type summaryStage struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Status     string          `json:"status"`
	Reason     string          `json:"reason,omitempty"`
	Error      string          `json:"error,omitempty"`
	DurationMS float64         `json:"duration_ms,omitempty"`
	Outputs    json.RawMessage `json:"outputs,omitempty"`
}

// finish closes the adapters, journals the end of the attempt, writes
// summary.json and builds the Result.
func (r *runner) finish(start time.Time) *Result {
	res := &Result{RunDir: r.dir, RunID: r.runID, Attempt: r.attempt, Status: StatusOK}
	var errs []error
	interrupted := false
	for _, n := range r.nodes {
		if n.status == "" {
			n.status = StatusPending
		}
		sr := StageResult{ID: n.st.ID, Kind: n.st.Kind, Range: n.st.Range, Status: n.status, Reason: n.reason,
			Err: n.err, Outputs: n.outputs, Resumed: n.resume, Elapsed: n.elapsed}
		switch n.status {
		case StatusFailed:
			errs = append(errs, n.err)
		case StatusInterrupted, StatusPending:
			interrupted = true
		}
		res.Stages = append(res.Stages, sr)
	}
	closeErrs := r.adapters.closeAll()
	for _, port := range slices.Sorted(maps.Keys(closeErrs)) {
		err := r.redact.Error(closeErrs[port])
		r.emit(Event{Type: EventAdapterClosed, Port: port, Adapter: r.adapters.bindings.adapterName(port), Error: err.Error()})
		errs = append(errs, fmt.Errorf("closing adapters: %w", err))
	}
	r.jmu.Lock()
	jerr := r.journalErr
	r.jmu.Unlock()
	if jerr != nil {
		errs = append(errs, fmt.Errorf("the run stopped because its journal could not be written: %w", jerr))
	}
	switch {
	case len(errs) > 0:
		res.Status = StatusFailed
	case interrupted:
		// Not the context's state: a signal that arrives after the last stage
		// finished interrupted nothing, and the run is complete.
		res.Status = StatusInterrupted
	}
	if len(errs) > 0 {
		res.Err = r.redact.Error(errors.Join(errs...))
	} else if res.Status == StatusInterrupted {
		res.Err = errors.New("the run was interrupted; resume it with --resume " + r.dir)
	}
	r.emit(Event{Type: EventRunFinished, Attempt: r.attempt, Status: res.Status, DurationMS: ms(time.Since(start))})
	if err := r.writeSummary(res); err != nil && res.Err == nil {
		res.Status, res.Err = StatusFailed, err
	}
	if err := r.events.Close(); err != nil && res.Err == nil {
		res.Status, res.Err = StatusFailed, err
	}
	r.logs.close()
	r.lock.Close()
	return res
}

func (r *runner) writeSummary(res *Result) error {
	s := summary{RunID: r.runID, Experiment: r.plan.Experiment, Attempt: r.attempt, Status: res.Status}
	for _, st := range res.Stages {
		ss := summaryStage{ID: st.ID, Kind: st.Kind, Status: st.Status, Reason: st.Reason, DurationMS: ms(st.Elapsed)}
		if st.Err != nil {
			ss.Error = r.redact.String(st.Err.Error())
		}
		if st.Outputs != nil {
			data, err := json.Marshal(st.Outputs)
			if err != nil {
				return err
			}
			ss.Outputs = r.redact.Bytes(data)
		}
		s.Stages = append(s.Stages, ss)
	}
	// One stage per line: readable, and much cheaper than indenting a
	// summary of thousands of stages.
	stages := s.Stages
	s.Stages = nil
	head, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Write(head[:len(head)-len(`,"stages":null}`)])
	buf.WriteString(",\n\"stages\": [\n")
	for i, st := range stages {
		line, err := json.Marshal(st)
		if err != nil {
			return err
		}
		buf.Write(line)
		if i < len(stages)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	return atomicfile.Write(filepath.Join(r.dir, summaryFile), buf.Bytes(), 0o644)
}
