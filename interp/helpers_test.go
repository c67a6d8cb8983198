package interp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	_ "github.com/cookbookc/cookbookc/adapters/blob/local"
	_ "github.com/cookbookc/cookbookc/adapters/fake"
	_ "github.com/cookbookc/cookbookc/adapters/metrics/none"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler"
	"github.com/cookbookc/cookbookc/compiler/catalog"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	_ "github.com/cookbookc/cookbookc/stdlib/stages/noop"
)

// Test-only stage kinds, registered with their schemas like real ones.
const (
	kindOverlap = "test_overlap" // records how many stages run at once
	kindTrain   = "test_train"   // a resumable training loop on the trainer port
)

// overlap records the intervals during which test_overlap stages ran.
var overlap struct {
	mu       sync.Mutex
	running  int
	maxSeen  int
	interval map[string][2]time.Time
}

func init() {
	overlapSchema := &schema.StageKind{Name: kindOverlap,
		Inputs:  []schema.Field{{Name: "ms", Type: schema.Int}},
		Outputs: []schema.Output{{Name: "done", Type: schema.Bool}}}
	type overlapConfig struct {
		MS int64 `input:"ms"`
	}
	stage.Register(stage.Define(overlapSchema, func(ctx context.Context, env *stage.Env, cfg overlapConfig) (stage.Outputs, error) {
		overlap.mu.Lock()
		overlap.running++
		overlap.maxSeen = max(overlap.maxSeen, overlap.running)
		start := time.Now()
		overlap.mu.Unlock()
		select {
		case <-time.After(time.Duration(cfg.MS) * time.Millisecond):
		case <-ctx.Done():
		}
		overlap.mu.Lock()
		overlap.running--
		overlap.interval[env.Stage.ID] = [2]time.Time{start, time.Now()}
		overlap.mu.Unlock()
		return stage.Outputs{"done": true}, ctx.Err()
	}))
	stage.Register(stage.Define(&schema.StageKind{Name: kindTrain,
		Ports: []string{schema.PortTrainingClient},
		Inputs: []schema.Field{{Name: "model", Type: schema.String}, {Name: "steps", Type: schema.Int},
			{Name: "save_every", Type: schema.Int}, {Name: "learning_rate", Type: schema.Number}},
		Outputs: []schema.Output{{Name: "final_checkpoint", Type: schema.Checkpoint}, {Name: "metrics", Type: schema.MapOf(schema.Number)}}}, trainStage))
}

// trainConfig is test_train's inputs.
type trainConfig struct {
	Model        string  `input:"model"`
	Steps        int     `input:"steps"`
	SaveEvery    int     `input:"save_every"`
	LearningRate float64 `input:"learning_rate"`
}

// resumedFrom records, by stage directory, the step a resumed
// test_train stage restarted from.
var resumedFrom sync.Map

