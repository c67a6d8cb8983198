package interp

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

// RunFormat is the format marker of run.json.
const RunFormat = "cookbookc-run/1"

// Names in a run directory. Stage directories sit beside them, so stages
// may not use these names (ir.ReservedStageID, which the checker uses too).
const (
	runFile        = "run.json"
	planFile       = "plan.json"
	eventsFile     = "events.jsonl"
	logFile        = "run.log"
	summaryFile    = "summary.json"
	lockFile       = ".lock"
	supersededDir  = "superseded"
	blobsDir       = "blobs"
	metricsFile    = "metrics.jsonl"
	checkpointFile = "checkpoints.jsonl"
)

// RunInfo is run.json: what identifies a run directory.
type RunInfo struct {
	Format     string    `json:"format"`
	RunID      string    `json:"run_id"`
	Experiment string    `json:"experiment"`
	Created    time.Time `json:"created"`
	// Manifest and PortOverrides are what the first attempt ran with; a
	// resume without --manifest/--port uses them again.
	Manifest      string            `json:"manifest"`
	PortOverrides map[string]string `json:"port_overrides,omitempty"`
}

// RunDirError is a run directory that --resume refuses: not a run
// directory, another experiment's, corrupt, or in use.
type RunDirError struct {
	Dir    string
	Reason string
	Err    error
}

// Error implements error.
func (e *RunDirError) Error() string {
	msg := fmt.Sprintf("cannot resume %s: %s", e.Dir, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + " (nothing in it was changed)"
}

// Unwrap returns the underlying error, if any.
func (e *RunDirError) Unwrap() error { return e.Err }

// newRunID returns a sortable, collision-resistant run id.
func newRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// createRunDir makes a new run directory and writes plan.json and then
// run.json (last: a directory without run.json is not a run and is never
// resumed). It never reuses an existing directory.
func createRunDir(runsDir string, info RunInfo, planJSON []byte) (string, error) {
	parent := filepath.Join(runsDir, info.Experiment)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("creating run directory: %w", err)
	}
	dir := filepath.Join(parent, info.RunID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating run directory: %w", err)
	}
	if err := atomicfile.SyncDir(parent); err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, planFile), planJSON, 0o644); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(filepath.Join(dir, runFile), append(data, '\n'), 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// ReadRunInfo reads run.json and checks that dir is a cookbookc run
// directory.
func ReadRunInfo(dir string) (*RunInfo, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "no such directory", Err: err}
	}
	if !st.IsDir() {
		return nil, &RunDirError{Dir: dir, Reason: "not a directory"}
	}
	data, err := os.ReadFile(filepath.Join(dir, runFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &RunDirError{Dir: dir, Reason: "not a cookbookc run directory (it has no run.json)"}
	}
	if err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "cannot read run.json", Err: err}
	}
	var info RunInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "run.json is corrupt", Err: err}
	}
	if info.Format != RunFormat {
		return nil, &RunDirError{Dir: dir, Reason: fmt.Sprintf("run.json has format %q; this cookbookc reads %q", info.Format, RunFormat)}
	}
	if info.RunID == "" || info.Experiment == "" {
		return nil, &RunDirError{Dir: dir, Reason: "run.json is corrupt (no run_id or experiment)"}
	}
	return &info, nil
}

// ReadRunPlan reads the plan a run directory holds.
func ReadRunPlan(dir string) (*ir.Plan, error) {
	data, err := os.ReadFile(filepath.Join(dir, planFile))
	if err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "cannot read plan.json", Err: err}
	}
	p, err := ir.Decode(data)
	if err != nil {
		return nil, &RunDirError{Dir: dir, Reason: "plan.json is corrupt", Err: err}
	}
	return p, nil
}

// priorStage is what earlier attempts left about one stage.
type priorStage struct {
	status   string // StatusOK, StatusFailed, StatusInterrupted ("started" without an end is interrupted), StatusSkipped
	hash     string
	attempt  int
	outputs  json.RawMessage
	redacted bool
	started  bool // it started at least once, so its directory may hold files
}

// priorState is the replay of events.jsonl.
type priorState struct {
	attempts int
	stages   map[string]*priorStage
}

// replay folds the journal's events into the last known state of each
// stage.
func replay(lines []json.RawMessage) (*priorState, error) {
	ps := &priorState{stages: map[string]*priorStage{}}
	for i, line := range lines {
		var e Event
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("events.jsonl record %d: %w", i+1, err)
		}
		if e.Type == EventRunStarted {
			ps.attempts = max(ps.attempts, e.Attempt)
			continue
		}
		if e.Stage == "" {
			continue
		}
		s := ps.stages[e.Stage]
		if s == nil {
			s = &priorStage{}
			ps.stages[e.Stage] = s
		}
		switch e.Type {
		case EventStageStarted:
			*s = priorStage{status: StatusInterrupted, hash: e.Hash, attempt: e.Attempt, started: true}
		case EventStageFinished:
			s.status, s.hash, s.outputs, s.redacted, s.attempt = StatusOK, e.Hash, e.Outputs, e.Redacted, e.Attempt
		case EventStageFailed:
			s.status, s.hash = StatusFailed, e.Hash
		case EventStageInterrupted:
			s.status, s.hash = StatusInterrupted, e.Hash
		case EventStageSkipped:
			if !s.started {
				s.status = StatusSkipped
			}
		case EventStageInvalidated:
			s.status = StatusInterrupted
			s.outputs = nil
			s.hash = ""
		}
	}
	return ps, nil
}
