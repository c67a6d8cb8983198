package hf

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/catalog"
)

const secret = "hf_SECRETtoken123"

// fakeHub is an in-process stand-in for the hub's resolve and model-info
// endpoints (for tests only).
type fakeHub struct {
	files    map[string]string // "repo/resolve/rev/file" -> body
	gated    map[string]bool   // repo -> needs the token
	failures atomic.Int32      // answer 503 this many times first
	requests atomic.Int32
}

func (f *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if f.failures.Load() > 0 {
		f.failures.Add(-1)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	for repo := range f.gated {
		if strings.HasPrefix(path, repo+"/") && r.Header.Get("Authorization") != "Bearer "+secret {
			http.Error(w, "gated", http.StatusUnauthorized)
			return
		}
	}
	if strings.HasPrefix(path, "api/models/") {
		w.Write([]byte(`{"siblings": [{"rfilename": "config.json"}, {"rfilename": "tokenizer.json"}]}`))
		return
	}
	body, ok := f.files[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte(body))
}

func newTest(t *testing.T, token string) (*Client, *fakeHub) {
	t.Helper()
	hub := &fakeHub{files: map[string]string{
		"org/model/resolve/main/tokenizer.json":      `{"model": {}}`,
		"org/model/resolve/abc123/sub/config.json":   `{"x": 1}`,
		"meta/gated/resolve/main/tokenizer.json":     `{"gated": true}`,
		"org/model/resolve/main/dir/nested/file.txt": "nested",
	}, gated: map[string]bool{"meta/gated": true}}
	srv := httptest.NewServer(hub)
	t.Cleanup(srv.Close)
	c, err := New(Options{Endpoint: srv.URL, Token: token, CacheDir: t.TempDir(), HTTP: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	c.backoff = time.Millisecond
	return c, hub
}

func TestDownloadAndCache(t *testing.T) {
	c, hub := newTest(t, "")
	ctx := context.Background()
	p, err := c.Download(ctx, "org/model", "tokenizer.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); string(data) != `{"model": {}}` {
		t.Fatalf("content %q", data)
	}
	if !strings.HasPrefix(p, c.cacheDir) || !strings.HasSuffix(p, filepath.Join("org", "model", "main", "tokenizer.json")) {
		t.Errorf("path %s", p)
	}
	before := hub.requests.Load()
	if p2, err := c.Download(ctx, "org/model", "tokenizer.json", "main"); err != nil || p2 != p {
		t.Fatalf("second download %s %v", p2, err)
	}
	if hub.requests.Load() != before {
		t.Error("cached file fetched again")
	}
	if _, err := c.Download(ctx, "org/model", "sub/config.json", "abc123"); err != nil {
		t.Fatal(err)
	}
	// No temporary files are left beside the cached ones.
	filepath.Walk(c.cacheDir, func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.Contains(info.Name(), ".part-") {
			t.Errorf("leftover %s", path)
		}
		return nil
	})
}

func TestDownloadErrors(t *testing.T) {
	c, _ := newTest(t, "")
	ctx := context.Background()
	cases := []struct{ repo, file, rev, want string }{
		{"org/model", "missing.json", "main", "404"},
		{"meta/gated", "tokenizer.json", "main", "set HF_TOKEN"},
		{"../etc", "passwd", "main", "invalid"},
		{"org/model", "../../secret", "main", "invalid path segment"},
		{"org/model", "/abs", "main", "relative path"},
		{"a/b/c", "x", "main", "owner/name"},
		{"org/model", "x", "../main", "invalid"},
	}
	for _, tc := range cases {
		_, err := c.Download(ctx, tc.repo, tc.file, tc.rev)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s@%s: err = %v, want %q", tc.repo, tc.file, tc.rev, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), "hub_client (hf)") {
			t.Errorf("error does not name the port and adapter: %v", err)
		}
	}
}

func TestTokenSentButNeverShown(t *testing.T) {
	c, _ := newTest(t, secret)
	p, err := c.Download(context.Background(), "meta/gated", "tokenizer.json", "main")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); !strings.Contains(string(data), "gated") {
		t.Fatalf("content %q", data)
	}
	_, err = c.Download(context.Background(), "org/model", "nope", "main")
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err %v", err)
	}
	bad, _ := newTest(t, "wrong-token")
	_, err = bad.Download(context.Background(), "meta/gated", "tokenizer.json", "main")
	if err == nil || strings.Contains(err.Error(), "wrong-token") || !strings.Contains(err.Error(), "token was refused") {
		t.Fatalf("err %v", err)
	}
}

func TestRetriesServerErrors(t *testing.T) {
	c, hub := newTest(t, "")
	hub.failures.Store(2)
	if _, err := c.Download(context.Background(), "org/model", "tokenizer.json", "main"); err != nil {
		t.Fatalf("not retried: %v", err)
	}
	c2, hub2 := newTest(t, "")
	hub2.failures.Store(100)
	_, err := c2.Download(context.Background(), "org/model", "tokenizer.json", "main")
	if err == nil || !strings.Contains(err.Error(), "giving up after 4 attempts") {
		t.Fatalf("err %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c2.Download(ctx, "org/model", "dir/nested/file.txt", "main"); err == nil {
		t.Fatal("cancelled context ignored")
	}
}

func TestListFiles(t *testing.T) {
	c, _ := newTest(t, "")
	files, err := c.ListFiles(context.Background(), "org/model", "")
	if err != nil || len(files) != 2 || files[1] != "tokenizer.json" {
		t.Fatalf("%v %v", files, err)
	}
}

func TestRegisteredWithEnv(t *testing.T) {
	a, ok := registry.Lookup(catalog.PortHubClient, AdapterName)
	if !ok {
		t.Fatal("hf not registered")
	}
	f, _ := a.Schema.Field("token")
	if f == nil || !f.Sensitive {
		t.Fatal("token field must be sensitive")
	}
	dir := t.TempDir()
	env := registry.Env{Getenv: func(k string) string {
		return map[string]string{"HF_ENDPOINT": "https://mirror.example/", "HF_TOKEN": secret}[k]
	}}
	inst, err := a.New(context.Background(), registry.Config{"cache_dir": dir}, env)
	if err != nil {
		t.Fatal(err)
	}
	c := inst.(*Client)
	if c.endpoint.String() != "https://mirror.example" || c.token != secret || c.cacheDir != dir {
		t.Errorf("endpoint %s cache %s", c.endpoint, c.cacheDir)
	}
	if _, err := New(Options{Endpoint: "ftp://x"}); err == nil {
		t.Error("bad endpoint accepted")
	}
}
