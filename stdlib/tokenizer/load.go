package tokenizer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Llama3TokenizerRepo is where Llama 3 models' tokenizer is loaded from:
// an ungated copy of the instruct tokenizer, as the reference cookbook
// does, so that no Meta licence gate blocks a run.
const Llama3TokenizerRepo = "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer"

// RepoForModel returns the hub repository holding a model's tokenizer:
// the model itself, except Llama 3 models (Llama3TokenizerRepo).
func RepoForModel(model string) string {
	short := model[strings.LastIndex(model, "/")+1:]
	if strings.HasPrefix(strings.ToLower(short), "llama-3") {
		return Llama3TokenizerRepo
	}
	return model
}

var (
	loadedMu sync.Mutex
	loaded   = map[string]*HF{} // by local path: parsing a real file takes ~0.5 s
)

// Load returns the tokenizer called id. ports.ByteTokenizerID is the
// byte-level tokenizer with the given special tokens (a renderer's
// SpecialTokens) and needs no hub. Any other id is a hub repository whose
// tokenizer.json is fetched (and cached) through hub, with its
// tokenizer_config.json for the BOS token (a repository without one keeps
// the BOS of tokenizer.json's post-processor); specials must then all be
// tokens of that tokenizer, so a renderer/tokenizer mismatch fails here
// rather than mid-run.
func Load(ctx context.Context, hub ports.HubClient, id string, specials []string) (Tokenizer, error) {
	if id == ports.ByteTokenizerID {
		return NewByteLevel(specials)
	}
	if id == "" {
		return nil, errors.New("tokenizer: empty tokenizer id")
	}
	if hub == nil {
		return nil, fmt.Errorf("tokenizer %s: no hub_client to download it with", id)
	}
	path, err := hub.Download(ctx, id, "tokenizer.json", "main")
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", id, err)
	}
	loadedMu.Lock()
	tok, ok := loaded[path]
	loadedMu.Unlock()
	if !ok {
		if tok, err = LoadFile(path, id); err != nil {
			return nil, err
		}
		loadedMu.Lock()
		loaded[path] = tok
		loadedMu.Unlock()
	}
	if tok, err = withHubConfig(ctx, hub, id, tok); err != nil {
		return nil, err
	}
	var missing []string
	for _, s := range specials {
		if _, ok := tok.SpecialID(s); !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("tokenizer %s lacks the renderer's special tokens %q: wrong renderer for this model?", id, missing)
	}
	return tok, nil
}

// withHubConfig applies the repository's tokenizer_config.json. A failed
// download is an error unless the repository does not list the file: a
// transient failure must not silently change the BOS a model is trained
// with.
func withHubConfig(ctx context.Context, hub ports.HubClient, id string, tok *HF) (*HF, error) {
	const file = "tokenizer_config.json"
	path, err := hub.Download(ctx, id, file, "main")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		files, lerr := hub.ListFiles(ctx, id, "main")
		if lerr != nil || slices.Contains(files, file) {
			return nil, fmt.Errorf("tokenizer %s: %s (for its BOS token): %w", id, file, err)
		}
		return tok, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", id, err)
	}
	return tok.WithConfig(data)
}
