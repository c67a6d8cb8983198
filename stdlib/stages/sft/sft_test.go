package sft

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/files"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/stage/stagetest"
)

func writeRows(t *testing.T, dir string, n int, extra ...string) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"messages":[{"role":"user","content":"q%d"},{"role":"assistant","content":"answer %d"}]}`+"\n", i, i)
	}
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "d.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	dir      string
	rec      *stagetest.Recorder
	metrics  *stagetest.Metrics
	ckpts    *stagetest.Checkpoints
	inputs   map[string]any
	renderer string
}

func newFixture(t *testing.T) *fixture {
	dir := t.TempDir()
	writeRows(t, dir, 40)
	return &fixture{
		dir: dir, rec: stagetest.NewRecorder(), metrics: &stagetest.Metrics{}, ckpts: &stagetest.Checkpoints{},
		renderer: "role_colon",
		inputs: map[string]any{
			"model":         "local/tiny",
			"dataset":       ir.Dataset{Name: "chat", Source: "d.jsonl", Format: "auto", FileFormat: "auto", TestSize: 4},
			"train_on":      "all_assistant_messages",
			"learning_rate": 1e-3, "lr_schedule": "cosine", "warmup_steps": int64(2),
			"num_epochs": int64(2), "batch_size": int64(8), "max_length": int64(64),
			"reduction": "mean", "lora_rank": int64(4), "submit_ahead": int64(1), "seed": int64(0),
			"save_every": int64(3), "eval_every": int64(2), "ttl_seconds": int64(0),
			"adam_beta1": 0.9, "adam_beta2": 0.95, "adam_eps": 1e-8,
		},
	}
}

func (f *fixture) env(resume bool) *stage.Env {
	in := map[string]any{}
	for k, v := range f.inputs {
		in[k] = v
	}
	if f.renderer != "" {
		in["renderer"] = stage.RendererRef{Name: f.renderer}
	}
	return &stage.Env{
		Stage:   &ir.Stage{ID: "train", Kind: Kind},
		Plan:    &ir.Plan{Experiment: "test", BaseDir: f.dir},
		Inputs:  stage.NewInputs(in),
		Ports:   &stagetest.Ports{TrainerPort: f.rec, DatasetPort: &files.Store{}},
		Dir:     f.dir,
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: f.metrics, Checkpoints: f.ckpts, Progress: &stagetest.Progress{},
		Resume: resume,
	}
}

func TestRun(t *testing.T) {
	f := newFixture(t)
	out, err := Run(context.Background(), f.env(false))
	if err != nil {
		t.Fatal(err)
	}
	ck, ok := out["final_checkpoint"].(ports.Checkpoint)
	if !ok {
		t.Fatalf("final_checkpoint = %#v", out["final_checkpoint"])
	}
	// 36 training rows / 8 = 4 batches per epoch, 2 epochs.
	if ck.Step != 8 || ck.Renderer != "role_colon" || ck.BaseModel != "local/tiny" || ck.LoRARank != 4 || ck.StatePath == "" || ck.SamplerPath == "" {
		t.Fatalf("checkpoint %+v", ck)
	}
	m := out["metrics"].(map[string]float64)
	for _, k := range []string{"train_mean_nll", "test/nll", "test/bpb", "learning_rate", "num_tokens"} {
		if _, ok := m[k]; !ok {
			t.Errorf("output metrics lack %s: %v", k, m)
		}
	}
	if len(f.rec.Models) != 1 {
		t.Fatalf("%d models created", len(f.rec.Models))
	}
	if n := len(f.rec.Models[0].Applied()); n != 8 {
		t.Fatalf("%d batches applied", n)
	}
}

func TestBadInputFailsBeforeTraining(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *fixture)
		want   string
		models int // models the run may create before failing
	}{
		{
			name:  "no known format",
			setup: func(f *fixture) { os.WriteFile(filepath.Join(f.dir, "d.jsonl"), []byte(`{"text":"x"}`+"\n"), 0o644) },
			want:  "d.jsonl:1: row matches no known row format",
		},
		{
			name:  "bad row",
			setup: func(f *fixture) { writeRows(t, f.dir, 20, `{"messages": [}`) },
			want:  "d.jsonl:21: invalid JSON",
		},
		{
			name: "renderer cannot express a row",
			setup: func(f *fixture) {
				writeRows(t, f.dir, 20, `{"messages":[{"role":"user","content":"x"},{"role":"tool","content":"y"},{"role":"assistant","content":"z"}]}`)
				f.renderer = "llama3"
			},
			want: "d.jsonl:21: message 1 (tool)", models: 1,
		},
		{
			name:  "max_length leaves nothing",
			setup: func(f *fixture) { f.inputs["max_length"] = int64(8) },
			want:  "max_length = 8 truncates all", models: 1,
		},
		{
			name:  "batch larger than the data",
			setup: func(f *fixture) { f.inputs["batch_size"] = int64(100) },
			want:  "fewer than batch_size = 100", models: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.setup(f)
			_, err := Run(context.Background(), f.env(false))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
			if len(f.rec.Models) > tt.models {
				t.Fatalf("%d models created before failing", len(f.rec.Models))
			}
			for _, m := range f.rec.Models {
				if n := len(m.Applied()); n != 0 {
					t.Fatalf("%d batches trained before failing", n)
				}
			}
		})
	}
}

// TestResumeThroughTheStage kills a run after its fifth optimizer step
// and resumes it with Env.Resume, as the interpreter does.
func TestResumeThroughTheStage(t *testing.T) {
	ref := newFixture(t)
	if _, err := Run(context.Background(), ref.env(false)); err != nil {
		t.Fatal(err)
	}
	want := ref.rec.Models[0].Applied()
	wantMetrics, _ := ref.metrics.Records()

	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	f.rec.OnOptimStep = func(n int) {
		if n == 5 {
			cancel()
		}
	}
	if _, err := Run(ctx, f.env(false)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	f.rec.OnOptimStep = nil
	out, err := Run(context.Background(), f.env(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.rec.Models) != 2 {
		t.Fatalf("%d models", len(f.rec.Models))
	}
	got := f.rec.Models[1].Applied()
	if !slices.Equal(got, want) {
		t.Fatalf("resumed weights saw %v, want %v", got, want)
	}
	gotMetrics, _ := f.metrics.Records()
	if len(gotMetrics) != len(wantMetrics) {
		t.Fatalf("%d metrics lines, want %d", len(gotMetrics), len(wantMetrics))
	}
	for i := range wantMetrics {
		if gotMetrics[i]["step"] != wantMetrics[i]["step"] || gotMetrics[i]["train_mean_nll"] != wantMetrics[i]["train_mean_nll"] || gotMetrics[i]["test/nll"] != wantMetrics[i]["test/nll"] {
			t.Fatalf("metrics line %d: %v, want %v", i, gotMetrics[i], wantMetrics[i])
		}
	}
	// A third attempt after the final checkpoint trains nothing more.
	again, err := Run(context.Background(), f.env(true))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.rec.Models) != 2 {
		t.Fatal("a finished stage created another model on resume")
	}
	if again["final_checkpoint"].(ports.Checkpoint).StatePath != out["final_checkpoint"].(ports.Checkpoint).StatePath {
		t.Fatal("final checkpoint changed")
	}
}

func TestResumeRefusesAnotherRenderer(t *testing.T) {
	f := newFixture(t)
	if _, err := Run(context.Background(), f.env(false)); err != nil {
		t.Fatal(err)
	}
	f.renderer = "llama3"
	if _, err := Run(context.Background(), f.env(true)); err == nil || !strings.Contains(err.Error(), "trained with renderer role_colon") {
		t.Fatalf("err = %v", err)
	}
}
