package journal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openFailingSync opens a log on /dev/null, a file whose writes succeed
// and whose fsync fails (EINVAL), to see how each policy reports it.
func openFailingSync(t *testing.T, policy SyncPolicy) *Log {
	t.Helper()
	l, lines, err := OpenLog(os.DevNull, "devnull", policy)
	if err != nil {
		t.Skipf("%s cannot be opened as a log here: %v", os.DevNull, err)
	}
	if len(lines) != 0 {
		t.Fatalf("records in %s: %v", os.DevNull, lines)
	}
	return l
}

// TestFsyncFailuresAreNeverSilent: whatever the policy, a failed fsync
// reaches the caller: at once under SyncEach, from Sync and Close under
// SyncNever, and from Close under SyncBackground, whose syncer recorded
// it.
func TestFsyncFailuresAreNeverSilent(t *testing.T) {
	t.Run("each", func(t *testing.T) {
		l := openFailingSync(t, SyncEach)
		defer l.Close()
		if err := l.Append(map[string]int{"a": 1}); err == nil || !strings.Contains(err.Error(), "fsync") {
			t.Fatalf("Append = %v, want the fsync error", err)
		}
	})
	t.Run("never", func(t *testing.T) {
		l := openFailingSync(t, SyncNever)
		if err := l.Append(map[string]int{"a": 1}); err != nil {
			t.Fatalf("Append = %v (SyncNever does not fsync)", err)
		}
		if err := l.Sync(); err == nil {
			t.Fatal("Sync = nil, want the fsync error")
		}
		if err := l.Close(); err == nil || !strings.Contains(err.Error(), "closing") {
			t.Fatalf("Close = %v, want the fsync error", err)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("second Close = %v, want nil", err)
		}
	})
	t.Run("background", func(t *testing.T) {
		l := openFailingSync(t, SyncBackground)
		if err := l.Append(map[string]int{"a": 1}); err != nil {
			t.Fatalf("Append = %v (the background syncer fsyncs)", err)
		}
		// The syncer runs at once on the first record.
		deadline := time.Now().Add(10 * time.Second)
		for {
			l.mu.Lock()
			serr := l.serr
			l.mu.Unlock()
			if serr != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the background syncer never fsynced the record")
			}
			time.Sleep(time.Millisecond)
		}
		if err := l.Close(); err == nil || !strings.HasPrefix(err.Error(), "fsync "+os.DevNull) {
			t.Fatalf("Close = %v, want the background fsync error", err)
		}
	})
}

// TestSyncAndCloseSucceed: on a real file, Sync and Close report no
// error, and Sync after Close is a no-op.
func TestSyncAndCloseSucceed(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncNever, SyncEach, SyncBackground} {
		l, _, err := OpenLog(filepath.Join(t.TempDir(), "x.jsonl"), "x", policy)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(map[string]int{"a": 1}); err != nil {
			t.Fatalf("policy %d: Append: %v", policy, err)
		}
		if err := l.Sync(); err != nil {
			t.Fatalf("policy %d: Sync: %v", policy, err)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("policy %d: Close: %v", policy, err)
		}
		if err := l.Sync(); err != nil {
			t.Fatalf("policy %d: Sync after Close: %v", policy, err)
		}
	}
}
