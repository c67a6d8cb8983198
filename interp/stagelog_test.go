package interp

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recordingObserver keeps the log events it sees.
type recordingObserver struct {
	mu   sync.Mutex
	logs []Event
}

func (o *recordingObserver) Event(e Event) {
	if e.Type != EventLog {
		return
	}
	o.mu.Lock()
	o.logs = append(o.logs, e)
	o.mu.Unlock()
}

// TestStageLogLines checks that a stage's log record reaches run.log as a
// structured slog line and the display as a short human line, both with
// secrets redacted.
func TestStageLogLines(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	obs := &recordingObserver{}
	r := &runner{observer: obs, redact: newRedactor([]string{"s3cr3t-value"})}
	sink := &logSink{r: r, f: f}
	log := newStageLogger(sink, "train").With("port", "training_client")
	log.Info("resuming from checkpoint", "name", "000020", "path", "local://x y", "token", "s3cr3t-value")
	log.WithGroup("g").Warn("slow", "n", 3)
	if err := sink.close(); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile(filepath.Join(dir, "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("run.log has %d lines, want 2:\n%s", len(lines), data)
	}
	for _, want := range []string{"time=", "level=INFO", `msg="resuming from checkpoint"`, "stage=train", "port=training_client", "name=000020", `token=[REDACTED]`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("run.log line %q lacks %q", lines[0], want)
		}
	}
	if !strings.Contains(lines[1], "level=WARN") || !strings.Contains(lines[1], "g.n=3") {
		t.Errorf("run.log line %q lacks the level or the grouped key", lines[1])
	}

	want := []string{
		`resuming from checkpoint port=training_client name=000020 path="local://x y" token=[REDACTED]`,
		`warning: slow port=training_client g.n=3`,
	}
	if len(obs.logs) != len(want) {
		t.Fatalf("observer got %d log events, want %d: %+v", len(obs.logs), len(want), obs.logs)
	}
	for i, e := range obs.logs {
		if e.Stage != "train" || e.Message != want[i] {
			t.Errorf("event %d = (%q, %q), want (train, %q)", i, e.Stage, e.Message, want[i])
		}
	}
	if strings.Contains(string(data), "s3cr3t-value") {
		t.Error("run.log holds the secret")
	}
}
