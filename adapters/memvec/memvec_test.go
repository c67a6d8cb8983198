package memvec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

func item(id string, payload map[string]any, v ...float32) ports.VectorItem {
	return ports.VectorItem{ID: id, Vector: v, Payload: payload}
}

func mustUpsert(t *testing.T, s *Store, col string, items ...ports.VectorItem) {
	t.Helper()
	if err := s.Upsert(context.Background(), col, items); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
}

// ranking returns "id:score" with scores to 4 decimals.
func ranking(ms []ports.VectorMatch) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%s:%.4f", m.ID, m.Score)
	}
	return out
}

func TestQueryRanking(t *testing.T) {
	s, _ := New("")
	mustUpsert(t, s, "docs",
		item("east", nil, 1, 0),
		item("north", nil, 0, 1),
		item("north-east", nil, 1, 1),
		item("west", nil, -1, 0),
		item("east-long", nil, 10, 0), // same direction as east: same score
		item("a-east", nil, 3, 0),     // and again: ties break by id
	)
	tests := []struct {
		name  string
		query []float32
		k     int
		want  []string
	}{
		{"ties by id", []float32{1, 0}, 4, []string{"a-east:1.0000", "east:1.0000", "east-long:1.0000", "north-east:0.7071"}},
		{"scale does not matter", []float32{0, 0.01}, 2, []string{"north:1.0000", "north-east:0.7071"}},
		{"k beyond size returns all", []float32{-1, 0}, 100, []string{"west:1.0000", "north:0.0000", "north-east:-0.7071",
			"a-east:-1.0000", "east:-1.0000", "east-long:-1.0000"}},
		{"k of one", []float32{1, 1}, 1, []string{"north-east:1.0000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Query(context.Background(), "docs", tt.query, tt.k)
			if err != nil {
				t.Fatal(err)
			}
			if r := ranking(got); !reflect.DeepEqual(r, tt.want) {
				t.Fatalf("ranking %v, want %v", r, tt.want)
			}
		})
	}
}

