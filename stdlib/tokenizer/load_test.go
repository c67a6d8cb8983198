package tokenizer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// dirHub is a test fake of ports.HubClient serving files from a folder
// laid out as DIR/REPO/FILE.
type dirHub struct {
	dir   string
	calls []string
}

func (h *dirHub) Download(_ context.Context, repo, filename, revision string) (string, error) {
	h.calls = append(h.calls, repo+"@"+revision+":"+filename)
	p := filepath.Join(h.dir, repo, filename)
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("404: " + repo + "/" + filename)
	}
	return p, nil
}

func (h *dirHub) ListFiles(context.Context, string, string) ([]string, error) { return nil, nil }

func TestLoadByteLevelNeedsNoHub(t *testing.T) {
	tok, err := Load(context.Background(), nil, ports.ByteTokenizerID, []string{"<a>"})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := tok.SpecialID("<a>"); !ok || id != 256 {
		t.Fatalf("SpecialID = %d %v", id, ok)
	}
}

func TestLoadThroughHub(t *testing.T) {
	src := filepath.Join(repoRoot(t), ".cache", "tokenizers", "qwen3", "tokenizer.json")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("real qwen3 tokenizer not installed (%v)", err)
	}
	dir := t.TempDir()
	repo := filepath.Join(dir, "Qwen", "Qwen3-8B")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(src, filepath.Join(repo, "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	hub := &dirHub{dir: dir}
	tok, err := Load(context.Background(), hub, "Qwen/Qwen3-8B", []string{"<|im_start|>", "<think>"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID() != "Qwen/Qwen3-8B" || len(hub.calls) != 1 || hub.calls[0] != "Qwen/Qwen3-8B@main:tokenizer.json" {
		t.Fatalf("id %q calls %v", tok.ID(), hub.calls)
	}
	if _, err := Load(context.Background(), hub, "Qwen/Qwen3-8B", []string{"<|eot_id|>"}); err == nil || !strings.Contains(err.Error(), "<|eot_id|>") {
		t.Fatalf("missing special not reported: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	hub := &dirHub{dir: t.TempDir()}
	if _, err := Load(context.Background(), hub, "org/missing", nil); err == nil || !strings.Contains(err.Error(), "org/missing") {
		t.Errorf("missing repo: %v", err)
	}
	if _, err := Load(context.Background(), nil, "org/x", nil); err == nil {
		t.Error("nil hub accepted")
	}
	if _, err := Load(context.Background(), hub, "", nil); err == nil {
		t.Error("empty id accepted")
	}
}

func TestRepoForModel(t *testing.T) {
	for model, want := range map[string]string{
		"meta-llama/Llama-3.1-8B-Instruct": Llama3TokenizerRepo,
		"meta-llama/Llama-3.2-1B":          Llama3TokenizerRepo,
		"Qwen/Qwen3-8B":                    "Qwen/Qwen3-8B",
		"deepseek-ai/DeepSeek-V3.1":        "deepseek-ai/DeepSeek-V3.1",
	} {
		if got := RepoForModel(model); got != want {
			t.Errorf("RepoForModel(%q) = %q, want %q", model, got, want)
		}
	}
}
