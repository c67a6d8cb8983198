package memvec

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/cookbookc/cookbookc/lang/atomicfile"
)

// fileSuffix names collection files: <collection>.vectors.json.
const fileSuffix = ".vectors.json"

// fileFormat identifies the file layout; bump version on any change.
const (
	fileFormat  = "cookbookc-vectors"
	fileVersion = 1
)

// fileHeader is a collection file. Vectors are base64 of little-endian
// float32s: exact, and about a third of the size of decimal JSON.
type fileHeader struct {
	Format     string     `json:"format"`
	Version    int        `json:"version"`
	Collection string     `json:"collection"`
	Dim        int        `json:"dim"`
	Items      []fileItem `json:"items"`
}

type fileItem struct {
	ID      string          `json:"id"`
	Vector  string          `json:"vector"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func encodeVector(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeVector(s string, dim int) ([]float32, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 4*dim {
		return nil, fmt.Errorf("%d bytes, want %d for %d dimensions", len(b), 4*dim, dim)
	}
	v := make([]float32, dim)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// saveCollection writes c (locked by the caller) to dir atomically.
func saveCollection(dir string, c *collection) error {
	f := fileHeader{Format: fileFormat, Version: fileVersion, Collection: c.name, Dim: c.dim, Items: make([]fileItem, len(c.ids))}
	for i, id := range c.ids {
		f.Items[i] = fileItem{ID: id, Vector: encodeVector(c.row(i)), Payload: c.payloads[i]}
	}
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("collection %s: encoding: %w", c.name, err)
	}
	if err := atomicfile.Write(filepath.Join(dir, c.name+fileSuffix), data, 0o600); err != nil {
		return fmt.Errorf("collection %s: %w", c.name, err)
	}
	return nil
}

// loadDir creates dir if needed and loads every collection file in it.
// Temp files of interrupted writes are ignored.
func loadDir(dir string) ([]*collection, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("vector directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("vector directory: %w", err)
	}
	var cols []*collection
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, fileSuffix) {
			continue
		}
		c, err := loadCollection(filepath.Join(dir, name), strings.TrimSuffix(name, fileSuffix))
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func loadCollection(path, name string) (*collection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	var f fileHeader
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, bad("not a vector collection file: %v", err)
	}
	switch {
	case f.Format != fileFormat:
		return nil, bad("format %q, want %q", f.Format, fileFormat)
	case f.Version != fileVersion:
		return nil, bad("version %d, this build reads %d", f.Version, fileVersion)
	case f.Collection != name:
		return nil, bad("holds collection %q, but the file name says %q", f.Collection, name)
	case checkName(name) != nil:
		return nil, bad("%v", checkName(name))
	case f.Dim < 0 || (f.Dim == 0 && len(f.Items) > 0):
		return nil, bad("dimension %d", f.Dim)
	}
	c := &collection{name: name, dim: f.Dim, index: make(map[string]int, len(f.Items))}
	for i, it := range f.Items {
		if it.ID == "" {
			return nil, bad("item %d has an empty id", i)
		}
		if _, dup := c.index[it.ID]; dup {
			return nil, bad("item %q appears twice", it.ID)
		}
		v, err := decodeVector(it.Vector, f.Dim)
		if err != nil {
			return nil, bad("item %q: vector: %v", it.ID, err)
		}
		norm, err := vectorNorm(v)
		if err != nil {
			return nil, bad("item %q: %v", it.ID, err)
		}
		var payload []byte
		if len(it.Payload) > 0 && string(it.Payload) != "null" {
			var m map[string]any
			if err := json.Unmarshal(it.Payload, &m); err != nil {
				return nil, bad("item %q: payload: %v", it.ID, err)
			}
			payload = it.Payload
		}
		c.index[it.ID] = i
		c.ids = append(c.ids, it.ID)
		c.vecs = append(c.vecs, v...)
		c.norms = append(c.norms, norm)
		c.payloads = append(c.payloads, payload)
	}
	return c, nil
}

// resolveDir places a relative dir under the run directory, so that a
// resumed run finds its vectors again. "" stays "" (not persisted).
func resolveDir(dir, runDir string) string {
	if dir == "" || filepath.IsAbs(dir) || runDir == "" {
		return dir
	}
	return filepath.Join(runDir, dir)
}
