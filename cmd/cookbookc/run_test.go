package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// cliBinary builds the real cookbookc binary once per test process.
func cliBinary(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cookbookc-run-test")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "cookbookc")
		out, err := exec.Command("go", "build", "-o", cliPath, ".").CombinedOutput()
		if err != nil {
			cliErr = errors.New(string(out))
		}
	})
	if cliErr != nil {
		t.Fatalf("go build: %v", cliErr)
	}
	return cliPath
}

// cliResult is how a cookbookc process ended.
type cliResult struct {
	stdout, stderr string
	code           int
	killed         bool // ended by SIGKILL
}

// runCLI runs the binary in dir with extra environment variables.
func runCLI(t *testing.T, dir string, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(cliBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			res.killed = true
		}
	case err != nil:
		t.Fatal(err)
	}
	return res
}

func testdataRun(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "run", name))
	require.NoError(t, err)
	return p
}

// treeListing lists every path under dir (relative), for "nothing
// changed" checks.
func treeListing(t *testing.T, dir string) []string {
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	}))
	return out
}

func TestRunDryRunGoldenAndTouchesNothing(t *testing.T) {
	work := t.TempDir()
	// Copy the recipe so the test can check its directory too.
	for _, f := range []string{"crash.hcl", "secret.hcl", "chat.jsonl"} {
		data, err := os.ReadFile(testdataRun(t, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(work, f), data, 0o644))
	}
	before := treeListing(t, work)
	cases := []struct{ golden, recipe string }{
		{"dryrun_crash.golden", "crash.hcl"},
		{"dryrun_secret.golden", "secret.hcl"},
	}
	for _, tc := range cases {
		res := runCLI(t, work, []string{"COOKBOOKC_TEST_API_KEY=sk-dry-run-secret-value"}, "run", tc.recipe, "--manifest", "test", "--dry-run", "--parallel", "2")
		require.Equal(t, 0, res.code, res.stderr)
		require.NotContains(t, res.stdout, "sk-dry-run-secret-value")
		golden := testdataRun(t, tc.golden)
		if updateGoldens() {
			require.NoError(t, os.WriteFile(golden, []byte(res.stdout), 0o644))
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err)
		require.Equal(t, string(want), res.stdout, "dry-run output differs from %s (run with -update to accept)", tc.golden)
	}
	require.Equal(t, before, treeListing(t, work), "--dry-run must create nothing")
}

func TestRunUsageAndPlanErrors(t *testing.T) {
	work := t.TempDir()
	recipe := testdataRun(t, "crash.hcl")
	res := runCLI(t, work, nil, "run")
	require.Equal(t, 2, res.code)
	res = runCLI(t, work, nil, "run", recipe, "--port", "nonsense")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "expected NAME=VALUE")
	res = runCLI(t, work, nil, "run", recipe, "--manifest", "test", "--port", "training_client=nope")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "nope")
	res = runCLI(t, work, nil, "run", recipe, "--manifest", "no_such_manifest")
	require.Equal(t, 1, res.code)
	res = runCLI(t, work, nil, "run", recipe, "--manifest", "test", "--var", "no_such_var=1")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "no_such_var")
	res = runCLI(t, work, nil, "run", "--resume", work)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "not a cookbookc run directory")
	res = runCLI(t, work, nil, "run", recipe, "--parallel", "-1")
	require.Equal(t, 2, res.code, res.stderr)
	res = runCLI(t, work, nil, "run", "--resume", work, "--experiment", "other")
	require.Equal(t, 2, res.code, "--experiment without a recipe means nothing: %s", res.stderr)

	// --json keeps stdout a stream of JSON lines, diagnostics included.
	res = runCLI(t, work, nil, "run", recipe, "--manifest", "test", "--var", "no_such_var=1", "--json")
	require.Equal(t, 1, res.code)
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		var d struct{ Type, Code string }
		require.NoError(t, json.Unmarshal([]byte(line), &d), "not one JSON object per line: %q", res.stdout)
		require.Equal(t, "diagnostic", d.Type)
		require.Equal(t, "E207", d.Code)
	}
	require.Equal(t, []string{"."}, treeListing(t, work), "failed checks create nothing")
}

