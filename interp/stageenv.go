package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/interp/journal"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
	"github.com/cookbookc/cookbookc/lang/failpoint"
	"github.com/cookbookc/cookbookc/stdlib/stage"
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
			return ports.Wrap("metrics_sink", m.r.adapters.bindings.adapterName("metrics_sink"), "log", err)
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
	return atomicfile.Write(m.path, keep, 0o644)
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
	records []stage.CheckpointRecord
	loaded  bool
}

func (c *checkpointLog) load() error {
	if c.loaded {
		return nil
	}
	lines, _, err := journal.ReadLines(c.path)
	if err != nil {
		return err
	}
	recs := make([]stage.CheckpointRecord, 0, len(lines))
	for i, line := range lines {
		var rec stage.CheckpointRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("%s: line %d: %w", c.path, i+1, err)
		}
		recs = append(recs, rec)
	}
	c.records, c.loaded = recs, true
	return nil
}

// Append writes one record durably.
func (c *checkpointLog) Append(rec stage.CheckpointRecord) error {
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
	// Keep the record as it reads back from the file, so LastWithState
	// and Records return the same values before and after a restart.
	var back stage.CheckpointRecord
	if err := json.Unmarshal(data, &back); err != nil {
		return err
	}
	c.records = append(c.records, back)
	failpoint.Hit("checkpoint.after")
	return nil
}

// LastWithState returns the last record that has a state path.
func (c *checkpointLog) LastWithState() (stage.CheckpointRecord, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return stage.CheckpointRecord{}, false, err
	}
	for i := len(c.records) - 1; i >= 0; i-- {
		if c.records[i].StatePath != "" {
			return c.records[i], true, nil
		}
	}
	return stage.CheckpointRecord{}, false, nil
}

// Records returns every record.
func (c *checkpointLog) Records() ([]stage.CheckpointRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(); err != nil {
		return nil, err
	}
	return append([]stage.CheckpointRecord(nil), c.records...), nil
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

// logSink receives every log record of a run: it redacts it, appends the
// structured line to run.log and hands a short human line to the
// observer.
type logSink struct {
	r  *runner
	mu sync.Mutex
	f  *os.File
}

// write records one log entry: line is the slog text line for run.log,
// human the form the display and --json show.
func (s *logSink) write(stage string, line []byte, human string) {
	red := s.r.redact.Bytes(line)
	s.mu.Lock()
	if s.f != nil {
		s.f.Write(red)
	}
	s.mu.Unlock()
	s.r.observe(Event{Type: EventLog, Stage: stage, Message: string(s.r.redact.Bytes([]byte(human)))})
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

// fileLogWriter adapts logSink to the io.Writer a slog.TextHandler
// needs; the handler writes each record with one Write call, which
// stageHandler.Handle turns into one logSink.write.
type fileLogWriter struct{ line *[]byte }

func (w fileLogWriter) Write(p []byte) (int, error) {
	*w.line = append((*w.line)[:0], p...)
	return len(p), nil
}

func newStageLogger(sink *logSink, stage string) *slog.Logger {
	h := &stageHandler{shared: &stageHandlerShared{sink: sink, stage: stage}}
	if stage != "" {
		h.bound = []slog.Attr{slog.String("stage", stage)}
	}
	return slog.New(h)
}

// stageHandler writes a stage's log records twice: as slog text lines
// (RFC 3339 UTC times) to run.log, and as short lines — the message and
// its attributes, "warning:" or "error:" first when the level says so —
// to the progress display and the --json stream. The text handler is
// built on the first record: most stages of a big DAG never log, and
// building one costs more than the rest of a noop stage's bookkeeping.
type stageHandler struct {
	shared *stageHandlerShared
	bound  []slog.Attr // attributes added by With, in order
	group  string      // key prefix from WithGroup ("" or "g.")
}

// stageHandlerShared is the state every handler derived with With or
// WithGroup shares.
type stageHandlerShared struct {
	sink  *logSink
	stage string
	mu    sync.Mutex
	line  []byte
	text  slog.Handler
}

// Enabled implements slog.Handler (Info and above, like the default).
func (h *stageHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo
}

// Handle implements slog.Handler.
func (h *stageHandler) Handle(ctx context.Context, r slog.Record) error {
	sh := h.shared
	sh.mu.Lock()
	if sh.text == nil {
		sh.text = slog.NewTextHandler(fileLogWriter{&sh.line}, &slog.HandlerOptions{
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey && len(groups) == 0 {
					return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(time.RFC3339Nano))
				}
				return a
			},
		})
	}
	// Bound attributes (With) go first, in the order they were added.
	rec := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	rec.AddAttrs(h.bound...)
	r.Attrs(func(a slog.Attr) bool {
		a.Key = h.group + a.Key
		rec.AddAttrs(a)
		return true
	})
	err := sh.text.Handle(ctx, rec)
	line := append([]byte(nil), sh.line...)
	sh.mu.Unlock()
	if err != nil {
		return err
	}
	sh.sink.write(sh.stage, line, humanLine(rec, sh.stage))
	return nil
}

// humanLine formats a record for people: the message, then key=value for
// every attribute except the stage (the display already names it).
func humanLine(r slog.Record, stage string) string {
	var b strings.Builder
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	}
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "stage" && a.Value.String() == stage {
			return true
		}
		v := a.Value.Resolve().String()
		if v == "" || strings.ContainsAny(v, " \t\"=") {
			v = strconv.Quote(v)
		}
		b.WriteString(" " + a.Key + "=" + v)
		return true
	})
	return b.String()
}

// WithAttrs implements slog.Handler.
func (h *stageHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := &stageHandler{shared: h.shared, group: h.group}
	n.bound = append(append([]slog.Attr(nil), h.bound...), prefixed(h.group, attrs)...)
	return n
}

// WithGroup implements slog.Handler: later attributes get the group's
// name as a key prefix.
func (h *stageHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &stageHandler{shared: h.shared, bound: h.bound, group: h.group + name + "."}
}

func prefixed(prefix string, attrs []slog.Attr) []slog.Attr {
	if prefix == "" {
		return attrs
	}
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = slog.Attr{Key: prefix + a.Key, Value: a.Value}
	}
	return out
}

func openLogFile(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
}
