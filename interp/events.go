package interp

import (
	"encoding/json"
	"time"
)

// Event types. The journal (events.jsonl) holds every type except
// EventProgress and EventLog, which only go to the Observer.
const (
	EventRunStarted       = "run_started"       // an attempt of the run begins
	EventPlanChanged      = "plan_changed"      // a resumed run got a different plan
	EventStageReused      = "stage_reused"      // finished earlier with the same inputs: not run again
	EventStageInvalidated = "stage_invalidated" // finished earlier, but must run again (Reason says why)
	EventStageStarted     = "stage_started"
	EventStageFinished    = "stage_finished" // Outputs holds the outputs
	EventStageFailed      = "stage_failed"   // Error holds the message
	EventStageInterrupted = "stage_interrupted"
	EventStageSkipped     = "stage_skipped" // not run because a dependency failed (Reason)
	EventAdapterClosed    = "adapter_close_failed"
	EventRunFinished      = "run_finished" // Status: ok, failed or interrupted
	EventProgress         = "progress"
	EventLog              = "log"
)

// Run statuses.
const (
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
	StatusSkipped     = "skipped"
	StatusPending     = "pending" // never started (the run was interrupted first)
	StatusReused      = "reused"
)

// Event is one record of events.jsonl, and what an Observer receives.
type Event struct {
	Time  time.Time `json:"time"`
	Type  string    `json:"type"`
	RunID string    `json:"run_id,omitempty"`
	// Dir is the run directory (run_started only).
	Dir     string `json:"dir,omitempty"`
	Attempt int    `json:"attempt,omitempty"`

	Stage  string `json:"stage,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Hash   string `json:"hash,omitempty"`
	Resume bool   `json:"resume,omitempty"`

	DurationMS float64         `json:"duration_ms,omitempty"`
	Outputs    json.RawMessage `json:"outputs,omitempty"`
	// Redacted marks outputs that held a secret and were redacted: they
	// cannot be reused by a later attempt, so that stage runs again.
	Redacted bool   `json:"redacted,omitempty"`
	Error    string `json:"error,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Status   string `json:"status,omitempty"`
	Port     string `json:"port,omitempty"`
	Adapter  string `json:"adapter,omitempty"`

	// Progress events.
	Done    int                `json:"done,omitempty"`
	Total   int                `json:"total,omitempty"`
	Unit    string             `json:"unit,omitempty"`
	Metrics map[string]float64 `json:"metrics,omitempty"`

	// Log events: one formatted log line.
	Message string `json:"message,omitempty"`
}

// Observer receives events as they happen (progress display, --json).
// Calls come from several goroutines; implementations must be safe for
// concurrent use and must not block for long.
type Observer interface {
	Event(e Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Event implements Observer.
func (f ObserverFunc) Event(e Event) { f(e) }

type nopObserver struct{}

func (nopObserver) Event(Event) {}
