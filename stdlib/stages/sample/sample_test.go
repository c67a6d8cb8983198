package sample

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/files"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/stage/stagetest"
)

func TestSample(t *testing.T) {
	dir := t.TempDir()
	rows := `{"prompt": "Say hi"}` + "\n" + `{"prompt": "Say bye", "completion": "bye"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "p.jsonl"), []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	sampling := &stagetest.ScriptedSampling{
		Info: ports.ModelInfo{TokenizerID: ports.ByteTokenizerID},
		Answer: func([]int) []int {
			var ids []int
			for _, c := range []byte(" hello there, friend") {
				ids = append(ids, int(c))
			}
			return ids
		},
	}
	env := &stage.Env{
		Stage: &ir.Stage{ID: "s", Kind: Kind},
		Plan:  &ir.Plan{BaseDir: dir},
		Inputs: stage.NewInputs(map[string]any{
			"model": "local/tiny", "dataset": ir.Dataset{Name: "p", Source: "p.jsonl"},
			"num_samples": int64(3), "stop": []any{"STOP"}, "limit": int64(0), "seed": int64(0),
			"max_tokens": int64(6), "temperature": 1.0, "top_p": 1.0, "top_k": int64(-1),
		}),
		Ports:   &stagetest.Ports{SamplingPort: sampling, DatasetPort: &files.Store{}},
		Dir:     dir,
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: &stagetest.Metrics{}, Checkpoints: &stagetest.Checkpoints{},
	}
	out, err := Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if out["count"] != 6 || out["samples"] != filepath.Join(dir, SamplesFile) {
		t.Fatalf("outputs %v", out)
	}
	if got := sampling.Reqs[0].Params.StopStrings; len(got) != 2 || got[1] != "STOP" {
		t.Fatalf("stop strings %q", got)
	}
	data, err := os.ReadFile(filepath.Join(dir, SamplesFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var r record
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil {
		t.Fatal(err)
	}
	// The second row's completion is the reference; the prompt stops
	// before it. max_tokens cut every completion.
	if r.Row != "p.jsonl:2" || len(r.Prompt) != 1 || r.Reference != "bye" || len(r.Completions) != 3 {
		t.Fatalf("record %+v", r)
	}
	if c := r.Completions[0]; c.Text != "hello" || c.StopReason != ports.StopReasonLength || c.NumTokens != 6 {
		t.Fatalf("completion %+v", c)
	}
}