// trainStage trains `steps` steps on the trainer port, checkpointing
// every `save_every` steps; with env.Resume it restarts from the last
// checkpoint. Its batches depend only on the step number, so an
// uninterrupted and a resumed run must end with identical weights.
func trainStage(ctx context.Context, env *stage.Env, cfg trainConfig) (stage.Outputs, error) {
	tr, err := env.Ports.Trainer(ctx)
	if err != nil {
		return nil, err
	}
	steps, every := cfg.Steps, cfg.SaveEvery
	var model ports.TrainingClient
	step := 0
	last, ok, err := env.Checkpoints.LastWithState()
	if err != nil {
		return nil, err
	}
	if ok && env.Resume {
		model, err = tr.LoadModel(ctx, ports.LoadModelRequest{Path: last.StatePath, WithOptimizer: true})
		step = last.Step
		resumedFrom.Store(env.Dir, step)
		if err == nil {
			err = env.Metrics.TruncateFrom(step)
		}
	} else {
		model, err = tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: cfg.Model, LoRA: ports.DefaultLoRA(4, 0)})
	}
	if err != nil {
		return nil, err
	}
	env.Progress.Start(steps, "steps")
	for ; step < steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tok := []int{step, step + 1, step + 2}
		d := ports.Datum{ModelInput: ports.TokensInput(tok), LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor([]int64{int64(step + 1), int64(step + 2), int64(step + 3)}),
			"weights":       ports.FloatTensor([]float32{1, 1, 1}),
		}}
		fb := model.ForwardBackward(ctx, []ports.Datum{d}, ports.LossCrossEntropy, nil)
		opt := model.OptimStep(ctx, ports.AdamParams{LearningRate: cfg.LearningRate})
		out, err := fb.Await(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := opt.Await(ctx); err != nil {
			return nil, err
		}
		if err := env.Metrics.Write(step, map[string]any{"loss": out.Metrics["loss:sum"]}); err != nil {
			return nil, err
		}
		env.Progress.Update(step+1, map[string]float64{"loss": out.Metrics["loss:sum"]})
		if every > 0 && (step+1)%every == 0 && step+1 < steps {
			path, err := model.SaveState(ctx, fmt.Sprintf("step_%06d", step+1), ports.SaveOptions{}).Await(ctx)
			if err != nil {
				return nil, err
			}
			if err := env.Checkpoints.Append(stage.CheckpointRecord{Name: fmt.Sprintf("step_%06d", step+1), StatePath: path, Step: step + 1}); err != nil {
				return nil, err
			}
		}
	}
	path, err := model.SaveState(ctx, "final", ports.SaveOptions{}).Await(ctx)
	if err != nil {
		return nil, err
	}
	return stage.Outputs{
		"final_checkpoint": ports.Checkpoint{StatePath: path, BaseModel: cfg.Model, LoRARank: 4, Step: steps},
		"metrics":          map[string]float64{},
	}, nil
}

// testCatalog is this test binary's catalog: noop, the test kinds and the
// adapters it imports.
func testCatalog() *catalog.Catalog { return interp.Catalog() }

// testBindings returns the `test` manifest's bindings, with extra
// trainer config.
func testBindings(t testing.TB, trainerCfg map[string]any) map[string]compiler.Binding {
	m, ok := registry.Manifest("test")
	require.True(t, ok)
	out := map[string]compiler.Binding{}
	for port, b := range m.Ports {
		out[port] = compiler.Binding{Adapter: b.Adapter, Origin: `manifest "test"`}
	}
	if len(trainerCfg) > 0 {
		b := out[schema.PortTrainingClient]
		b.Config = map[string]ir.Value{}
		for k, v := range trainerCfg {
			b.Config[k] = lit(t, "", v)
		}
		out[schema.PortTrainingClient] = b
	}
	return out
}

func lit(t testing.TB, typ string, v any) ir.Value {
	val, err := ir.Literal(typ, v)
	if err != nil {
		panic(err)
	}
	return val
}

func ref(typ, r string) ir.Value { return ir.Value{Type: typ, Ref: r} }

// st builds a stage; inputs referring to other stages add dependencies.
func st(id, kind string, line int, inputs map[string]ir.Value, after ...string) ir.Stage {
	deps := map[string]bool{}
	for _, a := range after {
		deps[a] = true
	}
	for _, v := range inputs {
		if dep, _, ok := v.StageRef(); ok {
			deps[dep] = true
		}
	}
	s := ir.Stage{ID: id, Kind: kind, Inputs: inputs, DependsOn: []string{},
		Range: ir.Range{Filename: "recipe.hcl", Start: ir.Pos{Line: line, Column: 3}, End: ir.Pos{Line: line, Column: 10}}}
	for d := range deps {
		s.DependsOn = append(s.DependsOn, d)
	}
	return s
}

func plan(name string, stages ...ir.Stage) *ir.Plan {
	return &ir.Plan{IRVersion: ir.Version, Experiment: name, BaseDir: "/tmp", Stages: stages}
}

func outputs(t *testing.T, res *interp.Result) map[string]string {
	out := map[string]string{}
	for _, s := range res.Stages {
		data, err := json.Marshal(s.Outputs)
		require.NoError(t, err)
		out[s.ID] = string(data)
	}
	return out
}

func stageResult(res *interp.Result, id string) interp.StageResult {
	for _, s := range res.Stages {
		if s.ID == id {
			return s
		}
	}
	return interp.StageResult{}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
