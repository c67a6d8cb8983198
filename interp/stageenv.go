package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/interp/failpoint"
	"github.com/cookbookc/cookbookc/interp/journal"
)

// metricsWriter implements stage.MetricsWriter over <stage>/metrics.jsonl
// and the manifest's metrics sink. The file is opened on first use, so
// stages that log no metrics leave no file.
type metricsWriter struct {
	r     *runner
	stage string
	path  string
	// ctx is the stage's context, for the metrics sink: MetricsWriter.Write
	// has no context parameter, and a remote sink must stop waiting when
	// the stage is cancelled.
	ctx context.Context

	mu  sync.Mutex
	log *journal.Log
}

func (m *metricsWriter) open() error {
	if m.log != nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(m.path), 0o755); err != nil {
		return err
	}
	l, _, err := journal.OpenLog(m.path, "metrics", journal.SyncNever)
	if err != nil {
		return err
	}
	m.log = l
	return nil
}

// Write appends {"step": step, ...metrics} and forwards the numeric
// metrics to the sink.
func (m *metricsWriter) Write(step int, metrics map[string]any) error {
	rec := make(map[string]any, len(metrics)+1)
	nums := make(map[string]float64, len(metrics))
	for k, v := range metrics {
		rec[k] = v
		switch x := v.(type) {
		case float64:
			nums[k] = x
		case float32:
			nums[k] = float64(x)
		case int:
			nums[k] = float64(x)
		case int64:
			nums[k] = float64(x)
		}
	}
	rec["step"] = step
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("metrics of step %d: %w", step, err)
	}
	m.mu.Lock()
	err = m.open()
	if err == nil {
		err = m.log.AppendLine(m.r.redact.Bytes(data))
	}
	m.mu.Unlock()
	if err != nil {
		return err
	}
	failpoint.Hit("metrics.written")
	if sink, err := m.r.adapters.get(m.ctx, "metrics_sink"); err == nil {
		if err := sink.(ports.MetricsSink).Log(m.ctx, m.stage, step, nums); err != nil {
			return ports.Wrap("metrics_sink", m.r.adapters.bindings["metrics_sink"].Adapter, "log", err)
		}
	} else if _, bound := m.r.adapters.bindings["metrics_sink"]; bound {
		return err
	}
	return nil
}

// Records returns the records in the file.
func (m *metricsWriter) Records() ([]map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return readRecords(m.path)
}

// TruncateFrom rewrites the file (atomically) without the records whose
// step is >= step.
func (m *metricsWriter) TruncateFrom(step int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	lines, _, err := journal.ReadLines(m.path)
	if err != nil {
		return err
	}
	var keep []byte
	for _, line := range lines {
		var rec struct{ Step *float64 }
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("%s: %w", m.path, err)
		}
		if rec.Step != nil && *rec.Step >= float64(step) {
			continue
		}
		keep = append(append(keep, line...), '\n')
	}
	if m.log != nil {
		if err := m.log.Close(); err != nil {
			return err
		}
		m.log = nil
	}
	if len(lines) == 0 {
		return nil
	}
	return journal.WriteFileAtomic(m.path, keep, 0o644)
}

func (m *metricsWriter) sync() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.log == nil {
		return nil
	}
	return m.log.Sync()
}

func (m *metricsWriter) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.log == nil {
		return nil
	}
	err := m.log.Close()
	m.log = nil
	return err
}

func readRecords(path string) ([]map[string]any, error) {
	lines, _, err := journal.ReadLines(path)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(lines))
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// checkpointLog implements stage.CheckpointLog over
// <stage>/checkpoints.jsonl. Every record is fsynced before Append returns,
// after the stage's metrics: a checkpoint on disk implies the metrics of
// the steps before it are on disk too.
type checkpointLog struct {
	path    string
	metrics *metricsWriter
	redact  *redactor
	// events is the run's journal: it is fsynced before the first
	// checkpoint record, so a checkpoint that survives a power cut is
	// always preceded by its stage's stage_started record (and a resume
	// restarts from it instead of starting over).
	events *journal.Log
	synced bool

	mu      sync.Mutex
	log     *journal.Log
	records []map[string]any
	loaded  bool
}

func (c *checkpointLog) load() error {
	if c.loaded {
		return nil
	}
	recs, err := readRecords(c.path)
	if err != nil {
		return err
	}
	c.records, c.loaded = recs, true
	return nil
}

