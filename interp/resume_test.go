package interp_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/interp/journal"
)

func resumePlan(t *testing.T, lr float64) *ir.Plan {
	return plan("resume",
		st("train", kindTrain, 1, map[string]ir.Value{"model": lit(t, "string", "fake/tiny"), "steps": lit(t, "int", 20),
			"save_every": lit(t, "int", 4), "learning_rate": lit(t, "number", lr)}),
		st("use", "noop", 2, map[string]ir.Value{"value": ref("checkpoint", "stage.train.final_checkpoint")}),
		st("side", "noop", 3, map[string]ir.Value{"value": lit(t, "string", "independent")}),
	)
}

// events returns the journal's records of a type.
func eventsOf(t *testing.T, dir, typ string) []interp.Event {
	lines, _, err := journal.ReadLines(filepath.Join(dir, "events.jsonl"))
	require.NoError(t, err)
	var out []interp.Event
	for _, l := range lines {
		var e interp.Event
		require.NoError(t, jsonUnmarshal(l, &e))
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestInterruptedStageResumesFromCheckpoint(t *testing.T) {
	bindings := testBindings(t, map[string]any{"latency_ms": 2})
	ref, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.01), Catalog: testCatalog(), Bindings: bindings, RunsDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, ref.Status, "%v", ref.Err)

	// Interrupt once the stage has passed its second checkpoint.
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	obs := interp.ObserverFunc(func(e interp.Event) {
		if e.Type == interp.EventProgress && e.Stage == "train" && e.Done >= 10 {
			once.Do(cancel)
		}
	})
	res, err := interp.Run(ctx, interp.Options{Plan: resumePlan(t, 0.01), Catalog: testCatalog(), Bindings: bindings, RunsDir: t.TempDir(), Parallel: 1, Observer: obs})
	require.NoError(t, err)
	require.Equal(t, interp.StatusInterrupted, res.Status)
	require.Equal(t, interp.StatusInterrupted, stageResult(res, "train").Status)
	require.Equal(t, interp.StatusPending, stageResult(res, "use").Status)

	// The checkpoint the resumed stage must start from: the last one saved.
	saved, _, err := journal.ReadLines(filepath.Join(res.RunDir, "train", "checkpoints.jsonl"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(saved), 2, "interrupted after its second checkpoint")
	var lastSaved struct{ Step int }
	require.NoError(t, jsonUnmarshal(saved[len(saved)-1], &lastSaved))

	again, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.01), Catalog: testCatalog(), Bindings: bindings, ResumeDir: res.RunDir})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, again.Status, "%v", again.Err)
	require.Equal(t, 2, again.Attempt)
	require.True(t, stageResult(again, "train").Resumed)
	// Resuming from an earlier checkpoint would end the same (the batches
	// depend only on the step) but redo saved work: it starts from the last.
	from, ok := resumedFrom.Load(filepath.Join(res.RunDir, "train"))
	require.True(t, ok, "the train stage did not resume from a checkpoint")
	require.Equal(t, lastSaved.Step, from, "resumed from step %v, the last checkpoint is at step %d", from, lastSaved.Step)
	require.Equal(t, outputs(t, ref), outputs(t, again), "a resumed run ends exactly like an uninterrupted one")

	// Every step's metrics appear exactly once.
	lines, _, err := journal.ReadLines(filepath.Join(again.RunDir, "train", "metrics.jsonl"))
	require.NoError(t, err)
	require.Len(t, lines, 20)
	refLines, _, err := journal.ReadLines(filepath.Join(ref.RunDir, "train", "metrics.jsonl"))
	require.NoError(t, err)
	require.Equal(t, refLines, lines)

	resumed := false
	for _, e := range eventsOf(t, again.RunDir, interp.EventStageStarted) {
		if e.Attempt == 2 && e.Stage == "train" {
			resumed = e.Resume
		}
	}
	require.True(t, resumed, "the interrupted stage restarted with Env.Resume")

	// Resuming a finished run reuses everything.
	third, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.01), Catalog: testCatalog(), Bindings: bindings, ResumeDir: res.RunDir})
	require.NoError(t, err)
	for _, s := range third.Stages {
		require.Equal(t, interp.StatusReused, s.Status, s.ID)
	}
	require.Equal(t, outputs(t, ref), outputs(t, third))
}

