package interp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

const (
	kindPanic         = "test_panic"
	kindBadOut        = "test_bad_output"
	kindSecretLog     = "test_secret_log"
	kindUnimplemented = "test_unimplemented" // a schema without an implementation, like rl_train today
)

// recordingSink is a metrics_sink registered for these tests only.
var recordingSink struct {
	mu      sync.Mutex
	records []string
	closed  int
	// contexts are the values of runCtxKey in the contexts Log got.
	contexts []any
}

// runCtxKey marks the context a test passes to interp.Run, to see that it
// reaches adapter calls.
type runCtxKey struct{}

type sinkImpl struct{}

func (sinkImpl) Log(ctx context.Context, st string, step int, m map[string]float64) error {
	recordingSink.mu.Lock()
	defer recordingSink.mu.Unlock()
	recordingSink.records = append(recordingSink.records, st)
	recordingSink.contexts = append(recordingSink.contexts, ctx.Value(runCtxKey{}))
	return nil
}

func (sinkImpl) Close() error {
	recordingSink.mu.Lock()
	defer recordingSink.mu.Unlock()
	recordingSink.closed++
	return nil
}

func init() {
	stage.Register(stage.Kind{Schema: &schema.StageKind{Name: kindUnimplemented, Outputs: []schema.Output{{Name: "value", Type: schema.Int}}}})
	stage.Register(stage.Kind{Schema: &schema.StageKind{Name: kindPanic}, Impl: stage.Func(func(ctx context.Context, env *stage.Env) (stage.Outputs, error) {
		var m map[string]int
		//lint:ignore SA5000 deliberate: a bug in a stage must not crash the run
		m["boom"] = 1
		return nil, nil
	})})
	stage.Register(stage.Kind{Schema: &schema.StageKind{Name: kindBadOut, Outputs: []schema.Output{{Name: "value", Type: schema.Int}}},
		Impl: stage.Func(func(ctx context.Context, env *stage.Env) (stage.Outputs, error) {
			return stage.Outputs{"surprise": 1}, nil
		})})
	type secretLogConfig struct {
		Key string `input:"key"`
	}
	stage.Register(stage.Define(&schema.StageKind{Name: kindSecretLog, Inputs: []schema.Field{{Name: "key", Type: schema.String}}}, func(ctx context.Context, env *stage.Env, cfg secretLogConfig) (stage.Outputs, error) {
		key := cfg.Key
		env.Log.Info("calling the service", "key", key)
		if err := env.Metrics.Write(0, map[string]any{"loss": 1.5, "note": "key " + key}); err != nil {
			return nil, err
		}
		if err := env.Checkpoints.Append(stage.CheckpointRecord{Name: "c", StatePath: "x://" + key}); err != nil {
			return nil, err
		}
		return nil, errors.New("service said: bad key " + key + " (GET /v1/models?key=" + url.QueryEscape(key) + ")")
	}))
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{Port: schema.PortMetricsSink, Name: "test_recorder", Summary: "records sink calls (interp tests)"},
		New: func(_ context.Context, _ registry.Config, env registry.Env) (any, error) {
			env.Logger.Info("sink ready")
			return sinkImpl{}, nil
		},
	})
}

// miscCatalog is testCatalog (the test kinds of this file are registered
// in the same binary).
func miscCatalog() *catalog.Catalog { return testCatalog() }

func TestStageBugsFailTheStageNotTheRun(t *testing.T) {
	p := plan("bugs",
		st("panics", kindPanic, 1, nil),
		st("bad", kindBadOut, 2, nil),
		st("fine", "noop", 3, map[string]ir.Value{"value": lit(t, "int", 7)}),
	)
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: miscCatalog(), Bindings: testBindings(t, nil), RunsDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, interp.StatusFailed, res.Status)
	require.ErrorContains(t, stageResult(res, "panics").Err, "stage panicked: assignment to entry in nil map")
	require.ErrorContains(t, stageResult(res, "bad").Err, `returned no output "value"`)
	require.Equal(t, interp.StatusOK, stageResult(res, "fine").Status)
	log, err := os.ReadFile(filepath.Join(res.RunDir, "run.log"))
	require.NoError(t, err)
	require.Contains(t, string(log), "goroutine", "the panic's stack trace is in run.log")
}

