package memvec

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

func TestPersistAndReload(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	items := randomItems(3, 200, 8)
	items[0].Payload = map[string]any{"text": "hello", "n": 3.0}
	mustUpsert(t, s, "docs", items[:150]...)
	mustUpsert(t, s, "docs", items[100:]...) // overlaps: replaces 50
	mustUpsert(t, s, "other", item("only", nil, 1, 2))

	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if want := []string{"docs.vectors.json", "other.vectors.json"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("directory holds %v, want %v (no temp files)", names, want)
	}

	reloaded, err := New(dir)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	for _, q := range randomItems(4, 5, 8) {
		a, err1 := s.Query(context.Background(), "docs", q.Vector, 20)
		b, err2 := reloaded.Query(context.Background(), "docs", q.Vector, 20)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("reloaded store answers differently:\n%v\n%v (%v, %v)", ranking(a), ranking(b), err1, err2)
		}
	}
	all, _ := reloaded.Query(context.Background(), "docs", items[0].Vector, 1000)
	if len(all) != 200 {
		t.Fatalf("reloaded %d items, want 200", len(all))
	}
	for _, m := range all {
		if m.ID == items[0].ID && (math.Abs(float64(m.Score)-1) > 1e-6 || !reflect.DeepEqual(m.Payload, items[0].Payload) || !reflect.DeepEqual(m.Vector, items[0].Vector)) {
			t.Fatalf("reloaded %+v, want %+v", m, items[0])
		}
	}
	if got, _ := reloaded.Query(context.Background(), "other", []float32{1, 2}, 1); len(got) != 1 || got[0].ID != "only" {
		t.Fatalf("other collection: %v", got)
	}
}

// A failed write leaves memory as it was, so memory never runs ahead of
// the disk.
func TestFailedPersistRollsBack(t *testing.T) {
	dir := t.TempDir()
	s, _ := New(dir)
	mustUpsert(t, s, "c", item("a", map[string]any{"v": "old"}, 1, 0))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	err := s.Upsert(context.Background(), "c", []ports.VectorItem{item("a", map[string]any{"v": "new"}, 0, 1), item("b", nil, 1, 1)})
	checkErr(t, "upsert into a removed directory", err, "upsert", "collection c")
	got, err := s.Query(context.Background(), "c", []float32{1, 0}, 10)
	if err != nil || len(got) != 1 || got[0].ID != "a" || got[0].Score != 1 || got[0].Payload["v"] != "old" {
		t.Fatalf("after a failed upsert: %+v, %v", got, err)
	}
	// A brand-new collection whose first write fails takes any dimension next time.
	if err := s.Upsert(context.Background(), "fresh", []ports.VectorItem{item("x", nil, 1, 2, 3)}); err == nil {
		t.Fatal("upsert into a removed directory succeeded")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustUpsert(t, s, "fresh", item("x", nil, 1, 2))
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	good := `{"format":"cookbookc-vectors","version":1,"collection":"c","dim":2,"items":[{"id":"a","vector":"AACAPwAAAEA="}]}`
	tests := []struct {
		name, file, content, want string
	}{
		{"truncated", "c.vectors.json", good[:40], "not a vector collection file"},
		{"other format", "c.vectors.json", strings.Replace(good, "cookbookc-vectors", "x", 1), "format"},
		{"future version", "c.vectors.json", strings.Replace(good, `"version":1`, `"version":9`, 1), "version 9"},
		{"renamed file", "d.vectors.json", good, `holds collection "c"`},
		{"short vector", "c.vectors.json", strings.Replace(good, `"dim":2`, `"dim":3`, 1), "want 12 for 3 dimensions"},
		{"duplicate id", "c.vectors.json", strings.Replace(good, `}]}`, `},{"id":"a","vector":"AACAPwAAAEA="}]}`, 1), "appears twice"},
		{"payload not an object", "c.vectors.json", strings.Replace(good, `"}]}`, `","payload":[1]}]}`, 1), "payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file) {
				t.Fatalf("error %v, want one naming %s and %q", err, tt.file, tt.want)
			}
		})
	}
	// The good file loads, and a temp file left by a crash is ignored.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.vectors.json"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, ".c.vectors.json.tmp-123"), []byte(good[:20]), 0o644)
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Query(context.Background(), "c", []float32{1, 2}, 1)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0].Vector, []float32{1, 2}) {
		t.Fatalf("good file: %+v, %v", got, err)
	}
}

func TestRegistryFactory(t *testing.T) {
	runDir := t.TempDir()
	env := registry.Env{RunDir: runDir}
	ctx := context.Background()
	v, err := registry.New(ctx, schema.PortVectorStore, "memory", registry.Config{"dir": "vectors"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.(ports.VectorStore).Upsert(ctx, "c", []ports.VectorItem{item("a", nil, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(runDir, "vectors", "c.vectors.json")); err != nil {
		t.Fatalf("relative dir is not under the run directory: %v", err)
	}
	// A resumed run (same run directory) sees the vectors again.
	v2, err := registry.New(ctx, schema.PortVectorStore, "memory", registry.Config{"dir": "vectors"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v2.(ports.VectorStore).Query(ctx, "c", []float32{2}, 1); err != nil || len(got) != 1 {
		t.Fatalf("after resume: %v, %v", got, err)
	}
	// Without dir nothing touches the disk.
	v3, err := registry.New(ctx, schema.PortVectorStore, "memory", registry.Config{}, registry.Env{RunDir: filepath.Join(runDir, "unused")})
	if err != nil {
		t.Fatal(err)
	}
	if err := v3.(ports.VectorStore).Upsert(ctx, "c", []ports.VectorItem{item("a", nil, 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(runDir, "unused")); !os.IsNotExist(err) {
		t.Fatalf("in-memory store wrote to disk: %v", err)
	}
	for _, f := range Schema().Config {
		if f.Doc == "" || !strings.HasSuffix(f.Doc, ".") {
			t.Errorf("field %s: Doc %q is not a sentence", f.Name, f.Doc)
		}
	}
}