func TestRunFailureNamesStageLocationAndAdapter(t *testing.T) {
	work := t.TempDir()
	res := runCLI(t, work, []string{"COOKBOOKC_TEST_API_KEY=x-key-123456"}, "run", testdataRun(t, "secret.hcl"), "--manifest", "failing")
	require.Equal(t, 1, res.code, res.stderr)
	for _, want := range []string{`stage "train" (supervised_train) at secret.hcl:29:3 failed`, "training_client (fake): create_model", "injected failure"} {
		require.Contains(t, res.stderr, want)
	}
	// The independent branch finished.
	require.Contains(t, res.stderr, "use_key finished")
}

// Acceptance 4: a secret in the environment never reaches the run
// directory, the logs or the messages, although it flows through stage
// inputs, outputs, log lines and an adapter error.
func TestSecretNeverLeaks(t *testing.T) {
	const secret = "sk-test-2f9c1e7a4b5d6e8f0123456789abcdef"
	work := t.TempDir()
	env := []string{"COOKBOOKC_TEST_API_KEY=" + secret}
	var outputs bytes.Buffer
	for _, args := range [][]string{
		{"run", testdataRun(t, "secret.hcl"), "--manifest", "test"},
		{"run", testdataRun(t, "secret.hcl"), "--manifest", "failing"},
		{"run", testdataRun(t, "secret.hcl"), "--manifest", "failing", "--json"},
		{"run", testdataRun(t, "secret.hcl"), "--manifest", "test", "--dry-run"},
	} {
		res := runCLI(t, work, env, args...)
		outputs.WriteString(res.stdout + res.stderr)
	}
	require.NotContains(t, outputs.String(), secret)
	require.Contains(t, outputs.String(), "[REDACTED]", "the secret did flow into messages and was redacted")
	redactedFiles := 0
	require.NoError(t, filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NotContains(t, string(data), secret, "secret found in %s", p)
		if bytes.Contains(data, []byte("[REDACTED]")) {
			redactedFiles++
		}
		return nil
	}))
	require.GreaterOrEqual(t, redactedFiles, 3, "events, summary and run.log held the secret before redaction")
}

func TestRunJSONStreamsEventsAndSignalsInterrupt(t *testing.T) {
	work := t.TempDir()
	recipe := filepath.Join(work, "slow.hcl")
	require.NoError(t, os.WriteFile(recipe, []byte(`variable "sleep_ms" {
  type    = number
  default = 60000
}

experiment "slow" {
  stage "noop" "wait" {
    value    = 1
    sleep_ms = var.sleep_ms
  }
  stage "noop" "after" {
    value = stage.wait.value
  }
}
`), 0o644))
	cmd := exec.Command(cliBinary(t), "run", recipe, "--manifest", "test", "--json")
	cmd.Dir = work
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	var types []string
	var dir string
	for sc.Scan() {
		var e struct{ Type, Stage, Dir, Status string }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e), sc.Text())
		types = append(types, e.Type)
		if e.Dir != "" {
			require.True(t, filepath.IsAbs(e.Dir), "run directories are reported as absolute paths")
			dir = e.Dir
		}
		if e.Type == "stage_started" {
			require.NoError(t, cmd.Process.Signal(os.Interrupt))
		}
	}
	start := time.Now()
	err = cmd.Wait()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "%v", err)
	require.Equal(t, 130, ee.ExitCode(), stderr.String())
	require.Less(t, time.Since(start), 10*time.Second)
	require.Equal(t, []string{"run_started", "stage_started", "stage_interrupted", "run_finished"}, types)

	// The journal is consistent: the run resumes (with a shorter sleep,
	// which changes the stage's inputs, so it starts over and says so).
	res := runCLI(t, work, nil, "run", recipe, "--var", "sleep_ms=10", "--resume", dir)
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stderr, "wait (noop) started: starts over: its inputs changed since the interrupted attempt")
	require.Contains(t, res.stderr, "after finished")
}

// A second signal exits at once, without waiting for the stages.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	work := t.TempDir()
	recipe := filepath.Join(work, "slow.hcl")
	require.NoError(t, os.WriteFile(recipe, []byte("experiment \"slow\" {\n  stage \"noop\" \"wait\" {\n    sleep_ms = 60000\n  }\n}\n"), 0o644))
	cmd := exec.Command(cliBinary(t), "run", recipe, "--manifest", "test", "--json")
	cmd.Dir = work
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), []byte(`"stage_started"`)) {
			// Two different signals: the kernel does not merge them.
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			require.NoError(t, cmd.Process.Signal(os.Interrupt))
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "%v", err)
	require.Equal(t, 130, ee.ExitCode())
	require.Contains(t, stderr.String(), "second signal: exiting now")
}

