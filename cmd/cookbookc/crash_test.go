package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/failpoint"
)

// normalized drops wall-clock measurements ("time/..." keys), the only
// part of a run that may differ between two runs on the same inputs.
func normalized(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if !strings.HasPrefix(k, "time/") {
				out[k] = normalized(e)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = normalized(x[i])
		}
	}
	return v
}

// runState is what a finished run directory says: every stage's status
// and outputs, and the content of every stage's metrics and checkpoint
// logs, normalized.
type runState struct {
	status  string
	stages  map[string]string // id -> status + outputs
	journal map[string]string // "<stage>/<file>" -> normalized records
}

func readRunState(t *testing.T, dir string) runState {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	var sum struct {
		Status string
		Stages []struct {
			ID, Status string
			Outputs    map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(data, &sum))
	st := runState{status: sum.Status, stages: map[string]string{}, journal: map[string]string{}}
	for _, s := range sum.Stages {
		out, _ := json.Marshal(normalized(s.Outputs))
		// Paths inside the run directory differ between runs; a reused
		// stage counts as done, like one that ran.
		text := strings.ReplaceAll(string(out), dir, "<run>")
		status := s.Status
		if status == "reused" {
			status = "ok"
		}
		st.stages[s.ID] = status + " " + text
		for _, file := range []string{"metrics.jsonl", "checkpoints.jsonl"} {
			raw, err := os.ReadFile(filepath.Join(dir, s.ID, file))
			if os.IsNotExist(err) {
				continue
			}
			require.NoError(t, err)
			var lines []string
			for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
				var rec map[string]any
				require.NoError(t, json.Unmarshal(line, &rec), "%s/%s: %s", s.ID, file, line)
				norm, _ := json.Marshal(normalized(rec))
				lines = append(lines, string(norm))
			}
			st.journal[s.ID+"/"+file] = strings.Join(lines, "\n")
		}
	}
	return st
}

// sameRun compares a resumed run with the uninterrupted one, stage by
// stage and file by file, so a failure names what differs.
func sameRun(t *testing.T, want, got runState, after string) {
	t.Helper()
	require.Equal(t, len(want.stages), len(got.stages))
	for id, w := range want.stages {
		require.Equal(t, w, got.stages[id], "stage %s after %s differs from an uninterrupted run", id, after)
	}
	require.Equal(t, len(want.journal), len(got.journal))
	for file, w := range want.journal {
		require.Equal(t, w, got.journal[file], "%s after %s differs from an uninterrupted run", file, after)
	}
}

type journalEvent struct {
	Type, Stage string
	Attempt     int
	Resume      bool
}

func readEvents(t *testing.T, dir string) []journalEvent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	require.NoError(t, err)
	var out []journalEvent
	if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
		data = data[:i+1] // a torn last line, left by the kill
	}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var e journalEvent
		require.NoError(t, json.Unmarshal(line, &e), "%s", line)
		out = append(out, e)
	}
	return out
}