// Append writes one record durably.
func (c *checkpointLog) Append(record map[string]any) error {
	rec := make(map[string]any, len(record))
	for k, v := range record {
		if v != nil {
			rec[k] = v
		}
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("checkpoint record: %w", err)
	}
	if err := c.metrics.sync(); err != nil {
		return err
	}
	if !c.synced && c.events != nil {
		if err := c.events.Sync(); err != nil {
			return err
		}
		c.synced = true
	}
	failpoint.Hit("checkpoint.before")
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return err
	}
	if c.log == nil {
		if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
			return err
		}
		l, _, err := journal.OpenLog(c.path, "checkpoints", journal.SyncEach)
		if err != nil {
			return err
		}
		c.log = l
	}
	if err := c.log.AppendLine(c.redact.Bytes(data)); err != nil {
		return err
	}
	// Keep the record as it reads back from the file, so Last and
	// Records return the same shapes before and after a restart.
	var back map[string]any
	_ = json.Unmarshal(data, &back)
	c.records = append(c.records, back)
	failpoint.Hit("checkpoint.after")
	return nil
}

// Last returns the last record that has key.
func (c *checkpointLog) Last(key string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return nil, false
	}
	for i := len(c.records) - 1; i >= 0; i-- {
		if _, ok := c.records[i][key]; ok {
			return c.records[i], true
		}
	}
	return nil, false
}

// Records returns every record.
func (c *checkpointLog) Records() ([]map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return nil, err
	}
	return append([]map[string]any(nil), c.records...), nil
}

func (c *checkpointLog) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.log == nil {
		return nil
	}
	err := c.log.Close()
	c.log = nil
	return err
}

// progress implements stage.Progress by emitting progress events.
type progress struct {
	r     *runner
	stage string

	mu    sync.Mutex
	total int
	unit  string
}

// Start announces the total.
func (p *progress) Start(total int, unit string) {
	p.mu.Lock()
	p.total, p.unit = total, unit
	p.mu.Unlock()
	p.r.observe(Event{Type: EventProgress, Stage: p.stage, Total: total, Unit: unit})
}

// Update reports done units and key metrics.
func (p *progress) Update(done int, metrics map[string]float64) {
	p.mu.Lock()
	total, unit := p.total, p.unit
	p.mu.Unlock()
	var m map[string]float64
	if len(metrics) > 0 {
		m = make(map[string]float64, len(metrics))
		for k, v := range metrics {
			m[k] = v
		}
	}
	p.r.observe(Event{Type: EventProgress, Stage: p.stage, Done: done, Total: total, Unit: unit, Metrics: m})
}

// logSink receives every formatted log line: it redacts it, appends it to
// run.log and hands it to the observer.
type logSink struct {
	r  *runner
	mu sync.Mutex
	f  *os.File
}

func (s *logSink) write(stage string, line []byte) {
	red := s.r.redact.Bytes(line)
	s.mu.Lock()
	if s.f != nil {
		s.f.Write(red)
	}
	s.mu.Unlock()
	msg := string(red)
	if n := len(msg); n > 0 && msg[n-1] == '\n' {
		msg = msg[:n-1]
	}
	s.r.observe(Event{Type: EventLog, Stage: stage, Message: msg})
}

func (s *logSink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// stageLogWriter adapts logSink to the io.Writer a slog.TextHandler needs;
// the handler writes each record with one Write call.
type stageLogWriter struct {
	sink  *logSink
	stage string
}

func (w stageLogWriter) Write(p []byte) (int, error) {
	w.sink.write(w.stage, p)
	return len(p), nil
}

func newStageLogger(sink *logSink, stage string) *slog.Logger {
	return slog.New(&lazyHandler{sink: sink, stage: stage})
}

// lazyHandler builds the text handler of a stage's logger on its first
// record: most stages of a big DAG never log, and building one costs more
// than the rest of a noop stage's bookkeeping.
type lazyHandler struct {
	sink  *logSink
	stage string
	once  sync.Once
	h     slog.Handler
}

func (l *lazyHandler) handler() slog.Handler {
	l.once.Do(func() {
		l.h = slog.NewTextHandler(io.Writer(stageLogWriter{l.sink, l.stage}), &slog.HandlerOptions{
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey && len(groups) == 0 {
					return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(time.RFC3339Nano))
				}
				return a
			},
		})
		if l.stage != "" {
			l.h = l.h.WithAttrs([]slog.Attr{slog.String("stage", l.stage)})
		}
	})
	return l.h
}

// Enabled implements slog.Handler (Info and above, like the default).
func (l *lazyHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo
}

// Handle implements slog.Handler.
func (l *lazyHandler) Handle(ctx context.Context, r slog.Record) error {
	return l.handler().Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (l *lazyHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return l.handler().WithAttrs(attrs) }

// WithGroup implements slog.Handler.
func (l *lazyHandler) WithGroup(name string) slog.Handler { return l.handler().WithGroup(name) }

func openLogFile(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
}
