package hf

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/hf/hubtest"
)

// treeHub is an in-process stand-in for the hub's dataset tree listing
// (for tests only) whose next links a test can replace, to check how
// the client treats a hostile or looping listing:
// /api/datasets/{repo}/tree/{rev}?recursive=true answered in pages of
// pageSize entries linked by Link rel="next" headers. Paths are matched
// in their escaped form. hubtest serves everything else.
type treeHub struct {
	srv      *httptest.Server
	repo     string // "org/name"
	rev      string // escaped, e.g. "refs%2Fconvert%2Fparquet"
	files    map[string]string
	pageSize int
	// nextLink, when set, replaces the next link of every page.
	nextLink string

	mu   sync.Mutex
	hits []string // escaped request paths with queries
}

func (h *treeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits = append(h.hits, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
	h.mu.Unlock()
	path := r.URL.EscapedPath()
	treePath := "/api/datasets/" + h.repo + "/tree/" + h.rev
	if path == treePath {
		if r.URL.Query().Get("recursive") != "true" {
			http.Error(w, "want recursive", http.StatusBadRequest)
			return
		}
		var names []string
		for name := range h.files {
			names = append(names, name)
		}
		// The hub lists directories too; the client must skip them.
		names = append(names, "dir:data")
		slices.Sort(names)
		start := 0
		fmt.Sscan(r.URL.Query().Get("cursor"), &start)
		end := min(start+h.pageSize, len(names))
		if end < len(names) {
			link := fmt.Sprintf("<%s%s?recursive=true&cursor=%d>; rel=\"next\"", h.srv.URL, treePath, end)
			if h.nextLink != "" {
				link = h.nextLink
			}
			w.Header().Set("Link", link)
		}
		var b strings.Builder
		b.WriteString("[")
		for i, n := range names[start:end] {
			if i > 0 {
				b.WriteString(",")
			}
			if d, ok := strings.CutPrefix(n, "dir:"); ok {
				fmt.Fprintf(&b, `{"type":"directory","path":%q,"oid":"x","size":0}`, d)
			} else {
				fmt.Fprintf(&b, `{"type":"file","path":%q,"oid":"x","size":%d}`, n, len(h.files[n]))
			}
		}
		b.WriteString("]")
		w.Write([]byte(b.String()))
		return
	}
	http.NotFound(w, r)
}

func newTreeHub(t *testing.T, rev string, pageSize int, files map[string]string) (*Client, *treeHub) {
	t.Helper()
	h := &treeHub{repo: "org/data", rev: rev, files: files, pageSize: pageSize}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	c, err := New(Options{Endpoint: h.srv.URL, CacheDir: t.TempDir(), HTTP: h.srv.Client(), Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	c.backoff = time.Millisecond
	return c, h
}

func TestListDatasetFilesFollowsPages(t *testing.T) {
	files := map[string]string{}
	for i := range 7 {
		files[fmt.Sprintf("data/train-%05d-of-00007.parquet", i)] = "x"
	}
	files["README.md"] = "# card"
	c, h := newTreeHub(t, "main", 3, files)
	got, err := c.ListFiles(context.Background(), "datasets/org/data", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(files) {
		t.Fatalf("listed %d files, want %d: %v", len(got), len(files), got)
	}
	for _, f := range got {
		if _, ok := files[f]; !ok {
			t.Errorf("listed %q, which is not a file of the repo", f)
		}
	}
	// 9 entries (8 files + 1 directory) in pages of 3.
	if len(h.hits) != 3 {
		t.Errorf("%d requests, want 3 pages: %v", len(h.hits), h.hits)
	}
}

func TestDatasetRevisionIsOneEscapedSegment(t *testing.T) {
	hub := hubtest.Start(hubtest.Options{})
	t.Cleanup(hub.Close)
	hub.Add("datasets/org/data", "refs/convert/parquet", map[string][]byte{"default/train/0000.parquet": []byte("pq")})
	dir := t.TempDir()
	c := newClient(t, hub, dir, Options{})
	ctx := context.Background()
	got, err := c.ListFiles(ctx, "datasets/org/data", "refs/convert/parquet")
	if err != nil || len(got) != 1 || got[0] != "default/train/0000.parquet" {
		t.Fatalf("list: %v %v (requests %v)", got, err, hub.Requests())
	}
	p, err := c.Download(ctx, "datasets/org/data", "default/train/0000.parquet", "refs/convert/parquet")
	if err != nil {
		t.Fatalf("download: %v (requests %v)", err, hub.Requests())
	}
	if data, _ := os.ReadFile(p); string(data) != "pq" {
		t.Fatalf("content %q", data)
	}
	// The ref is stored nested (refs/refs/convert/parquet), as
	// huggingface_hub stores refs/pr/1.
	commit := readRef(t, dir, "datasets/org/data", "refs/convert/parquet")
	want := filepath.Join(dir, "datasets--org--data", "snapshots", commit, "default", "train", "0000.parquet")
	if p != want {
		t.Errorf("cached at %s, want %s", p, want)
	}
	if _, ok := tryToLoadFromCache(dir, "datasets/org/data", "default/train/0000.parquet", "refs/convert/parquet"); !ok {
		t.Error("a huggingface_hub reader does not find the file")
	}
	checkLayout(t, dir)
	reqs := hub.Requests()
	if last := reqs[len(reqs)-1]; !strings.HasPrefix(last.Path, "/datasets/org/data/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet") {
		t.Errorf("download requested %s", last.Path)
	}
}

func TestDatasetListingErrors(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{"a.jsonl": "{}", "b.jsonl": "{}", "c.jsonl": "{}"}

	c, _ := newTreeHub(t, "main", 1, files)
	if _, err := c.ListFiles(ctx, "datasets/org/missing", "main"); err == nil || !strings.Contains(err.Error(), "404") ||
		!strings.Contains(err.Error(), "datasets/org/missing@main") {
		t.Errorf("unknown repo: %v", err)
	}
	if _, err := c.ListFiles(ctx, "datasets/org/data/extra", "main"); err == nil || !strings.Contains(err.Error(), "datasets/owner/name") {
		t.Errorf("bad id: %v", err)
	}

	foreign, h := newTreeHub(t, "main", 1, files)
	h.nextLink = `<https://elsewhere.example/api/datasets/org/data/tree/main?cursor=1>; rel="next"`
	if _, err := foreign.ListFiles(ctx, "datasets/org/data", "main"); err == nil || !strings.Contains(err.Error(), "refusing a next page outside") {
		t.Errorf("foreign next link: %v", err)
	}

	loop, h2 := newTreeHub(t, "main", 1, files)
	h2.nextLink = fmt.Sprintf(`<%s/api/datasets/org/data/tree/main?recursive=true>; rel="next"`, h2.srv.URL)
	if _, err := loop.ListFiles(ctx, "datasets/org/data", "main"); err == nil || !strings.Contains(err.Error(), "links back") {
		t.Errorf("looping next link: %v", err)
	}
}

func TestNextLinkParsing(t *testing.T) {
	c, err := New(Options{Endpoint: "https://hub.example", CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ header, want, err string }{
		{"", "", ""},
		{`<https://hub.example/api/x?cursor=abc>; rel="next"`, "https://hub.example/api/x?cursor=abc", ""},
		{`<https://hub.example/p1>; rel="prev", <https://hub.example/p3>; rel=next`, "https://hub.example/p3", ""},
		{`</api/x?cursor=2>; rel="next"`, "https://hub.example/api/x?cursor=2", ""},
		{`<http://hub.example/api/x>; rel="next"`, "", "refusing"},
		{`garbage`, "", ""},
	}
	for _, tc := range cases {
		got, err := c.nextLink(tc.header)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.header, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q %v, want %q", tc.header, got, err, tc.want)
		}
	}
}