// Acceptance 2: the real binary runs a multi-stage recipe (noop, two
// supervised_train branches, evaluate, sample) on the test manifest and is
// SIGKILLed at named points (COOKBOOKC_FAILPOINT=NAME:N): before and after
// journal writes, in the middle of a journal line, inside training steps,
// around checkpoint records and around atomic file replacement. After
// each kill, `run --resume DIR` must finish, and the run must end exactly
// like an uninterrupted one: same stage outputs, and the same metrics and
// checkpoint records (no step lost, none repeated).
func TestCrashAndResume(t *testing.T) {
	recipe := testdataRun(t, "crash.hcl")
	args := func(runs string) []string {
		return []string{"run", recipe, "--manifest", "test", "--parallel", "2", "--runs-dir", runs}
	}
	refRuns := t.TempDir()
	ref := runCLI(t, refRuns, nil, args(refRuns)...)
	require.Equal(t, 0, ref.code, ref.stderr)
	refDirs, _ := filepath.Glob(filepath.Join(refRuns, "crash", "*"))
	require.Len(t, refDirs, 1)
	want := readRunState(t, refDirs[0])
	require.Equal(t, "ok", want.status)
	require.Len(t, want.stages, 6)
	require.Contains(t, want.journal, "train_a/checkpoints.jsonl")

	points := []struct {
		spec string
		// resumes: the resume must restart an interrupted stage from
		// its checkpoint (Env.Resume).
		resumes bool
	}{
		{"run.started:1", false},
		{"stage.started:1", false},
		{"stage.started:3", false},
		{"events.before:4", false},
		{"events.torn:5", false},
		{"events.after:7", false},
		{"metrics.written:8", false},
		{"metrics.torn:12", false},
		{"checkpoint.before:2", true},
		{"checkpoint.after:3", true},
		{"checkpoints.torn:4", true},
		{"stage.before-finish:2", false},
		{"stage.finished:3", false},
		{"events.torn:12", false},
		{"atomic.before-rename:3", false},
		{"atomic.after-rename:3", false},
	}
	for _, p := range points {
		t.Run(strings.ReplaceAll(p.spec, ":", "@"), func(t *testing.T) {
			runs := t.TempDir()
			crashed := runCLI(t, runs, []string{failpoint.EnvVar + "=" + p.spec}, args(runs)...)
			require.True(t, crashed.killed, "failpoint %s never fired (exit %d): %s", p.spec, crashed.code, crashed.stderr)
			dirs, _ := filepath.Glob(filepath.Join(runs, "crash", "*"))
			require.Len(t, dirs, 1)
			dir := dirs[0]
			before := readEvents(t, dir)

			resumed := runCLI(t, runs, nil, "run", "--resume", dir)
			require.Equal(t, 0, resumed.code, "resume after %s failed:\n%s", p.spec, resumed.stderr)
			sameRun(t, want, readRunState(t, dir), p.spec)

			// No finished stage ran again, and an interrupted training
			// stage resumed from its checkpoint.
			finished := map[string]bool{}
			for _, e := range before {
				if e.Type == "stage_finished" {
					finished[e.Stage] = true
				}
			}
			resumedFromCheckpoint := false
			for _, e := range readEvents(t, dir)[len(before):] {
				if e.Type == "stage_started" {
					require.False(t, finished[e.Stage], "stage %s finished before the crash but ran again", e.Stage)
					resumedFromCheckpoint = resumedFromCheckpoint || e.Resume
				}
			}
			if p.resumes {
				require.True(t, resumedFromCheckpoint, "no stage resumed from its checkpoint after %s", p.spec)
			}
		})
	}

	// A crash during the resume itself is resumed too.
	t.Run("crash-during-resume", func(t *testing.T) {
		runs := t.TempDir()
		first := runCLI(t, runs, []string{failpoint.EnvVar + "=checkpoint.after:2"}, args(runs)...)
		require.True(t, first.killed)
		dirs, _ := filepath.Glob(filepath.Join(runs, "crash", "*"))
		require.Len(t, dirs, 1)
		second := runCLI(t, runs, []string{failpoint.EnvVar + "=checkpoint.after:2"}, "run", "--resume", dirs[0])
		require.True(t, second.killed, second.stderr)
		third := runCLI(t, runs, nil, "run", "--resume", dirs[0])
		require.Equal(t, 0, third.code, third.stderr)
		sameRun(t, want, readRunState(t, dirs[0]), "two crashes")
		attempts := map[int]bool{}
		for _, e := range readEvents(t, dirs[0]) {
			attempts[e.Attempt] = true
		}
		keys := []int{}
		for a := range attempts {
			if a > 0 {
				keys = append(keys, a)
			}
		}
		sort.Ints(keys)
		require.Equal(t, []int{1, 2, 3}, keys)
	})
}
