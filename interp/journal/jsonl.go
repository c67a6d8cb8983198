// Package journal writes the append-only JSONL logs of a run directory
// so that a crash at any instant leaves them readable: one whole line per
// write, with a torn last line (a crash in the middle of a write) detected
// and dropped when the log is read or reopened. Whole files are replaced
// with lang/atomicfile.
package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/lang/failpoint"
)

// CorruptError reports a JSONL file with a damaged line that is not the
// last one: something other than a crash mid-append changed the file.
type CorruptError struct {
	Path string
	Line int // 1-based
	Err  error
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s:%d: corrupt record: %v", e.Path, e.Line, e.Err)
}

// Unwrap returns the parse error.
func (e *CorruptError) Unwrap() error { return e.Err }

// ReadLines returns the complete records of a JSONL file. A last line
// without its newline is the trace of a crash in the middle of an append:
// it is dropped and torn is true. A complete line that is not a JSON
// object is corruption (*CorruptError). A missing file has no records.
func ReadLines(path string) (lines []json.RawMessage, torn bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", path, err)
	}
	lines, valid, err := splitRecords(path, data)
	return lines, valid < len(data), err
}

// splitRecords parses data and returns its records and the length of the
// prefix that holds them (everything after is a torn last line).
func splitRecords(path string, data []byte) ([]json.RawMessage, int, error) {
	var lines []json.RawMessage
	valid, lineNo := 0, 0
	for valid < len(data) {
		nl := bytes.IndexByte(data[valid:], '\n')
		if nl < 0 {
			break // torn tail
		}
		lineNo++
		line := data[valid : valid+nl]
		valid += nl + 1
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if len(line) == 0 || line[0] != '{' || !json.Valid(line) {
			return nil, 0, &CorruptError{Path: path, Line: lineNo, Err: errors.New("not a JSON object")}
		}
		lines = append(lines, json.RawMessage(line))
	}
	return lines, valid, nil
}

// SyncPolicy says when a Log fsyncs.
type SyncPolicy int

const (
	// SyncNever leaves flushing to the OS: a record survives the process
	// being killed (it is in the page cache) but not a power cut, until
	// Sync or Close.
	SyncNever SyncPolicy = iota
	// SyncEach fsyncs after every record; Append returns once the record
	// is on disk.
	SyncEach
	// SyncBackground fsyncs from a background goroutine after writes, at
	// most once per BackgroundSyncInterval, coalescing the records written
	// meanwhile (group commit). Append does not wait for the disk. The
	// interval matters: an fsync in progress makes appends to the same
	// file wait (stable pages), so syncing after every record made a chain
	// of small stages three times slower.
	SyncBackground
)

// BackgroundSyncInterval is the minimum time between two background
// fsyncs of a SyncBackground log: the most a power cut can lose.
const BackgroundSyncInterval = 250 * time.Millisecond

// Log is an append-only JSONL file. Each record is written with a single
// write(2) of the whole line, so records of concurrent appenders never
// interleave and a killed process leaves at most one torn last line, which
// OpenLog removes before appending.
type Log struct {
	path   string
	name   string // failpoint prefix
	policy SyncPolicy

	mu     sync.Mutex
	f      *os.File
	closed bool

	kick chan struct{} // SyncBackground: wakes the syncer
	stop chan struct{} // SyncBackground: closed by Close
	done chan struct{} // closed when the syncer exits
	serr error         // first background fsync error, reported by Close
}

// OpenLog opens (creating it if needed) a JSONL log for appending and
// returns its existing records. A torn last line is cut off first so that
// new records start on a fresh line. name prefixes the failpoints of the
// log ("NAME.before", "NAME.torn", "NAME.after").
func OpenLog(path, name string, policy SyncPolicy) (*Log, []json.RawMessage, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s: %w", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	lines, valid, err := splitRecords(path, data)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if valid < len(data) {
		if err := f.Truncate(int64(valid)); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("cutting the torn last line of %s: %w", path, err)
		}
	}
	if _, err := f.Seek(int64(valid), io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("opening %s: %w", path, err)
	}
	l := &Log{path: path, name: name, policy: policy, f: f}
	if policy == SyncBackground {
		l.kick = make(chan struct{}, 1)
		l.stop = make(chan struct{})
		l.done = make(chan struct{})
		go l.syncer()
	}
	return l, lines, nil
}

// Path returns the file's path.
func (l *Log) Path() string { return l.path }

// Append writes v as one JSON line.
func (l *Log) Append(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("appending to %s: %w", l.path, err)
	}
	return l.AppendLine(data)
}

// AppendLine writes one record, a JSON object without a newline.
func (l *Log) AppendLine(record []byte) error {
	line := make([]byte, 0, len(record)+1)
	line = append(append(line, record...), '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("appending to %s: log is closed", l.path)
	}
	failpoint.Hit(l.name + ".before")
	if failpoint.Armed(l.name + ".torn") {
		// Simulate a crash in the middle of the write: half a line reaches
		// the file, then the process dies (on the armed hit).
		half := len(line) / 2
		if _, err := l.f.Write(line[:half]); err != nil {
			return fmt.Errorf("appending to %s: %w", l.path, err)
		}
		failpoint.Hit(l.name + ".torn")
		line = line[half:]
	}
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("appending to %s: %w", l.path, err)
	}
	failpoint.Hit(l.name + ".after")
	switch l.policy {
	case SyncEach:
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("appending to %s: fsync: %w", l.path, err)
		}
	case SyncBackground:
		select {
		case l.kick <- struct{}{}:
		default: // a sync is already pending; it will cover this record
		}
	}
	return nil
}

// Sync flushes every record written so far to disk.
func (l *Log) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", l.path, err)
	}
	return nil
}

func (l *Log) syncer() {
	defer close(l.done)
	for {
		select {
		case <-l.kick:
		case <-l.stop:
			return // Close syncs
		}
		// f.Sync is safe concurrently with writes: it covers at least
		// every write that completed before it started.
		if err := l.f.Sync(); err != nil {
			l.mu.Lock()
			if l.serr == nil {
				l.serr = err
			}
			l.mu.Unlock()
		}
		t := time.NewTimer(BackgroundSyncInterval)
		select {
		case <-t.C:
		case <-l.stop:
			t.Stop()
			return
		}
	}
}

// Close syncs and closes the log. It reports an earlier background fsync
// failure, so a failed flush is never silent.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	if l.stop != nil {
		close(l.stop)
		<-l.done
	}
	serr := l.serr
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if serr != nil {
		return fmt.Errorf("fsync %s: %w", l.path, serr)
	}
	if err != nil {
		return fmt.Errorf("closing %s: %w", l.path, err)
	}
	return nil
}
