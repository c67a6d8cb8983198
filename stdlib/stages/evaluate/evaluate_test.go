package evaluate

import (
	"bufio"
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

// rows: "What is a + b?" -> "a+b". The scripted model answers correctly
// when a is even, so accuracy is known in advance.
func setup(t *testing.T) (string, int) {
	dir := t.TempDir()
	var b strings.Builder
	correct := 0
	for a := range 10 {
		q, _ := json.Marshal(map[string]any{"question": "What is " + itoa(a) + " + 3?", "answer": float64(a + 3)})
		b.Write(q)
		b.WriteByte('\n')
		if a%2 == 0 {
			correct++
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "qa.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, correct
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// answer reads the rendered role_colon prompt and replies.
func answer(prompt []int) []int {
	text := string(bytesOf(prompt))
	i := strings.Index(text, "What is ")
	a := int(text[i+len("What is ")] - '0')
	reply := " The answer is " + itoa(a+3)
	if a%2 == 1 {
		reply = " I think it is " + itoa(a+4)
	}
	return idsOf(reply + "\n\nUser:")
}

func bytesOf(ids []int) []byte {
	out := make([]byte, len(ids))
	for i, id := range ids {
		out[i] = byte(id)
	}
	return out
}

func idsOf(s string) []int {
	out := make([]int, len(s))
	for i := range len(s) {
		out[i] = int(s[i])
	}
	return out
}

func TestEvaluate(t *testing.T) {
	dir, correct := setup(t)
	rec := stagetest.NewRecorder()
	sampling := &stagetest.ScriptedSampling{Answer: answer, Info: ports.ModelInfo{TokenizerID: ports.ByteTokenizerID}}
	metrics := &stagetest.Metrics{}
	env := &stage.Env{
		Stage: &ir.Stage{ID: "eval", Kind: Kind},
		Plan:  &ir.Plan{BaseDir: dir},
		Inputs: stage.NewInputs(map[string]any{
			"checkpoint": ports.Checkpoint{StatePath: "", SamplerPath: "local://sampler/final", BaseModel: "local/tiny", Renderer: "role_colon", Step: 12},
			"dataset":    ir.Dataset{Name: "qa", Source: "qa.jsonl"},
			"split":      "all", "nll": true, "train_on": "all_assistant_messages", "max_length": int64(128),
			"scorer": "numeric", "num_samples": int64(2), "limit": int64(0), "seed": int64(3),
			"max_tokens": int64(64), "temperature": 0.0, "top_p": 1.0, "top_k": int64(-1),
		}),
		Ports:   &stagetest.Ports{TrainerPort: rec, SamplingPort: sampling, DatasetPort: &files.Store{}},
		Dir:     dir,
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: metrics, Checkpoints: &stagetest.Checkpoints{}, Progress: &stagetest.Progress{},
	}
	out, err := Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	m := out["metrics"].(map[string]float64)
	if want := float64(correct) / 10; m["all/accuracy"] != want {
		t.Fatalf("accuracy %v, want %v (metrics %v)", m["all/accuracy"], want, m)
	}
	if m["all/num_samples"] != 20 || m["all/nll"] <= 0 || m["all/bpb"] <= 0 || m["all/num_examples"] != 10 {
		t.Fatalf("metrics %v", m)
	}
	// The sampler served the checkpoint's sampler weights with the
	// renderer's stop string and one seed per prompt.
	if sampling.Specs[0].ModelPath != "local://sampler/final" {
		t.Fatalf("sampler spec %+v", sampling.Specs[0])
	}
	if r := sampling.Reqs[0]; r.NumSamples != 2 || len(r.Params.StopStrings) != 1 || r.Params.StopStrings[0] != "\n\nUser:" || r.Params.Seed == nil || *r.Params.Seed != 3 {
		t.Fatalf("request params %+v", r.Params)
	}
	if s := sampling.Reqs[1].Params.Seed; *s != 4 {
		t.Fatalf("second prompt seed %d", *s)
	}
	f, err := os.Open(filepath.Join(dir, SamplesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []sampleRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r sampleRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, r)
	}
	if len(lines) != 20 {
		t.Fatalf("%d sample lines", len(lines))
	}
	first := lines[0]
	if first.Row != "qa.jsonl:1" || first.Response != "The answer is 3" || first.Score != 1 || first.Reference != "3" || first.Termination != "stop_sequence" {
		t.Fatalf("first sample %+v", first)
	}
	if l := lines[2]; l.Row != "qa.jsonl:2" || l.Score != 0 || l.Extracted != "5" {
		t.Fatalf("third sample %+v", l)
	}
	recs, _ := metrics.Records()
	if len(recs) != 1 || recs[0]["step"] != 12 {
		t.Fatalf("metrics.jsonl %v", recs)
	}
	// NLL loaded no training state (the checkpoint has none) but a base
	// model; sampling never touched the training client.
	if len(rec.Models) != 1 || rec.Models[0].Forwards == 0 {
		t.Fatalf("training client use: %d models", len(rec.Models))
	}
}

func TestEvaluateRejects(t *testing.T) {
	dir, _ := setup(t)
	base := func() map[string]any {
		return map[string]any{"model": "local/tiny", "dataset": ir.Dataset{Name: "qa", Source: "qa.jsonl"}, "nll": false, "scorer": "none"}
	}
	tests := []struct {
		mod  func(map[string]any)
		want string
	}{
		{func(m map[string]any) {}, "nothing to evaluate"},
		{func(m map[string]any) { m["scorer"] = "regex" }, "needs answer_pattern"},
		{func(m map[string]any) { delete(m, "model") }, "names a base model"},
		// A hand-edited plan.json is held to the schema by the decoder.
		{func(m map[string]any) { m["scorer"] = "bogus" }, `input "scorer": "bogus" is not one of none, exact_match`},
		{func(m map[string]any) { m["max_tokens"] = int64(0) }, `input "max_tokens": 0 is out of range: it must be >= 1`},
		{func(m map[string]any) { m["nll"] = "yes" }, `input "nll": a string cannot be decoded into bool`},
	}
	for _, tt := range tests {
		in := base()
		tt.mod(in)
		env := &stage.Env{Stage: &ir.Stage{ID: "eval"}, Plan: &ir.Plan{BaseDir: dir}, Inputs: stage.NewInputs(in),
			Ports: &stagetest.Ports{DatasetPort: &files.Store{}}, Dir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Metrics: &stagetest.Metrics{}, Checkpoints: &stagetest.Checkpoints{}}
		if _, err := Run(context.Background(), env); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
}
