package fake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// BlobStore is the fake blob_store: a test fake holding blobs in memory
// (lost when the process exits).
type BlobStore struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

// NewBlobStore returns an empty in-memory blob store.
func NewBlobStore() *BlobStore { return &BlobStore{blobs: map[string][]byte{}} }

// Get returns a blob or an error wrapping os.ErrNotExist.
func (b *BlobStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.blobs[key]
	if !ok {
		return nil, ports.Wrap("blob_store", Name, "get", fmt.Errorf("%s: %w", key, os.ErrNotExist))
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// Put stores a copy of r's bytes; a failed read stores nothing.
func (b *BlobStore) Put(ctx context.Context, key string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return ports.Wrap("blob_store", Name, "put", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.blobs[key] = data
	return nil
}

// Exists reports whether key is stored.
func (b *BlobStore) Exists(ctx context.Context, key string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.blobs[key]
	return ok, nil
}

// List returns the keys with prefix, sorted.
func (b *BlobStore) List(ctx context.Context, prefix string) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var keys []string
	for k := range b.blobs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// Delete removes key; deleting a missing key is not an error.
func (b *BlobStore) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.blobs, key)
	return nil
}
