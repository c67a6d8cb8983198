package tokenizer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

var (
	loadedMu sync.Mutex
	loaded   = map[string]*HF{} // by local path: parsing a real file takes ~0.5 s
)

// Load returns the tokenizer called id. ports.ByteTokenizerID is the
// byte-level tokenizer with the given special tokens (a renderer's
// SpecialTokens) and needs no hub. Any other id is a model or tokenizer
// repository, mapped through RepoForModel (gated models load an ungated
// copy), whose tokenizer.json is fetched (and cached) through hub, with its
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
	id = RepoForModel(id)
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
// download is an error unless the repository does not have the file (the
// hub client says so with fs.ErrNotExist, or the listing lacks it): a
// transient failure must not silently change the BOS a model is trained
// with.
func withHubConfig(ctx context.Context, hub ports.HubClient, id string, tok *HF) (*HF, error) {
	const file = "tokenizer_config.json"
	path, err := hub.Download(ctx, id, file, "main")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, fs.ErrNotExist) {
			return tok, nil // the hub says the repository has no such file
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
