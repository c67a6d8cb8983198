// Package memvec is the "memory" vector_store adapter: collections of
// vectors held in process memory and searched exactly by cosine
// similarity, optionally persisted to a directory.
//
// Search is a full scan (exact, no index), which is what a recipe's
// retrieval sets of up to a few hundred thousand vectors need. Results are
// deterministic: higher score first, ties broken by ascending id.
//
// With a directory, every Upsert rewrites its collection's file
// atomically (temp file, fsync, rename, fsync of the directory) before it
// returns, so a crash leaves either the old or the new collection on disk,
// never a torn one; the store reloads the files when constructed. The
// cost of a persisted Upsert is proportional to the collection's size:
// batch items into few Upserts. One process at a time may use a directory.
package memvec

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sync"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// AdapterName is the adapter's name in manifests.
const AdapterName = "memory"

// Store is an in-memory ports.VectorStore.
type Store struct {
	dir string // "" when not persisted

	mu   sync.Mutex
	cols map[string]*collection
}

var _ ports.VectorStore = (*Store)(nil)

// collection holds its vectors row-major in one slice so a query scans
// contiguous memory.
type collection struct {
	mu       sync.RWMutex
	name     string
	dim      int
	ids      []string
	index    map[string]int
	vecs     []float32 // len(ids)*dim
	norms    []float64
	payloads [][]byte // JSON object, or nil
}

// New returns a Store. With dir != "", collections are persisted there
// and the ones already saved are loaded.
func New(dir string) (*Store, error) {
	s := &Store{dir: dir, cols: map[string]*collection{}}
	if dir == "" {
		return s, nil
	}
	cols, err := loadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		s.cols[c.name] = c
	}
	return s, nil
}

var collectionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// checkName keeps collection names usable as file names everywhere.
func checkName(name string) error {
	if !collectionName.MatchString(name) {
		return fmt.Errorf("collection name %q: want 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// prepared is an item validated and encoded for storage.
type prepared struct {
	id      string
	vec     []float32
	norm    float64
	payload []byte
}

// Upsert implements ports.VectorStore: it adds items, replacing those
// whose id exists. Within one call a later item with the same id wins.
// All vectors of a collection have the dimension of its first one.
// Payloads are stored as JSON, so numbers come back as float64.
func (s *Store) Upsert(ctx context.Context, name string, items []ports.VectorItem) error {
	return ports.Wrap(schema.PortVectorStore, AdapterName, "upsert", s.upsert(ctx, name, items))
}

func (s *Store) upsert(ctx context.Context, name string, items []ports.VectorItem) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	batch := make([]prepared, len(items))
	for i, it := range items {
		if it.ID == "" {
			return fmt.Errorf("collection %s: item %d has an empty id", name, i)
		}
		if len(it.Vector) != len(items[0].Vector) {
			return fmt.Errorf("collection %s: item %q has %d dimensions, item %q has %d", name, it.ID, len(it.Vector), items[0].ID, len(items[0].Vector))
		}
		norm, err := vectorNorm(it.Vector)
		if err != nil {
			return fmt.Errorf("collection %s: item %q: %w", name, it.ID, err)
		}
		p := prepared{id: it.ID, vec: append([]float32(nil), it.Vector...), norm: norm}
		if it.Payload != nil {
			if p.payload, err = json.Marshal(it.Payload); err != nil {
				return fmt.Errorf("collection %s: item %q: payload is not JSON-encodable: %w", name, it.ID, err)
			}
		}
		batch[i] = p
	}

	c := s.collection(name, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dim != 0 && c.dim != len(batch[0].vec) {
		return fmt.Errorf("collection %s holds %d-dimensional vectors, got %d dimensions", name, c.dim, len(batch[0].vec))
	}
	undo := c.apply(batch)
	if s.dir != "" {
		if err := saveCollection(s.dir, c); err != nil {
			undo()
			return err
		}
	}
	return nil
}

// vectorNorm returns the Euclidean norm, rejecting vectors whose cosine
// similarity is undefined.
func vectorNorm(v []float32) (float64, error) {
	if len(v) == 0 {
		return 0, errors.New("empty vector")
	}
	var sum float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0, errors.New("vector holds NaN or infinity")
		}
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return 0, errors.New("zero vector: cosine similarity is undefined")
	}
	return math.Sqrt(sum), nil
}

// collection returns the named collection, creating it when create.
func (s *Store) collection(name string, create bool) *collection {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cols[name]
	if c == nil && create {
		c = &collection{name: name, index: map[string]int{}}
		s.cols[name] = c
	}
	return c
}

// apply writes batch into c (locked) and returns a function restoring
// c's previous state, used when persisting fails.
func (c *collection) apply(batch []prepared) (undo func()) {
	oldLen, oldDim := len(c.ids), c.dim
	type saved struct {
		row     int
		vec     []float32
		norm    float64
		payload []byte
	}
	var overwritten []saved
	seen := map[int]bool{}
	c.dim = len(batch[0].vec)
	for _, p := range batch {
		row, ok := c.index[p.id]
		if !ok {
			row = len(c.ids)
			c.index[p.id] = row
			c.ids = append(c.ids, p.id)
			c.vecs = append(c.vecs, p.vec...)
			c.norms = append(c.norms, p.norm)
			c.payloads = append(c.payloads, p.payload)
			continue
		}
		if row < oldLen && !seen[row] {
			seen[row] = true
			overwritten = append(overwritten, saved{row, append([]float32(nil), c.row(row)...), c.norms[row], c.payloads[row]})
		}
		copy(c.row(row), p.vec)
		c.norms[row] = p.norm
		c.payloads[row] = p.payload
	}
	return func() {
		for _, id := range c.ids[oldLen:] {
			delete(c.index, id)
		}
		c.ids, c.vecs = c.ids[:oldLen], c.vecs[:oldLen*c.dim]
		c.norms, c.payloads = c.norms[:oldLen], c.payloads[:oldLen]
		for _, o := range overwritten {
			copy(c.row(o.row), o.vec)
			c.norms[o.row], c.payloads[o.row] = o.norm, o.payload
		}
		c.dim = oldDim
		if oldLen == 0 {
			c.dim = 0
		}
	}
}

func (c *collection) row(i int) []float32 { return c.vecs[i*c.dim : (i+1)*c.dim] }

// Query implements ports.VectorStore: the k items most similar to vector
// by cosine similarity, best first, ties by ascending id. Querying a
// collection that was never written is an error (usually a misspelt
// name).
func (s *Store) Query(ctx context.Context, name string, vector []float32, k int) ([]ports.VectorMatch, error) {
	m, err := s.query(ctx, name, vector, k)
	return m, ports.Wrap(schema.PortVectorStore, AdapterName, "query", err)
}

// ctxCheckEvery is how many rows a scan covers between context checks.
const ctxCheckEvery = 4096

func (s *Store) query(ctx context.Context, name string, vector []float32, k int) ([]ports.VectorMatch, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if k < 1 {
		return nil, fmt.Errorf("k = %d: want at least 1", k)
	}
	qnorm, err := vectorNorm(vector)
	if err != nil {
		return nil, fmt.Errorf("query vector: %w", err)
	}
	c := s.collection(name, false)
	if c == nil {
		return nil, fmt.Errorf("collection %s does not exist", name)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(vector) != c.dim && c.dim != 0 {
		return nil, fmt.Errorf("collection %s holds %d-dimensional vectors, query has %d", name, c.dim, len(vector))
	}
	top := make(topK, 0, min(k, len(c.ids)))
	for i := range c.ids {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var dot float64
		for j, x := range c.row(i) {
			dot += float64(x) * float64(vector[j])
		}
		h := hit{row: i, id: c.ids[i], score: dot / (qnorm * c.norms[i])}
		if len(top) < k {
			heap.Push(&top, h)
		} else if h.better(top[0]) {
			top[0] = h
			heap.Fix(&top, 0)
		}
	}
	out := make([]ports.VectorMatch, len(top))
	for i := len(top) - 1; i >= 0; i-- {
		h := heap.Pop(&top).(hit)
		m := ports.VectorMatch{Score: float32(h.score)}
		m.ID = h.id
		m.Vector = append([]float32(nil), c.row(h.row)...)
		if p := c.payloads[h.row]; p != nil {
			if err := json.Unmarshal(p, &m.Payload); err != nil {
				return nil, fmt.Errorf("collection %s: item %q: payload: %w", name, h.id, err)
			}
		}
		out[i] = m
	}
	return out, nil
}

// hit is a scored row.
type hit struct {
	row   int
	id    string
	score float64
}

// better orders results: higher score, then smaller id.
func (h hit) better(o hit) bool {
	if h.score != o.score {
		return h.score > o.score
	}
	return h.id < o.id
}

// topK is a min-heap whose root is the worst of the best k hits so far.
type topK []hit

func (t topK) Len() int           { return len(t) }
func (t topK) Less(i, j int) bool { return t[j].better(t[i]) }
func (t topK) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *topK) Push(x any)        { *t = append(*t, x.(hit)) }
func (t *topK) Pop() any {
	old := *t
	h := old[len(old)-1]
	*t = old[:len(old)-1]
	return h
}
