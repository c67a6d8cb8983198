package chatsetup

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/data"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/stage/stagetest"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

func TestRendererChoice(t *testing.T) {
	tests := []struct {
		input      *stage.RendererRef
		checkpoint string
		model      string
		want       string
	}{
		{&stage.RendererRef{Name: "llama3"}, "qwen3", "Qwen/Qwen3-8B", "llama3"},
		{nil, "qwen3", "meta-llama/Llama-3.1-8B-Instruct", "qwen3"},
		{nil, "", "meta-llama/Llama-3.1-8B-Instruct", "llama3"},
		{nil, "", "local/tiny", "role_colon"},
		{nil, "", "someone/unknown-model", "role_colon"},
	}
	for _, tt := range tests {
		r, how, err := Renderer(tt.input, tt.checkpoint, tt.model)
		if err != nil {
			t.Fatal(err)
		}
		if r.Name() != tt.want {
			t.Errorf("%v/%q/%q: got %s (%s), want %s", tt.input, tt.checkpoint, tt.model, r.Name(), how, tt.want)
		}
	}
	if _, _, err := Renderer(&stage.RendererRef{Name: "nope"}, "", "x"); err == nil {
		t.Fatal("unknown renderer accepted")
	}
}

func TestPromptAndReference(t *testing.T) {
	u, a := chat.Message{Role: "user", Content: chat.Text("q")}, chat.Message{Role: "assistant", Content: chat.Text("ans")}
	p, ref, ok := PromptAndReference([]chat.Message{u, a})
	if !ok || ref != "ans" || len(p) != 1 {
		t.Fatalf("%v %q %v", p, ref, ok)
	}
	p, ref, ok = PromptAndReference([]chat.Message{u})
	if ok || ref != "" || len(p) != 1 {
		t.Fatalf("%v %q %v", p, ref, ok)
	}
}

func TestTokenBytes(t *testing.T) {
	tok, err := tokenizer.NewByteLevel([]string{"<|eot|>"})
	if err != nil {
		t.Fatal(err)
	}
	tb := TokenBytes(tok)
	eot, _ := tok.SpecialID("<|eot|>")
	if tb('a') != 1 || tb(eot) != 0 {
		t.Fatalf("a=%d eot=%d", tb('a'), tb(eot))
	}
}

func TestCheckNotAllEmpty(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := CheckNotAllEmpty(log, "training", 0, 5, 8); !errors.Is(err, ErrNoTrainedTokens) {
		t.Fatalf("err = %v", err)
	}
	if err := CheckNotAllEmpty(log, "training", 3, 5, 8); err != nil {
		t.Fatal(err)
	}
	if err := CheckNotAllEmpty(log, "test", 0, 0, 8); err != nil {
		t.Fatal("an empty test split is not an error")
	}
}

// hubDir is a test fake of ports.HubClient serving DIR/REPO/FILE.
type hubDir string

func (h hubDir) Download(_ context.Context, repo, file, _ string) (string, error) {
	p := filepath.Join(string(h), repo, file)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

func (h hubDir) ListFiles(_ context.Context, repo, _ string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(string(h), repo))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// byteLevelJSON is a minimal byte-level BPE tokenizer.json (every byte,
// no merges) with the added tokens given.
func byteLevelJSON(t *testing.T, added ...string) []byte {
	vocab := map[string]int{}
	n := 0
	for b := 0; b < 256; b++ { // GPT-2's bytes_to_unicode
		r := rune(b)
		if !(b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF) {
			r = rune(256 + n)
			n++
		}
		vocab[string(r)] = b
	}
	var tokens []any
	for i, a := range added {
		tokens = append(tokens, map[string]any{"id": 256 + i, "content": a, "special": true})
	}
	data, err := json.Marshal(map[string]any{
		"added_tokens":  tokens,
		"pre_tokenizer": map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
		"model":         map[string]any{"type": "BPE", "vocab": vocab, "merges": []any{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTokenizerBindsRenderer: role_colon gets the BOS of a hub tokenizer
// whose tokenizer_config.json names one, and none with the byte-level
// tokenizer of the local backend.
func TestTokenizerBindsRenderer(t *testing.T) {
	ctx := context.Background()
	rc, err := renderers.Get("role_colon")
	if err != nil {
		t.Fatal(err)
	}
	msgs := []chat.Message{{Role: "user", Content: chat.Text("hi")}}

	tok, r, err := Tokenizer(ctx, &stagetest.Ports{}, ports.ModelInfo{BaseModel: "local/tiny", TokenizerID: ports.ByteTokenizerID}, rc)
	if err != nil {
		t.Fatal(err)
	}
	gp, _ := r.GenerationPrompt(msgs)
	if tok.ID() != ports.ByteTokenizerID || renderers.Text(gp) != "User: hi\n\nAssistant:" {
		t.Fatalf("byte-level: tokenizer %s, prompt %q", tok.ID(), renderers.Text(gp))
	}

	dir := t.TempDir()
	repo := filepath.Join(dir, "org", "base")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"tokenizer.json":        byteLevelJSON(t, "<|begin_of_text|>", "<|end_of_text|>"),
		"tokenizer_config.json": []byte(`{"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}`),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(repo, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tok, r, err = Tokenizer(ctx, &stagetest.Ports{HubPort: hubDir(dir)}, ports.ModelInfo{BaseModel: "org/base"}, rc)
	if err != nil {
		t.Fatal(err)
	}
	gp, _ = r.GenerationPrompt(msgs)
	ids, _, err := renderers.Encode(tok, gp)
	if err != nil {
		t.Fatal(err)
	}
	if renderers.Text(gp) != "<|begin_of_text|>User: hi\n\nAssistant:" || ids[0] != 256 || !gp[0].Special {
		t.Fatalf("hub tokenizer: prompt %q, ids %v", renderers.Text(gp), ids)
	}
}

func TestLimitAndCheckpointRenderer(t *testing.T) {
	ex := make([]data.Example, 5)
	for _, tc := range []struct{ limit, want int }{{0, 5}, {2, 2}, {5, 5}, {9, 5}} {
		if got := len(Limit(ex, tc.limit)); got != tc.want {
			t.Errorf("Limit(5 examples, %d) kept %d, want %d", tc.limit, got, tc.want)
		}
	}
	if got := CheckpointRenderer(nil); got != "" {
		t.Errorf("CheckpointRenderer(nil) = %q", got)
	}
	if got := CheckpointRenderer(&ports.Checkpoint{Renderer: "llama3"}); got != "llama3" {
		t.Errorf("CheckpointRenderer = %q, want llama3", got)
	}
}

func TestTargetModel(t *testing.T) {
	for _, tc := range []struct {
		ckpt  *ports.Checkpoint
		model string
		want  string
	}{
		{nil, "m", "m"},
		{&ports.Checkpoint{BaseModel: "base"}, "m", "base"},
		{&ports.Checkpoint{}, "m", "m"},
	} {
		if got, err := TargetModel(tc.ckpt, tc.model); err != nil || got != tc.want {
			t.Errorf("TargetModel(%v, %q) = %q, %v; want %q", tc.ckpt, tc.model, got, err, tc.want)
		}
	}
	if _, err := TargetModel(&ports.Checkpoint{}, ""); err == nil {
		t.Error("no base model anywhere was accepted")
	}
}
