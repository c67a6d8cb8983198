// Package examples holds tests that run the example recipes with the real
// cookbookc binary.
package examples

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// buildBinary builds cmd/cookbookc once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cookbookc")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/cookbookc")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs the binary and returns its combined output and exit code.
func run(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	return "", -1
}

// onlyRunDir returns the single run directory under runs/<experiment>.
func onlyRunDir(t *testing.T, runs, experiment string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(runs, experiment))
	if err != nil || len(entries) != 1 {
		t.Fatalf("want one run directory in %s, got %v (%v)", runs, entries, err)
	}
	return filepath.Join(runs, experiment, entries[0].Name())
}

func readJSONL(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for k := range m {
			if strings.HasPrefix(k, "time/") {
				delete(m, k) // wall-clock times legitimately differ
			}
		}
		out = append(out, m)
	}
	return out
}

// TestKillAndResume kills a real local-backend training run (SIGKILL, via
// the interpreter's failpoints) after its 7th metrics line — past the
// checkpoint at step 6, before the one at step 9 — resumes it, and
// checks that it continued from the checkpoint and ended with exactly
// the metrics of an uninterrupted run: a replayed or skipped batch would
// change every later loss.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model twice")
	}
	bin := buildBinary(t)
	recipe := filepath.Join("testdata", "resume.hcl")

	refRuns := t.TempDir()
	if out, code := run(t, bin, nil, "run", recipe, "--quiet", "--runs-dir", refRuns); code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, out)
	}
	ref := onlyRunDir(t, refRuns, "resume")
	want := readJSONL(t, filepath.Join(ref, "train", "metrics.jsonl"))
	if len(want) != 13 { // 12 steps and the final evaluation
		t.Fatalf("uninterrupted run wrote %d metrics lines", len(want))
	}

	runs := t.TempDir()
	out, code := run(t, bin, []string{"COOKBOOKC_FAILPOINT=metrics.written:7"}, "run", recipe, "--quiet", "--runs-dir", runs)
	if code == 0 {
		t.Fatalf("the run was not killed:\n%s", out)
	}
	dir := onlyRunDir(t, runs, "resume")
	ckpts := readJSONL(t, filepath.Join(dir, "train", "checkpoints.jsonl"))
	if len(ckpts) != 2 || ckpts[1]["step"] != 6.0 {
		t.Fatalf("killed run left checkpoints %v, want 000003 and 000006", ckpts)
	}
	if out, code := run(t, bin, nil, "run", "--resume", dir, "--quiet"); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, out)
	}
	got := readJSONL(t, filepath.Join(dir, "train", "metrics.jsonl"))
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("line %d:\n got  %v\n want %v", i, got[i], want[i])
			}
		}
		t.Fatalf("resumed run's metrics differ from the uninterrupted run's (%d vs %d lines)", len(got), len(want))
	}
	var names []string
	for _, c := range readJSONL(t, filepath.Join(dir, "train", "checkpoints.jsonl")) {
		names = append(names, c["name"].(string))
	}
	if strings.Join(names, ",") != "000003,000006,000009,final" {
		t.Fatalf("checkpoints after resume: %v", names)
	}
}

// TestSLBasicLearns is acceptance 3 of the SFT issue: the README's first
// command, `cookbookc run examples/sl_basic.hcl` on the embedded default
// manifest (local backend, no network), says that it runs a stand-in,
// trains, records local:// checkpoints, and its held-out test/nll at the
// end is at least 30% below its value at step 0.
func TestSLBasicLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the sl_basic example (about 20 s on 2 cores)")
	}
	bin := buildBinary(t)
	runs := t.TempDir()
	out, code := run(t, bin, nil, "run", "sl_basic.hcl", "--runs-dir", runs)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "STAND-IN MODEL: meta-llama/Llama-3.2-1B") {
		t.Errorf("the output does not say the model runs on a stand-in:\n%s", out)
	}
	dir := onlyRunDir(t, runs, "sl_basic")
	var first, last float64
	steps := 0
	for _, m := range readJSONL(t, filepath.Join(dir, "train", "metrics.jsonl")) {
		nll, ok := m["test/nll"].(float64)
		if !ok {
			continue
		}
		if steps == 0 && m["step"] != 0.0 {
			t.Fatalf("the first test/nll is at step %v, want 0", m["step"])
		}
		if steps == 0 {
			first = nll
		}
		last = nll
		steps++
	}
	t.Logf("test/nll %.4f at step 0 -> %.4f at the end (%d evaluations)", first, last, steps)
	if steps < 2 || !(last <= 0.7*first) {
		t.Fatalf("test/nll %.4f -> %.4f, want a fall of at least 30%%", first, last)
	}
	ckpts := readJSONL(t, filepath.Join(dir, "train", "checkpoints.jsonl"))
	if len(ckpts) == 0 || ckpts[len(ckpts)-1]["name"] != "final" {
		t.Fatalf("checkpoints %v, want the final one last", ckpts)
	}
	for _, c := range ckpts {
		if p, _ := c["state_path"].(string); !strings.HasPrefix(p, "local://") {
			t.Fatalf("checkpoint %v has state_path %q, want local://", c["name"], p)
		}
	}
}
