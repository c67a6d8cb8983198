package tokenizer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
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

// realHub serves the real tokenizer files of .cache/tokenizers/NAME as
// repository repo, or skips.
func realHub(t *testing.T, name, repo string) *dirHub {
	src := filepath.Join(repoRoot(t), ".cache", "tokenizers", name)
	if _, err := os.Stat(filepath.Join(src, "tokenizer.json")); err != nil {
		t.Skipf("real %s tokenizer not installed (%v)", name, err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, filepath.FromSlash(repo))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"tokenizer.json", "tokenizer_config.json"} {
		if err := os.Symlink(filepath.Join(src, f), filepath.Join(dst, f)); err != nil {
			t.Fatal(err)
		}
	}
	return &dirHub{dir: dir}
}

func TestLoadThroughHub(t *testing.T) {
	hub := realHub(t, "qwen3", "Qwen/Qwen3-8B")
	tok, err := Load(context.Background(), hub, "Qwen/Qwen3-8B", []string{"<|im_start|>", "<think>"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Qwen/Qwen3-8B@main:tokenizer.json", "Qwen/Qwen3-8B@main:tokenizer_config.json"}
	if tok.ID() != "Qwen/Qwen3-8B" || strings.Join(hub.calls, " ") != strings.Join(want, " ") {
		t.Fatalf("id %q calls %v", tok.ID(), hub.calls)
	}
	// Qwen3's tokenizer_config.json has "bos_token": null.
	if bos, ok := BOS(tok); ok {
		t.Errorf("Qwen3 BOS = %q, want none", bos)
	}
	if _, err := Load(context.Background(), hub, "Qwen/Qwen3-8B", []string{"<|eot_id|>"}); err == nil || !strings.Contains(err.Error(), "<|eot_id|>") {
		t.Fatalf("missing special not reported: %v", err)
	}
}

func TestLoadLlama3BOS(t *testing.T) {
	hub := realHub(t, "llama3", Llama3TokenizerRepo)
	tok, err := Load(context.Background(), hub, Llama3TokenizerRepo, nil)
	if err != nil {
		t.Fatal(err)
	}
	bos, ok := BOS(tok)
	if id, _ := tok.SpecialID(bos); !ok || bos != "<|begin_of_text|>" || id != 128000 {
		t.Fatalf("Llama 3 BOS = %q (id %d), want <|begin_of_text|> (128000)", bos, id)
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
		"meta-llama/Llama-3.1-8B-Instruct":        Llama3TokenizerRepo,
		"meta-llama/Llama-3.2-1B":                 Llama3TokenizerRepo,
		"meta-llama/Llama-3.3-70B-Instruct":       Llama3TokenizerRepo,
		"meta-llama/Meta-Llama-3-8B":              Llama3TokenizerRepo,
		"meta-llama/Meta-Llama-3.1-8B-Instruct":   Llama3TokenizerRepo,
		"Meta-Llama/llama-3.2-3b":                 Llama3TokenizerRepo, // hub ids are case-insensitive
		"meta-llama/Llama-3.2-1B:rev1":            Llama3TokenizerRepo,
		"meta-llama/Llama-3.1-70B/fp8":            Llama3TokenizerRepo, // a deployment variant
		"Qwen/Qwen3-8B":                           "Qwen/Qwen3-8B",
		"Qwen/Qwen3-8B:abc":                       "Qwen/Qwen3-8B",
		"Qwen/Qwen3-30B-A3B/variant":              "Qwen/Qwen3-30B-A3B",
		"deepseek-ai/DeepSeek-V3.1":               "deepseek-ai/DeepSeek-V3.1",
		"unsloth/Llama-3.2-1B":                    "unsloth/Llama-3.2-1B", // an ungated copy already
		Llama3TokenizerRepo:                       Llama3TokenizerRepo,
		"thinkingmachineslabinc/some-other-model": "thinkingmachineslabinc/some-other-model",
	} {
		if got := RepoForModel(model); got != want {
			t.Errorf("RepoForModel(%q) = %q, want %q", model, got, want)
		}
	}
	for _, row := range UngatedTokenizers {
		if RepoForModel(row.Repo) != row.Repo {
			t.Errorf("the ungated copy %s maps elsewhere", row.Repo)
		}
	}
}

// TestLoadMapsGatedModels: the tokenizer of a gated model comes from its
// ungated copy, whatever id the service reported.
func TestLoadMapsGatedModels(t *testing.T) {
	hub := realHub(t, "llama3", Llama3TokenizerRepo)
	tok, err := Load(context.Background(), hub, "meta-llama/Llama-3.2-1B", []string{"<|eot_id|>"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID() != Llama3TokenizerRepo {
		t.Errorf("id %s", tok.ID())
	}
	for _, c := range hub.calls {
		if !strings.HasPrefix(c, Llama3TokenizerRepo+"@") {
			t.Errorf("asked the hub for %s", c)
		}
	}
}

// notExistHub answers fs.ErrNotExist for tokenizer_config.json, as the hf
// client does for a file the repository does not have, and fails any
// listing.
type notExistHub struct{ *dirHub }

func (h notExistHub) Download(ctx context.Context, repo, filename, revision string) (string, error) {
	if filename == "tokenizer_config.json" {
		return "", fmt.Errorf("%s: %w", filename, fs.ErrNotExist)
	}
	return h.dirHub.Download(ctx, repo, filename, revision)
}

func (notExistHub) ListFiles(context.Context, string, string) ([]string, error) {
	return nil, errors.New("offline: no listing")
}

func TestConfigKnownToBeMissingNeedsNoListing(t *testing.T) {
	hub := notExistHub{realHub(t, "qwen3", "Qwen/Qwen3-8B")}
	if _, err := Load(context.Background(), hub, "Qwen/Qwen3-8B", nil); err != nil {
		t.Fatalf("a repository without tokenizer_config.json: %v", err)
	}
}
