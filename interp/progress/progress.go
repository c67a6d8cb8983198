// Package progress shows a run's events to a person or a program: live
// per-stage bars on a terminal, plain lines in logs and CI, or the raw
// events as JSON lines.
package progress

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/interp"
)

// JSON writes every event as one JSON line (for --json).
type JSON struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJSON returns an observer streaming events to w.
func NewJSON(w io.Writer) *JSON { return &JSON{w: w} }

// Event implements interp.Observer.
func (j *JSON) Event(e interp.Event) {
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.w.Write(append(data, '\n'))
}

// stageState is what a display knows about a running stage.
type stageState struct {
	id, kind  string
	started   time.Time
	done      int
	total     int
	unit      string
	metrics   map[string]float64
	rateFrom  time.Time // first progress update: the rate counts from here
	rateDone  int
	lastPrint time.Time // plain mode: last progress line
	lastPct   int
}

// rate returns units per second since the first update.
func (s *stageState) rate(now time.Time) float64 {
	dt := now.Sub(s.rateFrom).Seconds()
	if s.rateFrom.IsZero() || dt <= 0 || s.done <= s.rateDone {
		return 0
	}
	return float64(s.done-s.rateDone) / dt
}

// keyMetric picks the metric a person most wants to see: a loss or NLL if
// there is one, else the first by name.
func keyMetric(m map[string]float64) (string, float64, bool) {
	if len(m) == 0 {
		return "", 0, false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Training metrics before held-out ones: "train_mean_nll" is what a
	// person watches during training, "test/nll" only moves at evals.
	sort.Slice(keys, func(i, j int) bool {
		ti, tj := strings.HasPrefix(keys[i], "test/"), strings.HasPrefix(keys[j], "test/")
		if ti != tj {
			return tj
		}
		return keys[i] < keys[j]
	})
	for _, want := range []string{"loss", "nll", "reward"} {
		for _, k := range keys {
			if strings.Contains(k, want) {
				return k, m[k], true
			}
		}
	}
	return keys[0], m[keys[0]], true
}

// status formats "45/100 steps  3.2 steps/s  ETA 17s  loss=1.234".
func (s *stageState) status(now time.Time) string {
	var parts []string
	unit := s.unit
	if unit == "" {
		unit = "steps"
	}
	switch {
	case s.total > 0:
		parts = append(parts, fmt.Sprintf("%d/%d %s", s.done, s.total, unit))
	case s.done > 0:
		parts = append(parts, fmt.Sprintf("%d %s", s.done, unit))
	default:
		parts = append(parts, "running")
	}
	if r := s.rate(now); r > 0 {
		parts = append(parts, fmt.Sprintf("%s %s/s", formatRate(r), unit))
		if s.total > s.done {
			parts = append(parts, "ETA "+formatDuration(time.Duration(float64(s.total-s.done)/r*float64(time.Second))))
		}
	}
	if k, v, ok := keyMetric(s.metrics); ok {
		parts = append(parts, fmt.Sprintf("%s=%.4g", k, v))
	}
	parts = append(parts, formatDuration(now.Sub(s.started)))
	return strings.Join(parts, "  ")
}

func formatRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 10:
		return fmt.Sprintf("%.1f", r)
	default:
		return fmt.Sprintf("%.2f", r)
	}
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(math.Mod(d.Seconds(), 60)))
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(math.Mod(d.Minutes(), 60)))
	}
}

// outcomeLine formats the permanent line printed when a stage ends, or ""
// for events that print nothing.
func outcomeLine(e interp.Event, s *stageState) string {
	dur := ""
	if e.DurationMS > 0 {
		dur = " in " + formatDuration(time.Duration(e.DurationMS*float64(time.Millisecond)))
	}
	switch e.Type {
	case interp.EventRunStarted:
		return fmt.Sprintf("run %s attempt %d (%s)", e.RunID, e.Attempt, e.Status)
	case interp.EventPlanChanged:
		return "plan changed: " + e.Reason
	case interp.EventStageStarted:
		line := fmt.Sprintf("%s (%s) started", e.Stage, e.Kind)
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		return line
	case interp.EventStageFinished:
		line := fmt.Sprintf("%s finished%s", e.Stage, dur)
		if s != nil {
			if k, v, ok := keyMetric(s.metrics); ok {
				line += fmt.Sprintf(" (%s=%.4g)", k, v)
			}
		}
		return line
	case interp.EventStageFailed:
		return fmt.Sprintf("%s FAILED%s: %s", e.Stage, dur, e.Error)
	case interp.EventStageInterrupted:
		return fmt.Sprintf("%s interrupted%s", e.Stage, dur)
	case interp.EventStageSkipped:
		return fmt.Sprintf("%s skipped: %s", e.Stage, e.Reason)
	case interp.EventStageReused:
		return fmt.Sprintf("%s reused: %s", e.Stage, e.Reason)
	case interp.EventStageInvalidated:
		return fmt.Sprintf("%s %s", e.Stage, e.Reason)
	case interp.EventAdapterClosed:
		return fmt.Sprintf("closing %s (%s) failed: %s", e.Port, e.Adapter, e.Error)
	case interp.EventRunFinished:
		return fmt.Sprintf("run %s%s", e.Status, dur)
	}
	return ""
}
