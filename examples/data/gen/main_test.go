package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedDataMatchesGenerator keeps examples/data/chat.jsonl and
// its generator in step: regenerate with
// `go run ./examples/data/gen -o examples/data/chat.jsonl` after changing
// the generator.
func TestCommittedDataMatchesGenerator(t *testing.T) {
	out := filepath.Join(t.TempDir(), "chat.jsonl")
	if err := write(out, 2000, 1); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "chat.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("examples/data/chat.jsonl differs from the generator's output; regenerate it")
	}
	if len(want) > 400<<10 {
		t.Fatalf("chat.jsonl is %d bytes; keep example data to a few hundred KB", len(want))
	}
}
