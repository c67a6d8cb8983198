package chatsetup

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/stage"
	"github.com/cookbookc/cookbookc/stdlib/tokenizer"
)

func TestRendererChoice(t *testing.T) {
	tests := []struct {
		inputs     map[string]any
		checkpoint string
		model      string
		want       string
	}{
		{map[string]any{"renderer": stage.RendererRef{Name: "llama3"}}, "qwen3", "Qwen/Qwen3-8B", "llama3"},
		{map[string]any{}, "qwen3", "meta-llama/Llama-3.1-8B-Instruct", "qwen3"},
		{map[string]any{}, "", "meta-llama/Llama-3.1-8B-Instruct", "llama3"},
		{map[string]any{}, "", "local/tiny", "role_colon"},
		{map[string]any{}, "", "someone/unknown-model", "role_colon"},
	}
	for _, tt := range tests {
		r, how, err := Renderer(stage.NewInputs(tt.inputs), tt.checkpoint, tt.model)
		if err != nil {
			t.Fatal(err)
		}
		if r.Name() != tt.want {
			t.Errorf("%v/%q/%q: got %s (%s), want %s", tt.inputs, tt.checkpoint, tt.model, r.Name(), how, tt.want)
		}
	}
	if _, _, err := Renderer(stage.NewInputs(map[string]any{"renderer": stage.RendererRef{Name: "nope"}}), "", "x"); err == nil {
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

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.jsonl")
	for _, content := range []string{"one\n", "two\n"} {
		if err := WriteFileAtomic(p, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(p)
		if string(got) != content {
			t.Fatalf("got %q", got)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