// A compiled plan.json runs like its recipe, and `run --resume` of a
// finished run reuses every stage.
func TestRunCompiledPlanAndResumeFinished(t *testing.T) {
	work := t.TempDir()
	plan := filepath.Join(work, "plan.json")
	res := runCLI(t, work, nil, "compile", testdataRun(t, "crash.hcl"), "-o", plan)
	require.Equal(t, 0, res.code, res.stderr)
	fromRecipe := runCLI(t, work, nil, "run", testdataRun(t, "crash.hcl"), "--manifest", "test", "--runs-dir", "a")
	require.Equal(t, 0, fromRecipe.code, fromRecipe.stderr)
	fromPlan := runCLI(t, work, nil, "run", plan, "--manifest", "test", "--runs-dir", "b")
	require.Equal(t, 0, fromPlan.code, fromPlan.stderr)
	dirA, _ := filepath.Glob(filepath.Join(work, "a", "crash", "*"))
	dirB, _ := filepath.Glob(filepath.Join(work, "b", "crash", "*"))
	require.Len(t, dirA, 1)
	require.Len(t, dirB, 1)
	sameRun(t, readRunState(t, dirA[0]), readRunState(t, dirB[0]), "running plan.json")

	again := runCLI(t, work, nil, "run", "--resume", dirB[0])
	require.Equal(t, 0, again.code, again.stderr)
	require.Equal(t, 6, strings.Count(again.stderr, " reused: finished in attempt 1 with the same inputs"), again.stderr)
	require.NotContains(t, again.stderr, "started")
}

// --dry-run --resume says what a resume would do, and changes nothing.
func TestDryRunResumePreview(t *testing.T) {
	work := t.TempDir()
	recipe, err := os.ReadFile(testdataRun(t, "crash.hcl"))
	require.NoError(t, err)
	chat, err := os.ReadFile(testdataRun(t, "chat.jsonl"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(work, "chat.jsonl"), chat, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(work, "crash.hcl"), recipe, 0o644))
	res := runCLI(t, work, nil, "run", "crash.hcl", "--manifest", "test", "--quiet")
	require.Equal(t, 0, res.code, res.stderr)
	dirs, _ := filepath.Glob(filepath.Join(work, "runs", "crash", "*"))
	require.Len(t, dirs, 1)
	changed := strings.Replace(string(recipe), "learning_rate = 5e-4", "learning_rate = 6e-4", 1)
	require.NotEqual(t, string(recipe), changed)
	require.NoError(t, os.WriteFile(filepath.Join(work, "crash.hcl"), []byte(changed), 0o644))
	before := treeListing(t, work)
	res = runCLI(t, work, nil, "run", "crash.hcl", "--resume", dirs[0], "--dry-run")
	require.Equal(t, 0, res.code, res.stderr)
	for _, want := range []string{
		"Would resume " + dirs[0] + " (attempt 2).",
		"   resume: reuse (finished in attempt 1 with the same inputs)",
		"3. train_b (supervised_train)  crash.hcl:29:3",
		"   resume: re-runs: its inputs changed since it finished",
		`   resume: re-runs: it depends on "train_b", which re-runs`,
	} {
		require.Contains(t, res.stdout, want)
	}
	require.Equal(t, before, treeListing(t, work))
}

// A run whose adapter cannot work (the prod manifest without a Tinker
// credential) is refused before anything is created, naming the variable
// to set.
func TestRunRefusesMissingCredentialBeforeCreatingAnything(t *testing.T) {
	dir := t.TempDir()
	recipe, err := filepath.Abs(filepath.Join("..", "..", "examples", "sl_basic.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"TINKER_API_KEY=", "TINKER_CREDENTIAL_CMD=", "TINKER_BASE_URL=http://127.0.0.1:9"}
	res := runCLI(t, dir, env, "run", recipe, "--manifest", "prod", "--runs-dir", filepath.Join(dir, "runs"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "TINKER_API_KEY") || !strings.Contains(res.stderr, "training_client") {
		t.Errorf("the message does not say which port and variable:\n%s", res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); !os.IsNotExist(err) {
		t.Errorf("a runs directory was created (stat err %v)", err)
	}
}