func TestChangedInputsReRunTheStageAndItsDependents(t *testing.T) {
	bindings := testBindings(t, nil)
	first, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.01), Catalog: testCatalog(), Bindings: bindings, RunsDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, first.Status)

	second, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.02), Catalog: testCatalog(), Bindings: bindings, ResumeDir: first.RunDir})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, second.Status, "%v", second.Err)
	require.Equal(t, interp.StatusReused, stageResult(second, "side").Status)
	require.Equal(t, interp.StatusOK, stageResult(second, "train").Status)
	require.Equal(t, "re-runs: its inputs changed since it finished", stageResult(second, "train").Reason)
	require.Equal(t, interp.StatusOK, stageResult(second, "use").Status)
	require.Contains(t, stageResult(second, "use").Reason, `depends on "train"`)
	require.NotEqual(t, outputs(t, first)["train"], outputs(t, second)["train"])
	require.Len(t, eventsOf(t, first.RunDir, interp.EventStageInvalidated), 2)
	require.Len(t, eventsOf(t, first.RunDir, interp.EventPlanChanged), 1)
	// The first attempt's files are kept, not overwritten.
	require.DirExists(t, filepath.Join(first.RunDir, "superseded", "train.before-attempt-2"))
	require.FileExists(t, filepath.Join(first.RunDir, "superseded", "plan.before-attempt-2.json"))

	// A different manifest binding is a change too.
	third, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.02), Catalog: testCatalog(),
		Bindings: testBindings(t, map[string]any{"latency_ms": 1}), ResumeDir: first.RunDir})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, stageResult(third, "train").Status)
	require.Equal(t, interp.StatusReused, stageResult(third, "side").Status)
}

func TestResumeRefusesForeignAndCorruptDirectories(t *testing.T) {
	bindings := testBindings(t, nil)
	first, err := interp.Run(context.Background(), interp.Options{Plan: resumePlan(t, 0.01), Catalog: testCatalog(), Bindings: bindings, RunsDir: t.TempDir()})
	require.NoError(t, err)
	resume := func(p *ir.Plan, dir string) error {
		_, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: bindings, ResumeDir: dir})
		return err
	}
	var rde *interp.RunDirError

	err = resume(plan("other", st("x", "noop", 1, nil)), first.RunDir)
	require.True(t, errors.As(err, &rde), "%v", err)
	require.Contains(t, err.Error(), `it is a run of experiment "resume", not "other"`)

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("mine"), 0o644))
	err = resume(resumePlan(t, 0.01), empty)
	require.ErrorContains(t, err, "not a cookbookc run directory")
	entries, _ := os.ReadDir(empty)
	require.Len(t, entries, 1, "a foreign directory is left untouched")

	require.ErrorContains(t, resume(resumePlan(t, 0.01), filepath.Join(empty, "missing")), "no such directory")

	// Corrupt the middle of the journal: refused, file unchanged.
	events := filepath.Join(first.RunDir, "events.jsonl")
	data, err := os.ReadFile(events)
	require.NoError(t, err)
	corrupt := append([]byte("{garbage\n"), data...)
	require.NoError(t, os.WriteFile(events, corrupt, 0o644))
	err = resume(resumePlan(t, 0.01), first.RunDir)
	require.ErrorContains(t, err, "events.jsonl is corrupt")
	require.ErrorContains(t, err, "nothing in it was changed")
	after, _ := os.ReadFile(events)
	require.Equal(t, corrupt, after)

	// A torn last line (a crash mid-append) is not corruption.
	require.NoError(t, os.WriteFile(events, append(data, []byte(`{"type":"stage_sta`)...), 0o644))
	require.NoError(t, resume(resumePlan(t, 0.01), first.RunDir))

	// A damaged run.json is refused.
	require.NoError(t, os.WriteFile(filepath.Join(first.RunDir, "run.json"), []byte("{}"), 0o644))
	require.ErrorContains(t, resume(resumePlan(t, 0.01), first.RunDir), "format")
}
