package interp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/interp/journal"
)

// Two independent branches run at the same time.
func TestIndependentBranchesRunConcurrently(t *testing.T) {
	overlap.mu.Lock()
	overlap.running, overlap.maxSeen, overlap.interval = 0, 0, map[string][2]time.Time{}
	overlap.mu.Unlock()
	p := plan("branches",
		st("a1", kindOverlap, 1, map[string]ir.Value{"ms": lit(t, "int", 150)}),
		st("b1", kindOverlap, 2, map[string]ir.Value{"ms": lit(t, "int", 150)}),
		st("a2", kindOverlap, 3, map[string]ir.Value{"ms": lit(t, "int", 10)}, "a1"),
		st("b2", kindOverlap, 4, map[string]ir.Value{"ms": lit(t, "int", 10)}, "b1"),
	)
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil),
		RunsDir: t.TempDir(), Parallel: 4})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	overlap.mu.Lock()
	defer overlap.mu.Unlock()
	a, b := overlap.interval["a1"], overlap.interval["b1"]
	require.True(t, a[0].Before(b[1]) && b[0].Before(a[1]), "branches did not overlap: a1 %v, b1 %v", a, b)
	require.GreaterOrEqual(t, overlap.maxSeen, 2)
	// Dependencies are respected: a2 starts after a1 ends.
	require.False(t, overlap.interval["a2"][0].Before(a[1]))

	// --parallel 1 serialises them.
	overlap.running, overlap.maxSeen = 0, 0
	overlap.mu.Unlock()
	res, err = interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil),
		RunsDir: t.TempDir(), Parallel: 1})
	overlap.mu.Lock()
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status)
	require.Equal(t, 1, overlap.maxSeen)
}

// A failing stage skips its dependents while the other branch finishes.
func TestFailureIsolation(t *testing.T) {
	p := plan("isolation",
		st("train", kindTrain, 10, map[string]ir.Value{"model": lit(t, "string", "fake/tiny"), "steps": lit(t, "int", 5),
			"save_every": lit(t, "int", 2), "learning_rate": lit(t, "number", 1e-3)}),
		st("after_train", "noop", 20, map[string]ir.Value{"value": ref("any", "stage.train.final_checkpoint")}),
		st("after_after", "noop", 25, map[string]ir.Value{"value": ref("any", "stage.after_train.value")}),
		st("other", "noop", 30, map[string]ir.Value{"value": lit(t, "string", "hello"), "sleep_ms": lit(t, "int", 50)}),
		st("other2", "noop", 40, map[string]ir.Value{"value": ref("any", "stage.other.value")}),
	)
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(),
		Bindings: testBindings(t, map[string]any{"fail_op": "optim_step", "fail_at": 3}), RunsDir: t.TempDir(), Parallel: 2})
	require.NoError(t, err)
	require.Equal(t, interp.StatusFailed, res.Status)
	require.Equal(t, interp.StatusFailed, stageResult(res, "train").Status)
	skipped := stageResult(res, "after_train")
	require.Equal(t, interp.StatusSkipped, skipped.Status)
	require.Equal(t, `dependency "train" failed`, skipped.Reason)
	require.Equal(t, interp.StatusSkipped, stageResult(res, "after_after").Status)
	require.Contains(t, stageResult(res, "after_after").Reason, `"train" failed`)
	require.Equal(t, interp.StatusOK, stageResult(res, "other2").Status)
	require.JSONEq(t, `{"value":"hello"}`, outputs(t, res)["other2"])

	msg := res.Err.Error()
	for _, want := range []string{`stage "train"`, "(test_train)", "recipe.hcl:10:3", "training_client (fake): optim_step", "injected failure"} {
		require.Contains(t, msg, want)
	}
	events, _, err := journal.ReadLines(filepath.Join(res.RunDir, "events.jsonl"))
	require.NoError(t, err)
	all := ""
	for _, e := range events {
		all += string(e) + "\n"
	}
	require.Contains(t, all, `"type":"stage_skipped","stage":"after_train"`)
	require.Contains(t, all, `"type":"stage_failed","attempt":1,"stage":"train"`)
	require.Contains(t, all, `"status":"failed"`)
}

// The run directory has the documented files and per-stage journals.
func TestRunDirectoryLayout(t *testing.T) {
	runs := t.TempDir()
	p := plan("layout",
		st("train", kindTrain, 1, map[string]ir.Value{"model": lit(t, "string", "fake/tiny"), "steps": lit(t, "int", 6),
			"save_every": lit(t, "int", 2), "learning_rate": lit(t, "number", 1e-3)}),
	)
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil),
		RunsDir: runs, RunID: "r1"})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	require.Equal(t, filepath.Join(runs, "layout", "r1"), res.RunDir)
	for _, f := range []string{"run.json", "plan.json", "events.jsonl", "summary.json", "run.log", "train/metrics.jsonl", "train/checkpoints.jsonl"} {
		require.FileExists(t, filepath.Join(res.RunDir, f))
	}
	metrics, _, err := journal.ReadLines(filepath.Join(res.RunDir, "train", "metrics.jsonl"))
	require.NoError(t, err)
	require.Len(t, metrics, 6)
	require.Contains(t, string(metrics[0]), `"step":0`)
	ckpts, _, err := journal.ReadLines(filepath.Join(res.RunDir, "train", "checkpoints.jsonl"))
	require.NoError(t, err)
	require.Len(t, ckpts, 2)
	require.Contains(t, string(ckpts[1]), `"name":"step_000004"`)
	plan, err := interp.ReadRunPlan(res.RunDir)
	require.NoError(t, err)
	require.Equal(t, "layout", plan.Experiment)

	// Never overwrite: the same run id again is refused.
	_, err = interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil),
		RunsDir: runs, RunID: "r1"})
	require.ErrorIs(t, err, os.ErrExist)
}