func TestUpsertReplacesAndCopies(t *testing.T) {
	s, _ := New("")
	v := []float32{1, 0}
	mustUpsert(t, s, "c", ports.VectorItem{ID: "x", Vector: v, Payload: map[string]any{"n": 1, "tags": []string{"a"}}})
	v[0], v[1] = 0, 1 // the store keeps its own copy
	got, _ := s.Query(context.Background(), "c", []float32{1, 0}, 1)
	if got[0].Score != 1 || !reflect.DeepEqual(got[0].Vector, []float32{1, 0}) {
		t.Fatalf("stored vector changed with the caller's slice: %+v", got[0])
	}
	// Payloads are JSON: numbers come back as float64, lists as []any.
	if want := map[string]any{"n": 1.0, "tags": []any{"a"}}; !reflect.DeepEqual(got[0].Payload, want) {
		t.Fatalf("payload %#v, want %#v", got[0].Payload, want)
	}
	got[0].Vector[0], got[0].Payload["n"] = 42, "changed"
	again, _ := s.Query(context.Background(), "c", []float32{1, 0}, 1)
	if again[0].Vector[0] != 1 || again[0].Payload["n"] != 1.0 {
		t.Fatalf("a returned match aliases the store: %+v", again[0])
	}

	// Replace x, add y; within one call the later duplicate wins.
	mustUpsert(t, s, "c", item("x", nil, 0, 1), item("y", map[string]any{"v": 1}, 1, 0), item("y", map[string]any{"v": 2}, 1, 0.001))
	got, _ = s.Query(context.Background(), "c", []float32{0, 1}, 10)
	if r := ranking(got); !reflect.DeepEqual(r, []string{"x:1.0000", "y:0.0010"}) {
		t.Fatalf("after replace: %v", r)
	}
	if got[0].Payload != nil || got[1].Payload["v"] != 2.0 {
		t.Fatalf("payloads after replace: %v, %v", got[0].Payload, got[1].Payload)
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := New("")
	mustUpsert(t, s, "c", item("a", map[string]any{"k": "v"}, 1, 2, 3))
	nan := float32(math.NaN())
	upserts := []struct {
		name  string
		col   string
		items []ports.VectorItem
		want  string
	}{
		{"bad collection name", "../etc", []ports.VectorItem{item("a", nil, 1)}, "collection name"},
		{"empty collection name", "", []ports.VectorItem{item("a", nil, 1)}, "collection name"},
		{"empty id", "c", []ports.VectorItem{item("", nil, 1, 2, 3)}, "empty id"},
		{"ragged batch", "c", []ports.VectorItem{item("b", nil, 1, 2, 3), item("d", nil, 1, 2)}, "has 2 dimensions"},
		{"wrong dimension", "c", []ports.VectorItem{item("b", nil, 1, 2)}, "holds 3-dimensional vectors"},
		{"NaN", "c", []ports.VectorItem{item("b", nil, 1, nan, 3)}, "NaN"},
		{"zero vector", "c", []ports.VectorItem{item("b", nil, 0, 0, 0)}, "zero vector"},
		{"empty vector", "other", []ports.VectorItem{item("b", nil)}, "empty vector"},
		{"payload not JSON", "c", []ports.VectorItem{item("b", map[string]any{"f": func() {}}, 1, 2, 3)}, "not JSON-encodable"},
		{"one bad item spoils the batch", "c", []ports.VectorItem{item("a", nil, 9, 9, 9), item("z", nil, 0, 0, 0)}, "zero vector"},
	}
	for _, tt := range upserts {
		err := s.Upsert(ctx, tt.col, tt.items)
		checkErr(t, "upsert: "+tt.name, err, "upsert", tt.want)
	}
	queries := []struct {
		name, col string
		q         []float32
		k         int
		want      string
	}{
		{"k zero", "c", []float32{1, 2, 3}, 0, "want at least 1"},
		{"missing collection", "nope", []float32{1, 2, 3}, 1, "collection nope does not exist"},
		{"zero query", "c", []float32{0, 0, 0}, 1, "zero vector"},
		{"wrong query dimension", "c", []float32{1, 2}, 1, "query has 2"},
	}
	for _, tt := range queries {
		_, err := s.Query(ctx, tt.col, tt.q, tt.k)
		checkErr(t, "query: "+tt.name, err, "query", tt.want)
	}
	// Nothing of the failed batches was applied.
	got, err := s.Query(ctx, "c", []float32{1, 2, 3}, 10)
	if err != nil || len(got) != 1 || got[0].ID != "a" || got[0].Vector[0] != 1 || got[0].Payload["k"] != "v" {
		t.Fatalf("collection after failed upserts: %+v, %v", got, err)
	}
}

func checkErr(t *testing.T, name string, err error, op, want string) {
	t.Helper()
	var pe *ports.Error
	if !errors.As(err, &pe) || pe.Port != "vector_store" || pe.Adapter != "memory" || pe.Op != op {
		t.Errorf("%s: error %v is not a vector_store (memory) %s error", name, err, op)
		return
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %q lacks %q", name, err, want)
	}
}

func TestCancelledContext(t *testing.T) {
	s, _ := New("")
	mustUpsert(t, s, "c", item("a", nil, 1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Upsert(ctx, "c", []ports.VectorItem{item("b", nil, 1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("Upsert: %v", err)
	}
	if _, err := s.Query(ctx, "c", []float32{1}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Query: %v", err)
	}
}

// randomItems returns n seeded random d-dimensional items, with some
// exact duplicates of earlier vectors to create ties.
func randomItems(seed uint64, n, d int) []ports.VectorItem {
	r := rand.New(rand.NewPCG(seed, 1))
	items := make([]ports.VectorItem, n)
	for i := range items {
		v := make([]float32, d)
		if i > 10 && i%7 == 0 {
			copy(v, items[r.IntN(10)].Vector)
		} else {
			for j := range v {
				v[j] = float32(r.NormFloat64())
			}
		}
		items[i] = ports.VectorItem{ID: fmt.Sprintf("id-%06d-%05d", r.IntN(1_000_000), i), Vector: v}
	}
	return items
}

// reference ranks by scoring everything and sorting: the obvious
// algorithm the heap must agree with.
func reference(items []ports.VectorItem, q []float32, k int) []string {
	type scored struct {
		id    string
		score float64
	}
	qn, _ := vectorNorm(q)
	all := make([]scored, len(items))
	for i, it := range items {
		n, _ := vectorNorm(it.Vector)
		var dot float64
		for j := range q {
			dot += float64(q[j]) * float64(it.Vector[j])
		}
		all[i] = scored{it.ID, dot / (qn * n)}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].id < all[j].id
	})
	out := make([]string, min(k, len(all)))
	for i := range out {
		out[i] = all[i].id
	}
	return out
}

func TestQueryAgreesWithReference(t *testing.T) {
	items := randomItems(7, 3000, 16)
	s, _ := New("")
	mustUpsert(t, s, "r", items...)
	queries := randomItems(8, 50, 16)
	queries = append(queries, items[3], items[5]) // queries with exact-duplicate ties
	for _, q := range queries {
		for _, k := range []int{1, 5, 50} {
			got, err := s.Query(context.Background(), "r", q.Vector, k)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, m := range got {
				ids[i] = m.ID
			}
			if want := reference(items, q.Vector, k); !reflect.DeepEqual(ids, want) {
				t.Fatalf("k=%d: got %v, want %v", k, ids, want)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s, _ := New(t.TempDir())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			col := fmt.Sprintf("c%d", w%2)
			for i := range 25 {
				if err := s.Upsert(context.Background(), col, []ports.VectorItem{item(fmt.Sprintf("w%d-%d", w, i), nil, 1, float32(i))}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Query(context.Background(), col, []float32{1, 1}, 3); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, col := range []string{"c0", "c1"} {
		got, err := s.Query(context.Background(), col, []float32{1, 0}, 1000)
		if err != nil || len(got) != 50 {
			t.Fatalf("%s holds %d items (%v), want 50", col, len(got), err)
		}
	}
}

// BenchmarkQuery measures the heap-based top-k scan; compare it with
// BenchmarkQueryReference (score all, sort) from the same run.
func BenchmarkQuery(b *testing.B) {
	items := randomItems(1, 20000, 128)
	s, _ := New("")
	if err := s.Upsert(context.Background(), "b", items); err != nil {
		b.Fatal(err)
	}
	q := randomItems(2, 1, 128)[0].Vector
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Query(context.Background(), "b", q, 10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryReference is the naive reference for BenchmarkQuery.
func BenchmarkQueryReference(b *testing.B) {
	items := randomItems(1, 20000, 128)
	q := randomItems(2, 1, 128)[0].Vector
	b.ResetTimer()
	for b.Loop() {
		reference(items, q, 10)
	}
}
