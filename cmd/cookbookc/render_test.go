package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The -update flag may be declared by another test file of this package;
// declare it only if nobody did (package variables initialise before
// init functions run).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGoldens() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	v, _ := f.Value.(flag.Getter).Get().(bool)
	return v
}

var (
	renderBinOnce sync.Once
	renderBinPath string
	renderBinErr  error
	renderBinDir  string
)

// renderBinary builds the real cookbookc binary once per test run.
func renderBinary(t *testing.T) string {
	t.Helper()
	renderBinOnce.Do(func() {
		renderBinDir, renderBinErr = os.MkdirTemp("", "cookbookc-render-test")
		if renderBinErr != nil {
			return
		}
		renderBinPath = filepath.Join(renderBinDir, "cookbookc")
		out, err := exec.Command("go", "build", "-o", renderBinPath, ".").CombinedOutput()
		if err != nil {
			renderBinErr = errors.New(string(out))
		}
	})
	if renderBinErr != nil {
		t.Fatalf("go build: %v", renderBinErr)
	}
	return renderBinPath
}

// runRender runs the binary and returns stdout, stderr and the exit code.
func runRender(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(renderBinary(t), append([]string{"render"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestRenderTextGolden(t *testing.T) {
	cases := []struct {
		golden, file string
		args         []string
	}{
		{"chat.llama3.txt", "chat.json", []string{"--renderer", "llama3"}},
		{"chat.role_colon.txt", "chat.json", []string{"--renderer", "role_colon"}},
		{"chat.qwen3.gen.txt", "chat.json", []string{"--renderer", "qwen3", "--generation-prompt"}},
		{"tool.qwen3.gen.txt", "tool.json", []string{"--renderer", "qwen3", "--generation-prompt"}},
		{"tool.kimi_k2.gen.txt", "tool.json", []string{"--renderer", "kimi_k2", "--generation-prompt"}},
	}
	for _, c := range cases {
		stdout, stderr, code := runRender(t, "", append(c.args, filepath.Join("testdata", "render", c.file))...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.golden, code, stderr)
		}
		path := filepath.Join("testdata", "render", c.golden)
		if updateGoldens() {
			if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if stdout != string(want) {
			t.Errorf("%s:\n got  %q\n want %q", c.golden, stdout, want)
		}
		// Nothing is added after the rendering: llama3's ends on its
		// end-of-turn token, role_colon's on the stop overlap.
		if c.golden == "chat.llama3.txt" && !strings.HasSuffix(stdout, "done ✓<|eot_id|>") ||
			c.golden == "chat.role_colon.txt" && !strings.HasSuffix(stdout, "done ✓\n\nUser:") {
			t.Errorf("%s: output does not end where the rendering does: %q", c.golden, stdout)
		}
	}
}

func TestRenderJSON(t *testing.T) {
	stdout, stderr, code := runRender(t, "", "--renderer", "llama3", "--format", "json", "--train-on", "last_assistant_message", filepath.Join("testdata", "render", "chat.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Text     string `json:"text"`
		Segments []struct {
			Text    string  `json:"text"`
			Weight  float64 `json:"weight"`
			Special bool    `json:"special"`
		} `json:"segments"`
		Stop []string `json:"stop"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var joined, trained strings.Builder
	specials := 0
	for _, s := range doc.Segments {
		joined.WriteString(s.Text)
		if s.Weight == 1 {
			trained.WriteString(s.Text)
		}
		if s.Special {
			specials++
		}
	}
	if joined.String() != doc.Text {
		t.Errorf("segments %q do not add up to text %q", joined.String(), doc.Text)
	}
	if trained.String() != "<|eot_id|> — done ✓<|eot_id|>" {
		t.Errorf("trained text %q", trained.String())
	}
	// BOS, 3 headers x 2, 3 end-of-turn tokens; the quoted token is text.
	if specials != 10 {
		t.Errorf("%d special segments, want 10", specials)
	}
	if len(doc.Stop) != 1 || doc.Stop[0] != "<|eot_id|>" {
		t.Errorf("stop %v", doc.Stop)
	}
}

func TestRenderStdinAndSplit(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "render", "thinking.json"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runRender(t, string(data), "--renderer", "qwen3", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "splits this conversation into 2 examples") {
		t.Errorf("no split note: %q", stderr)
	}
	if !strings.HasSuffix(stdout, "<think>\n21 = 3 * 7.\n</think>\n\nNo.<|im_end|>") || strings.Contains(stdout, "Check 2, 3.") {
		t.Errorf("last example wrong: %q", stdout)
	}
	stdout, _, code = runRender(t, string(data), "--renderer", "qwen3", "--format", "json", "-")
	var doc struct {
		Examples []json.RawMessage `json:"examples"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Examples) != 2 {
		t.Errorf("json examples: code %d %q", code, stdout)
	}
}

func TestRenderErrors(t *testing.T) {
	chat := filepath.Join("testdata", "render", "chat.json")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no renderer", []string{chat}, 2, "--renderer is required"},
		{"unknown renderer", []string{"--renderer", "qwen_3", chat}, 2, `did you mean "qwen3"`},
		{"bad train_on", []string{"--renderer", "llama3", "--train-on", "everything", chat}, 2, "--train-on"},
		{"bad format", []string{"--renderer", "llama3", "--format", "yaml", chat}, 2, "--format"},
		{"no file", []string{"--renderer", "llama3"}, 2, "accepts 1 arg"},
		{"missing file", []string{"--renderer", "llama3", "testdata/render/nope.json"}, 1, "nope.json"},
		{"bad json", []string{"--renderer", "llama3", "testdata/render/bad.json"}, 1, "bad.json"},
		{"inexpressible", []string{"--renderer", "llama3", "testdata/render/tool.json"}, 1, "message 1 (assistant): renderer llama3 does not support tool calling"},
	}
	for _, c := range cases {
		stdout, stderr, code := runRender(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d stderr %q, want exit %d mentioning %q", c.name, code, stderr, c.code, c.want)
		}
		if stdout != "" {
			t.Errorf("%s: printed %q on stdout", c.name, stdout)
		}
	}
}

// Conversations given on stdin: errors speak of the data, never of Go
// types ("main.renderInput", "[]chat.Part"); a misspelt role gets a
// did-you-mean; a byte order mark is accepted and invalid UTF-8 refused.
func TestRenderInputErrors(t *testing.T) {
	for _, c := range []struct{ name, stdin, want string }{
		{"a list", `[{"role": "user", "content": "q"}]`, `want {"messages": [...]}: must be an object, not a list`},
		{"content a number", `{"messages": [{"role": "user", "content": 5}]}`, "message 0: content must be a string or a list of parts, not a number"},
		{"unknown role", `{"messages": [{"role": "usr", "content": "q"}]}`, `message 0: unknown role "usr". Did you mean "user"?`},
		{"invalid UTF-8", "{\"messages\": [{\"role\": \"user\", \"content\": \"caf\xe9\"}]}", "not valid UTF-8"},
	} {
		_, stderr, code := runRender(t, c.stdin, "--renderer", "llama3", "-")
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d stderr %q, want %q", c.name, code, stderr, c.want)
		}
		if strings.Contains(stderr, "main.") || strings.Contains(stderr, "chat.") || strings.Contains(stderr, "Go ") {
			t.Errorf("%s: %q names Go types", c.name, stderr)
		}
	}
	stdout, stderr, code := runRender(t, "\ufeff"+`{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}`, "--renderer", "role_colon", "-")
	if code != 0 || !strings.Contains(stdout, "User: q") {
		t.Errorf("byte order mark: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}