func TestPlanProblemsAreReportedBeforeAnythingRuns(t *testing.T) {
	runs := t.TempDir()
	bindings := testBindings(t, nil)
	delete(bindings, "training_client")
	p := plan("bad",
		st("train", kindTrain, 1, map[string]ir.Value{"model": lit(t, "string", "m")}),
		st("x", "no_such_kind", 2, nil),
		st("blobs", "noop", 3, nil),
		st("s", "noop", 4, map[string]ir.Value{"value": {Type: "string", Secret: &ir.SecretRef{Env: []string{"COOKBOOKC_TEST_UNSET_VAR"}}}}),
	)
	_, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: bindings, RunsDir: runs,
		Getenv: func(string) string { return "" }})
	require.Error(t, err)
	for _, want := range []string{"needs port training_client", `unknown stage kind "no_such_kind"`, `"blobs" is reserved`, "COOKBOOKC_TEST_UNSET_VAR"} {
		require.Contains(t, err.Error(), want)
	}
	entries, _ := os.ReadDir(runs)
	require.Empty(t, entries, "nothing may be created when the plan cannot run")

	bindings = testBindings(t, nil)
	bindings["training_client"] = compiler.Binding{Adapter: "nonexistent", Origin: "--port"}
	_, err = interp.Run(context.Background(), interp.Options{Plan: plan("bad", st("train", kindTrain, 1, nil)), Catalog: testCatalog(), Bindings: bindings, RunsDir: runs})
	require.ErrorContains(t, err, `adapter "nonexistent" (--port), which is not registered`)
}

func TestStageOutputsAreTyped(t *testing.T) {
	p := plan("typed",
		st("a", "noop", 1, map[string]ir.Value{"value": lit(t, "list(int)", []int{1, 2})}),
		st("b", "noop", 2, map[string]ir.Value{"value": lit(t, "", map[string]any{"n": 3, "f": 1.5, "s": "x"})}),
		st("train", kindTrain, 3, map[string]ir.Value{"model": lit(t, "string", "fake/tiny"), "steps": lit(t, "int", 2), "save_every": lit(t, "int", 0), "learning_rate": lit(t, "number", 0.1)}),
		st("c", "noop", 4, map[string]ir.Value{"value": ref("checkpoint", "stage.train.final_checkpoint")}),
	)
	var seen []any
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil), RunsDir: t.TempDir(),
		Observer: interp.ObserverFunc(func(e interp.Event) {
			if e.Type == interp.EventStageFinished && e.Stage == "c" {
				seen = append(seen, string(e.Outputs))
			}
		})})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	require.Contains(t, outputs(t, res)["c"], `"state_path":"fake://state/final?`)
	require.Len(t, seen, 1)
	require.True(t, strings.Contains(outputs(t, res)["b"], `"n":3`))
}

// Two training branches on the fake trainer overlap in time, as the
// journal's timestamps show.
func TestTrainingBranchesOverlapOnFakes(t *testing.T) {
	train := func(id string, line int) ir.Stage {
		return st(id, kindTrain, line, map[string]ir.Value{"model": lit(t, "string", "fake/tiny"), "steps": lit(t, "int", 8),
			"save_every": lit(t, "int", 0), "learning_rate": lit(t, "number", 1e-3)})
	}
	p := plan("overlap", train("a", 1), train("b", 2))
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(),
		Bindings: testBindings(t, map[string]any{"latency_ms": 5}), RunsDir: t.TempDir(), Parallel: 2})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	span := map[string][2]time.Time{}
	for _, e := range append(eventsOf(t, res.RunDir, interp.EventStageStarted), eventsOf(t, res.RunDir, interp.EventStageFinished)...) {
		s := span[e.Stage]
		if e.Type == interp.EventStageStarted {
			s[0] = e.Time
		} else {
			s[1] = e.Time
		}
		span[e.Stage] = s
	}
	a, b := span["a"], span["b"]
	require.True(t, a[0].Before(b[1]) && b[0].Before(a[1]), "a %v and b %v did not overlap", a, b)
	// Each took at least 8 steps x 2 calls x 5 ms: the overlap is real work.
	require.Greater(t, a[1].Sub(a[0]), 70*time.Millisecond)
}

// A signal that arrives after the last stage finished interrupted
// nothing: the run is complete, not interrupted.
func TestCancelAfterTheLastStageIsNotAnInterruption(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := plan("late", st("a", "noop", 1, map[string]ir.Value{"value": lit(t, "int", 1)}))
	res, err := interp.Run(ctx, interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil), RunsDir: t.TempDir(),
		Observer: interp.ObserverFunc(func(e interp.Event) {
			if e.Type == interp.EventStageFinished {
				cancel()
			}
		})})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	require.NoError(t, res.Err)
}
