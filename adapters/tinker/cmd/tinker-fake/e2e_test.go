package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker"
	"github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
)

const e2eKey = "tml-e2e-SECRET-5c2a91f0"

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root not found from %s", root)
	}
	return root
}

// build compiles a main package of the repo into dir.
func build(t *testing.T, root, pkg, dir string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, "./"+pkg)
	cmd.Dir = root
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s: %s", pkg, b)
	return out
}

type checkpointLine struct {
	Name      string `json:"name"`
	Step      int    `json:"step"`
	StatePath string `json:"state_path"`
}

func readCheckpoints(t *testing.T, path string) []checkpointLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var out []checkpointLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var c checkpointLine
		if json.Unmarshal(sc.Bytes(), &c) == nil { // a torn last line is skipped
			out = append(out, c)
		}
	}
	return out
}

// TestRunProdAgainstFakeAndResumeAfterKill is acceptance 3 of issue 6:
// `cookbookc run examples/sl_basic.hcl --manifest prod` against a
// running fake (with faults) completes with tinker:// checkpoints; a run
// killed mid-way and resumed with --resume continues from its last saved
// state without replaying a batch, as the fake's witness shows.
func TestRunProdAgainstFakeAndResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the cookbookc binary")
	}
	root := repoRoot(t)
	recipe := filepath.Join(root, "examples", "sl_basic.hcl")
	if _, err := os.Stat(recipe); err != nil {
		t.Fatalf("the example this test runs is missing: %v", err)
	}
	bin := build(t, root, "cmd/cookbookc", t.TempDir())
	fake := tinkerfake.Start(tinkerfake.Options{APIKey: e2eKey, OptimCompute: 15 * time.Millisecond, PollHold: time.Second,
		Faults: []tinkerfake.FaultRule{
			{Kind: tinkerfake.Fault500, Path: "forward_backward", Every: 9},
			{Kind: tinkerfake.FaultDrop, Path: "optim_step", Every: 13},
		}})
	defer fake.Close()
	work := t.TempDir()
	env := append(os.Environ(), "TINKER_BASE_URL="+fake.URL, "TINKER_API_KEY="+e2eKey)
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = work, env
		return cmd
	}

	// A first run, killed once it has saved a checkpoint and trained on.
	var out1 bytes.Buffer
	first := run("run", recipe, "--manifest", "prod", "--var", "learning_rate=2e-4")
	first.Stdout, first.Stderr = &out1, &out1
	require.NoError(t, first.Start())
	var runDir string
	var killedAt []checkpointLine
	deadline := time.Now().Add(2 * time.Minute)
	for {
		require.True(t, time.Now().Before(deadline), "the first run never saved a checkpoint:\n%s", out1.String())
		dirs, _ := filepath.Glob(filepath.Join(work, "runs", "sl_basic", "*"))
		if len(dirs) == 1 {
			runDir = dirs[0]
			if cps := readCheckpoints(t, filepath.Join(runDir, "train", "checkpoints.jsonl")); len(cps) > 0 {
				fbs := 0
				for _, a := range fake.Applied("") {
					if a.Type == "forward_backward" {
						fbs++
					}
				}
				if fbs >= cps[len(cps)-1].Step+3 {
					require.NoError(t, first.Process.Signal(syscall.SIGKILL))
					_ = first.Wait()
					killedAt = readCheckpoints(t, filepath.Join(runDir, "train", "checkpoints.jsonl"))
					break
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	last := killedAt[len(killedAt)-1]
	require.True(t, strings.HasPrefix(last.StatePath, "tinker://"), last.StatePath)

	resumed := run("run", "--resume", runDir)
	out2, err := resumed.CombinedOutput()
	require.NoError(t, err, "resume failed:\n%s", out2)

	// The witness: model A (the killed run) up to the save the resume
	// loaded, then model B (the resumed one) from the load on.
	applied := fake.Applied("")
	var modelA, modelB string
	for _, a := range applied {
		if modelA == "" {
			modelA = a.ModelID
		}
		if a.Type == "load_weights" && a.ModelID != modelA {
			modelB = a.ModelID
			assert.Equal(t, last.StatePath, a.Path, "the resume loads the last journaled state")
			assert.Equal(t, last.Step, a.Updates, "the loaded state holds %d optimizer steps", last.Step)
		}
	}
	require.NotEmpty(t, modelB, "the resumed run loaded a checkpoint")
	var aSteps, bSteps []tinkerfake.AppliedOp
	reachedSave := false
	for _, a := range applied {
		switch {
		case a.ModelID == modelA && a.Type == "save_weights" && a.Path == last.StatePath:
			reachedSave = true
		case a.ModelID == modelA && a.Type == "forward_backward" && !reachedSave:
			aSteps = append(aSteps, a)
		case a.ModelID == modelA && a.Type == "forward_backward":
			// Trained after the last save and lost with the kill; the
			// resumed run must redo exactly these, starting with the first.
			if len(aSteps) == last.Step {
				aSteps = append(aSteps, a)
			}
		case a.ModelID == modelB && a.Type == "forward_backward":
			bSteps = append(bSteps, a)
		}
	}
	require.Len(t, aSteps, last.Step+1, "one forward_backward per step before the save, plus the first lost one")
	require.NotEmpty(t, bSteps)
	assert.Equal(t, aSteps[last.Step].DataDigest, bSteps[0].DataDigest, "the resumed run starts with batch %d, not a replay of an earlier one", last.Step+1)
	final := readCheckpoints(t, filepath.Join(runDir, "train", "checkpoints.jsonl"))
	finalStep := final[len(final)-1].Step
	t.Logf("killed after the save of step %d (model %s); resumed as %s, which trained %d steps to step %d", last.Step, modelA, modelB, len(bSteps), finalStep)
	assert.Equal(t, finalStep, last.Step+len(bSteps), "each remaining step is applied exactly once after the resume")
	for _, c := range final {
		assert.True(t, strings.HasPrefix(c.StatePath, "tinker://"), c.StatePath)
	}
	for _, c := range final[len(killedAt):] {
		assert.True(t, strings.HasPrefix(c.StatePath, "tinker://"+modelB+"/"), "%s is saved by the resumed model", c.StatePath)
	}
	for i, n := range fake.RuleFirings() {
		assert.Positive(t, n, "fault rule %d never fired", i)
	}

	// The key appears in no output and no file of the run.
	assert.NotContains(t, out1.String()+string(out2), e2eKey)
	require.NoError(t, filepath.Walk(work, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil {
			assert.NotContains(t, string(b), e2eKey, p)
		}
		return err
	}))
}

// TestStandaloneTool starts the tinker-fake binary, reads its URL line
// and trains two steps against it through the adapter.
func TestStandaloneTool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tinker-fake binary")
	}
	bin := build(t, repoRoot(t), "adapters/tinker/cmd/tinker-fake", t.TempDir())
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-faults", "500:optim_step:2")
	cmd.Env = append(os.Environ(), "TINKER_API_KEY="+e2eKey)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "TINKER_BASE_URL=")
	require.True(t, ok, "first line %q", line)
	require.NotContains(t, line, e2eKey)

	tr, err := tinker.NewTrainer(tinker.Config{BaseURL: url, APIKey: e2eKey, Retry: tinker.RetryPolicy{Base: time.Millisecond}}, nil)
	require.NoError(t, err)
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tc, err := tr.CreateModel(ctx, ports.CreateModelRequest{BaseModel: "meta-llama/Llama-3.2-1B", LoRA: ports.DefaultLoRA(4, 0)})
	require.NoError(t, err)
	for k := 0; k < 2; k++ {
		d := ports.Datum{ModelInput: ports.TokensInput([]int{1, 2, 3}), LossFnInputs: map[string]ports.TensorData{
			"target_tokens": ports.IntTensor([]int64{2, 3, 4}), "weights": ports.FloatTensor([]float32{1, 1, 1})}}
		_, err := tc.ForwardBackward(ctx, []ports.Datum{d}, ports.LossCrossEntropy, nil).Await(ctx)
		require.NoError(t, err)
		_, err = tc.OptimStep(ctx, ports.AdamParams{LearningRate: 1e-4, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}).Await(ctx)
		require.NoError(t, err)
	}
	path, err := tc.SaveState(ctx, "s", ports.SaveOptions{}).Await(ctx)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(path, "tinker://"), path)

	_, err = parseFaults("bogus:x:1")
	assert.ErrorContains(t, err, "unknown kind")
}
