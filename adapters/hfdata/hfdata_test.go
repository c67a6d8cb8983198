package hfdata

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/cookbookc/cookbookc/adapters/fake"
	"github.com/cookbookc/cookbookc/adapters/files"
	"github.com/cookbookc/cookbookc/adapters/hf"
	"github.com/cookbookc/cookbookc/adapters/hf/hubtest"
	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

const secret = "hf_SECRETtoken987"

// hubLog reads what a hubtest hub served.
type hubLog struct{ *hubtest.Hub }

// served lists the dataset files downloaded, in order (GETs of
// /datasets/.../resolve/REV/PATH).
func (h hubLog) served() []string {
	var out []string
	for _, r := range h.Requests() {
		if _, rest, ok := strings.Cut(r.Path, "/resolve/"); ok && r.Method == "GET" {
			_, file, _ := strings.Cut(rest, "/")
			out = append(out, file)
		}
	}
	return out
}

// listings counts tree listings.
func (h hubLog) listings() int {
	n := 0
	for _, r := range h.Requests() {
		if strings.HasPrefix(r.Path, "/api/datasets/") {
			n++
		}
	}
	return n
}

// parquetFile encodes rows of {question, answer} as Parquet.
func parquetFile(t *testing.T, questions ...string) []byte {
	t.Helper()
	type row struct {
		Question string `parquet:"question"`
		Answer   string `parquet:"answer"`
	}
	var rows []row
	for _, q := range questions {
		rows = append(rows, row{q, "A:" + q})
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newStore returns a Store whose hub client is the real hf adapter
// talking to a fake hub whose repositories are gated (every request needs
// the token), and the hub.
func newStore(t *testing.T) (*Store, hubLog) {
	t.Helper()
	hub := hubtest.Start(hubtest.Options{Token: secret})
	t.Cleanup(hub.Close)
	hub.Add("datasets/org/chat", "main", map[string][]byte{
		"README.md":                         []byte("# chat"),
		"data/train-00000-of-00002.jsonl":   []byte(`{"question":"q1","answer":"a1"}` + "\n" + `{"question":"q2","answer":"a2"}` + "\n"),
		"data/train-00001-of-00002.jsonl":   []byte(`{"question":"q3","answer":"a3"}` + "\n" + `{"question": broken}` + "\n" + `{"question":"q4","answer":"a4"}` + "\n"),
		"data/test-00000-of-00001.jsonl":    []byte(`{"question":"t1","answer":"b1"}` + "\n"),
		"data/validation-00000-of-1.csv.gz": []byte("not read"),
	})
	hub.Add("datasets/org/pq", "refs/convert/parquet", map[string][]byte{
		"default/train/0000.parquet": parquetFile(t, "p1", "p2"),
		"default/train/0001.parquet": parquetFile(t, "p3"),
		"default/test/0000.parquet":  parquetFile(t, "pt"),
	})
	hub.Gate("datasets/org/chat")
	hub.Gate("datasets/org/pq")
	client, err := hf.New(hf.Options{Endpoint: hub.URL, Token: secret, CacheDir: t.TempDir(), HTTP: hub.Client(), Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{Hub: func(context.Context) (ports.HubClient, error) { return client, nil }}
	return s, hubLog{hub}
}

// read opens ref and collects "file:line question" (or "file:line ERR")
// per record; an error that ends the iteration is returned.
func read(t *testing.T, s *Store, ref ports.DatasetRef) ([]string, error) {
	t.Helper()
	seq, err := s.Open(context.Background(), ref)
	if err != nil {
		return nil, err
	}
	var out []string
	for rec, err := range seq {
		if err != nil {
			return out, err
		}
		what := fmt.Sprint(rec.Fields["question"])
		if rec.Err != nil {
			what = "ERR " + rec.Err.Error()
		}
		out = append(out, fmt.Sprintf("%s:%d %s", rec.File, rec.Line, what))
	}
	return out, nil
}

func TestReadsSplitAcrossShards(t *testing.T) {
	s, hub := newStore(t)
	got, err := read(t, s, ports.DatasetRef{Source: "hf://org/chat", FileFormat: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"hf://org/chat/data/train-00000-of-00002.jsonl:1 q1",
		"hf://org/chat/data/train-00000-of-00002.jsonl:2 q2",
		"hf://org/chat/data/train-00001-of-00002.jsonl:1 q3",
		"hf://org/chat/data/train-00001-of-00002.jsonl:2 ERR invalid JSON: invalid character 'b' looking for beginning of value",
		"hf://org/chat/data/train-00001-of-00002.jsonl:3 q4",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Second open: the listing is asked again, the files come from the
	// cache.
	before := hub.served()
	if again, err := read(t, s, ports.DatasetRef{Source: "hf://org/chat", Split: "train"}); err != nil || !slices.Equal(again, want) {
		t.Fatalf("second read: %v %v", again, err)
	}
	if after := hub.served(); !slices.Equal(after, before) || len(after) != 2 {
		t.Fatalf("downloads: %v after the first read, %v after the second", before, after)
	}
	if hub.listings() != 2 {
		t.Errorf("%d listings, want one per open", hub.listings())
	}

	got, err = read(t, s, ports.DatasetRef{Source: "hf://org/chat", Split: "test"})
	if err != nil || !slices.Equal(got, []string{"hf://org/chat/data/test-00000-of-00001.jsonl:1 t1"}) {
		t.Fatalf("test split: %v %v", got, err)
	}
}

func TestParquetConversionBranch(t *testing.T) {
	s, hub := newStore(t)
	got, err := read(t, s, ports.DatasetRef{Source: "hf://org/pq@refs%2Fconvert%2Fparquet"})
	if err != nil {
		t.Fatal(err)
	}
	base := "hf://org/pq@refs%2Fconvert%2Fparquet/default/train/"
	want := []string{base + "0000.parquet:1 p1", base + "0000.parquet:2 p2", base + "0001.parquet:1 p3"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if d := hub.served(); !slices.Equal(d, []string{"default/train/0000.parquet", "default/train/0001.parquet"}) {
		t.Fatalf("downloads %v", d)
	}
}

func TestDownloadsOnlyTheShardsRead(t *testing.T) {
	s, hub := newStore(t)
	seq, err := s.Open(context.Background(), ports.DatasetRef{Source: "hf://org/chat"})
	if err != nil {
		t.Fatal(err)
	}
	for rec := range seq {
		if rec.Line == 2 {
			break // like a dataset's limit = 2
		}
	}
	if d := hub.served(); !slices.Equal(d, []string{"data/train-00000-of-00002.jsonl"}) {
		t.Fatalf("downloads %v, want only the first shard", d)
	}
}

func TestOpenErrors(t *testing.T) {
	s, hub := newStore(t)
	tests := []struct {
		ref  ports.DatasetRef
		want []string
	}{
		{ports.DatasetRef{Source: "hf://org/chat", Split: "validation"}, []string{
			"dataset_store (hf): open: hf://org/chat: no files for split \"validation\"; splits found: test, train",
			"files of a format this store cannot read: data/validation-00000-of-1.csv.gz"}},
		{ports.DatasetRef{Source: "hf://org/missing"}, []string{"hf://org/missing: listing the repository", "datasets/org/missing@main", "no such repository"}},
		{ports.DatasetRef{Source: "hf://org/chat@v2"}, []string{"hf://org/chat@v2: listing the repository", "404", "no such revision"}},
		{ports.DatasetRef{Source: "hf://org/chat#nope"}, []string{`hf://org/chat has no folder "nope" to use as the subset; its top-level folders: data`}},
		{ports.DatasetRef{Source: "hf://chat"}, []string{"must be ORG/NAME"}},
	}
	for _, tc := range tests {
		_, err := read(t, s, tc.ref)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: err = %v, want containing %q", tc.ref, err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the token: %v", err)
		}
	}

	// A network failure names the repository, never the token.
	hub.Close()
	_, err := read(t, s, ports.DatasetRef{Source: "hf://org/chat"})
	if err == nil || !strings.Contains(err.Error(), "hf://org/chat: listing the repository") || strings.Contains(err.Error(), secret) {
		t.Fatalf("network error: %v", err)
	}
}

func TestNetworkErrorWhileDownloading(t *testing.T) {
	s, hub := newStore(t)
	seq, err := s.Open(context.Background(), ports.DatasetRef{Source: "hf://org/chat"})
	if err != nil {
		t.Fatal(err)
	}
	hub.Close() // listed, then the hub goes away
	var last error
	n := 0
	for _, err := range seq {
		n++
		last = err
	}
	if n != 1 || last == nil || !strings.Contains(last.Error(), "hf://org/chat: hub_client (hf): download: datasets/org/chat/data/train-00000-of-00002.jsonl@main") ||
		strings.Contains(last.Error(), secret) {
		t.Fatalf("%d items, last error %v", n, last)
	}
}

// The message a user gets for a bad hub row through stdlib/data is
// tested there (TestBadHubRowThroughLoad).

func TestLocalSources(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "local.jsonl"), []byte(`{"question":"l1","answer":"x"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Store{} // no hub: local sources must not need one
	for _, src := range []string{"local.jsonl", "file://local.jsonl", "file://" + filepath.Join(dir, "local.jsonl")} {
		got, err := read(t, s, ports.DatasetRef{Source: src, BaseDir: dir})
		if err != nil || len(got) != 1 || !strings.HasSuffix(got[0], "local.jsonl:1 l1") {
			t.Errorf("%s: %v %v", src, got, err)
		}
	}
	root := &Store{Local: files.Store{Root: dir}}
	if got, err := read(t, root, ports.DatasetRef{Source: "local.jsonl", BaseDir: "/nonexistent"}); err != nil || len(got) != 1 {
		t.Errorf("root: %v %v", got, err)
	}
	if _, err := read(t, s, ports.DatasetRef{Source: "hf://org/x"}); err == nil || !strings.Contains(err.Error(), "no hub client") {
		t.Errorf("hf:// without a hub: %v", err)
	}
}

func TestRegisteredAdapterUsesTheHubPort(t *testing.T) {
	a, ok := registry.Lookup(schema.PortDatasetStore, AdapterName)
	if !ok {
		t.Fatal("dataset_store hf is not registered")
	}
	for _, f := range a.Schema.Config {
		if f.Doc == "" {
			t.Errorf("config field %s has no doc", f.Name)
		}
	}
	var asked []string
	env := registry.Env{Port: func(_ context.Context, port string) (any, error) {
		asked = append(asked, port)
		return &fake.HubClient{Dir: t.TempDir()}, nil
	}}
	v, err := registry.New(context.Background(), schema.PortDatasetStore, AdapterName, registry.Config{}, env)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(*Store)
	// The fake hub's repositories hold data.jsonl, which names no split:
	// it is the train split.
	got, err := read(t, s, ports.DatasetRef{Source: "hf://org/any"})
	if err != nil || len(got) != 8 || !strings.HasPrefix(got[0], "hf://org/any/data.jsonl:1 What is 0 + 1?") {
		t.Fatalf("%v %v", got, err)
	}
	if !slices.Equal(asked, []string{schema.PortHubClient}) {
		t.Fatalf("ports asked: %v", asked)
	}

	noPort, err := registry.New(context.Background(), schema.PortDatasetStore, AdapterName, registry.Config{}, registry.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := read(t, noPort.(*Store), ports.DatasetRef{Source: "hf://org/any"}); err == nil || !strings.Contains(err.Error(), "no hub_client port") {
		t.Fatalf("no port: %v", err)
	}
}