func TestMetricsReachTheSinkAndAdaptersAreClosed(t *testing.T) {
	bindings := testBindings(t, nil)
	bindings[schema.PortMetricsSink] = compiler.Binding{Adapter: "test_recorder"}
	recordingSink.mu.Lock()
	recordingSink.records, recordingSink.closed, recordingSink.contexts = nil, 0, nil
	recordingSink.mu.Unlock()
	p := plan("sink", st("train", kindTrain, 1, map[string]ir.Value{"model": lit(t, "string", "m"), "steps": lit(t, "int", 3),
		"save_every": lit(t, "int", 0), "learning_rate": lit(t, "number", 0.1)}))
	ctx := context.WithValue(context.Background(), runCtxKey{}, "the run's context")
	res, err := interp.Run(ctx, interp.Options{Plan: p, Catalog: miscCatalog(), Bindings: bindings, RunsDir: t.TempDir()})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	recordingSink.mu.Lock()
	defer recordingSink.mu.Unlock()
	require.Equal(t, []string{"train", "train", "train"}, recordingSink.records)
	require.Equal(t, []any{"the run's context", "the run's context", "the run's context"}, recordingSink.contexts,
		"the sink is called with the stage's context, so a cancelled run stops waiting for it")
	require.Equal(t, 1, recordingSink.closed)

	// An adapter's log lines name the adapter, not an empty stage.
	log, err := os.ReadFile(filepath.Join(res.RunDir, "run.log"))
	require.NoError(t, err)
	require.Contains(t, string(log), `msg="sink ready" port=metrics_sink adapter=test_recorder`)
	require.NotContains(t, string(log), `stage=""`)
}

// Secrets that reach a stage are redacted from everything the
// interpreter writes: log lines, metrics, checkpoint records, errors;
// also when they hold characters that JSON or a quoted log value escape
// (the escaped text gives the secret away as surely as the raw one).
func TestSecretsAreRedactedEverywhere(t *testing.T) {
	for _, secret := range []string{"sk-live-0123456789abcdef", `pa"ss<wo>rd&\ key`} {
		jsonForm, err := json.Marshal(secret)
		require.NoError(t, err)
		forms := []string{secret, string(jsonForm[1 : len(jsonForm)-1]), strconv.Quote(secret)[1 : len(strconv.Quote(secret))-1],
			url.QueryEscape(secret)}
		p := plan("redact", st("s", kindSecretLog, 1, map[string]ir.Value{
			"key": {Type: "string", Secret: &ir.SecretRef{Env: []string{"MY_KEY"}}}}))
		var observed []string
		res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: miscCatalog(), Bindings: testBindings(t, nil), RunsDir: t.TempDir(),
			Getenv: func(name string) string {
				if name == "MY_KEY" {
					return secret
				}
				return ""
			},
			Observer: interp.ObserverFunc(func(e interp.Event) { observed = append(observed, e.Message+e.Error) })})
		require.NoError(t, err)
		require.Equal(t, interp.StatusFailed, res.Status)
		for _, form := range forms {
			require.NotContains(t, res.Err.Error(), form)
			for _, o := range observed {
				require.NotContains(t, o, form)
			}
		}
		require.Contains(t, res.Err.Error(), "bad key [REDACTED]")
		for _, f := range []string{"events.jsonl", "run.log", "summary.json", "s/metrics.jsonl", "s/checkpoints.jsonl"} {
			data, err := os.ReadFile(filepath.Join(res.RunDir, f))
			require.NoError(t, err)
			for _, form := range forms {
				require.NotContains(t, string(data), form, "%s holds %q", f, form)
			}
			require.Contains(t, string(data), "[REDACTED]", f)
		}
	}
}

// TestUnimplementedKindIsRefusedBeforeAnythingRuns: a kind that is part of
// the language but has no implementation (a registered schema without a
// Run) compiles, but run and dry run refuse the plan before anything
// starts, naming the kind.
func TestUnimplementedKindIsRefusedBeforeAnythingRuns(t *testing.T) {
	runs := t.TempDir()
	p := plan("unimpl", st("a", "noop", 1, nil), st("b", kindUnimplemented, 2, nil))
	opts := interp.Options{Plan: p, Catalog: miscCatalog(), Bindings: testBindings(t, nil), RunsDir: runs}
	_, err := interp.Run(context.Background(), opts)
	require.ErrorContains(t, err, `stage kind "test_unimplemented" has no implementation in this build of cookbookc`)
	entries, _ := os.ReadDir(runs)
	require.Empty(t, entries)
	require.ErrorContains(t, interp.DryRun(io.Discard, opts), "has no implementation")
}
