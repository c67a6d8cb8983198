// Package local is the blob_store adapter "local": blobs are files under a
// root directory (by default <run dir>/blobs), written atomically.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/atomicfile"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// Name is the adapter name.
const Name = "local"

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port: schema.PortBlobStore, Name: Name,
			Summary: "Blobs as files in a local directory, written atomically.",
			Config: []schema.Field{
				{Name: "root", Type: schema.String, Doc: "Directory holding the blobs; a relative path is relative to the run directory. Default: <run dir>/blobs."},
			},
		},
		New: func(ctx context.Context, cfg registry.Config, env registry.Env) (any, error) {
			root := cfg.String("root")
			if root == "" {
				root = "blobs"
			}
			// Relative to the run directory, so a run resumed from another
			// working directory still finds its blobs.
			if !filepath.IsAbs(root) {
				if env.RunDir == "" {
					return nil, errors.New("a relative root needs a run directory")
				}
				root = filepath.Join(env.RunDir, root)
			}
			return New(root)
		},
	})
}

// Store keeps blobs under Root; key "a/b" is the file Root/a/b.
type Store struct {
	Root string
}

// New returns a store rooted at root, creating the directory.
func New(root string) (*Store, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating blob root: %w", err)
	}
	return &Store{Root: root}, nil
}

func wrap(op string, err error) error { return ports.Wrap(schema.PortBlobStore, Name, op, err) }

// file maps a key to its path, refusing keys that would escape the root.
func (s *Store) file(key string) (string, error) {
	clean := path.Clean(key)
	if key == "" || strings.HasPrefix(key, "/") || clean != key || clean == "." || clean == ".." ||
		strings.HasPrefix(clean, "../") || strings.Contains(key, "\\") {
		return "", fmt.Errorf("invalid blob key %q: want a clean relative slash-separated path", key)
	}
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, ".") {
			return "", fmt.Errorf("invalid blob key %q: components must not start with a dot", key)
		}
	}
	return filepath.Join(s.Root, filepath.FromSlash(clean)), nil
}

// Get opens a blob; a missing blob is an error wrapping fs.ErrNotExist.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.file(key)
	if err != nil {
		return nil, wrap("get", err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, wrap("get", err)
	}
	return f, nil
}

// Put writes r through a temp file beside the blob (lang/atomicfile), so
// readers see the old blob or the whole new one.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := s.file(key)
	if err != nil {
		return wrap("put", err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return wrap("put", err)
	}
	// Blobs are ordinary files: 0644, whatever the temp file's mode.
	if err := atomicfile.WriteFrom(p, ctxReader{ctx, r}, 0o644); err != nil {
		return wrap("put", err)
	}
	return nil
}

// ctxReader stops a long copy when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Exists reports whether a blob exists.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	p, err := s.file(key)
	if err != nil {
		return false, wrap("exists", err)
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, wrap("exists", err)
	}
	return st.Mode().IsRegular(), nil
}

// List returns the keys that start with prefix, sorted. Temp files of
// unfinished writes are not listed.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, err := filepath.Rel(s.Root, p)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("list", err)
	}
	sort.Strings(keys)
	return keys, nil
}

// Delete removes a blob; deleting a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.file(key)
	if err != nil {
		return wrap("delete", err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return wrap("delete", err)
	}
	return nil
}
