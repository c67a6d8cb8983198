package hf

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/adapters/hf/hubtest"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

const secret = "hf_SECRETtoken123"

// bigFile is served as an LFS file (lfsThreshold).
var bigFile = []byte(strings.Repeat("safetensors bytes ", 64))

const lfsThreshold = 512

// startHub serves org/model (main and a tag), a gated repository and a
// repository without an organisation.
func startHub(t *testing.T) *hubtest.Hub {
	t.Helper()
	hub := hubtest.Start(hubtest.Options{Token: secret, LFSThreshold: lfsThreshold})
	t.Cleanup(hub.Close)
	hub.Add("org/model", "main", map[string][]byte{
		"tokenizer.json":      []byte(`{"model": {}}`),
		"dir/nested/file.txt": []byte("nested"),
		"model.safetensors":   bigFile,
	})
	hub.Add("org/model", "v1", map[string][]byte{"sub/config.json": []byte(`{"x": 1}`)})
	hub.Add("meta/gated", "main", map[string][]byte{"tokenizer.json": []byte(`{"gated": true}`), "weights.bin": bigFile})
	hub.Gate("meta/gated")
	hub.Add("gpt2", "main", map[string][]byte{"config.json": []byte(`{}`)})
	return hub
}

func newClient(t *testing.T, hub *hubtest.Hub, dir string, o Options) *Client {
	t.Helper()
	o.Endpoint, o.HTTP, o.CacheDir = hub.URL, hub.Client(), dir
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	c.backoff = time.Millisecond
	return c
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDownloadFillsTheHuggingFaceCache(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	c := newClient(t, hub, dir, Options{})
	ctx := context.Background()
	for _, f := range []struct{ repo, file, rev, want string }{
		{"org/model", "tokenizer.json", "", `{"model": {}}`},
		{"org/model", "dir/nested/file.txt", "main", "nested"},
		{"org/model", "model.safetensors", "main", string(bigFile)},
		{"org/model", "sub/config.json", "v1", `{"x": 1}`},
		{"gpt2", "config.json", "main", `{}`},
	} {
		p, err := c.Download(ctx, f.repo, f.file, f.rev)
		if err != nil {
			t.Fatalf("%s %s: %v", f.repo, f.file, err)
		}
		if got := readFile(t, p); got != f.want {
			t.Errorf("%s %s: content %q", f.repo, f.file, got)
		}
		if !strings.HasPrefix(p, filepath.Join(dir, repoFolderName(f.repo), "snapshots")+string(filepath.Separator)) {
			t.Errorf("%s %s: path %s is not a snapshot path", f.repo, f.file, p)
		}
	}
	checkLayout(t, dir)
	// What transformers does first (formats.md §1.8) finds every file.
	for _, f := range []struct{ repo, file, rev string }{
		{"org/model", "tokenizer.json", "main"}, {"org/model", "model.safetensors", "main"},
		{"org/model", "sub/config.json", "v1"}, {"gpt2", "config.json", "main"},
	} {
		if p, ok := tryToLoadFromCache(dir, f.repo, f.file, f.rev); !ok {
			t.Errorf("a huggingface_hub reader does not find %s %s@%s", f.repo, f.file, f.rev)
		} else if commit := extractCommitHash(p); commit == "" {
			t.Errorf("transformers finds no commit in %s", p)
		}
	}
	// The LFS file's bytes came from the CDN, without the token.
	for _, r := range hub.Requests() {
		if r.Host == "cdn" && r.Authorized {
			t.Errorf("the token was sent to the CDN: %+v", r)
		}
	}
}

func TestCachedFilesCostNoRequest(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	ctx := context.Background()
	first := newClient(t, hub, dir, Options{})
	want := map[string]string{}
	for _, f := range []string{"tokenizer.json", "model.safetensors", "dir/nested/file.txt"} {
		p, err := first.Download(ctx, "org/model", f, "main")
		if err != nil {
			t.Fatal(err)
		}
		want[f] = p
	}
	before := hub.Count()
	// The same client, a new one (another process), and an offline one.
	for name, c := range map[string]*Client{
		"same": first, "new": newClient(t, hub, dir, Options{}), "offline": newClient(t, hub, dir, Options{Offline: true}),
	} {
		for f, p := range want {
			got, err := c.Download(ctx, "org/model", f, "main")
			if err != nil || got != p {
				t.Errorf("%s client: %s: %s %v, want %s", name, f, got, err, p)
			}
		}
	}
	if n := hub.Count() - before; n != 0 {
		t.Errorf("%d requests for cached files: %v", n, hub.Requests()[before:])
	}
}

// TestReadsACacheWrittenByHuggingFaceHub builds, by hand, the cache
// huggingface_hub writes (formats.md §1.3) for a repository the hub does
// not even serve: the client must use it without asking.
func TestReadsACacheWrittenByHuggingFaceHub(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	const commit = "0123456789abcdef0123456789abcdef01234567"
	content := []byte(`{"from": "transformers"}`)
	etag := hubtest.BlobID(content)
	repoDir := filepath.Join(dir, "models--Qwen--Qwen3-8B")
	mustWrite(t, filepath.Join(repoDir, "refs", "main"), commit)
	mustWrite(t, filepath.Join(repoDir, "blobs", etag), string(content))
	link := filepath.Join(repoDir, "snapshots", commit, "tokenizer.json")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "..", "blobs", etag), link); err != nil {
		t.Fatal(err)
	}
	// A real file in snapshots/ (the no-symlink layout) and a ref with
	// slashes, as snapshot_download writes for refs/pr/1.
	mustWrite(t, filepath.Join(repoDir, "snapshots", commit, "tokenizer_config.json"), `{}`)
	mustWrite(t, filepath.Join(repoDir, "refs", "refs", "pr", "1"), commit)
	mustWrite(t, filepath.Join(repoDir, ".no_exist", commit, "chat_template.jinja"), "")

	c := newClient(t, hub, dir, Options{})
	ctx := context.Background()
	for _, rev := range []string{"main", commit, "refs/pr/1"} {
		p, err := c.Download(ctx, "Qwen/Qwen3-8B", "tokenizer.json", rev)
		if err != nil || readFile(t, p) != string(content) {
			t.Fatalf("@%s: %s %v", rev, p, err)
		}
	}
	if _, err := c.Download(ctx, "Qwen/Qwen3-8B", "tokenizer_config.json", "main"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Download(ctx, "Qwen/Qwen3-8B", "chat_template.jinja", "main")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".no_exist entry: err = %v, want fs.ErrNotExist", err)
	}
	if n := hub.Count(); n != 0 {
		t.Errorf("%d requests: %v", n, hub.Requests())
	}
}

func TestOfflineNeverTouchesTheNetwork(t *testing.T) {
	hub := startHub(t)
	c := newClient(t, hub, t.TempDir(), Options{Offline: true})
	ctx := context.Background()
	_, err := c.Download(ctx, "org/model", "tokenizer.json", "main")
	for _, want := range []string{"org/model", "tokenizer.json", "revision main", "HF_HUB_OFFLINE", "hf download org/model tokenizer.json", c.cacheDir} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %q", err, want)
		}
	}
	_, err = c.Download(ctx, "datasets/org/data", "train.jsonl", "v2")
	if err == nil || !strings.Contains(err.Error(), "hf download --repo-type dataset org/data train.jsonl --revision v2") {
		t.Errorf("dataset: err = %v", err)
	}
	if _, err := c.ListFiles(ctx, "org/model", "main"); err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") {
		t.Errorf("listing: err = %v", err)
	}
	if n := hub.Count(); n != 0 {
		t.Errorf("offline client sent %d requests", n)
	}
}

func TestOfflineListingFromTreeFile(t *testing.T) {
	dir := t.TempDir()
	const commit = "89abcdef0123456789abcdef0123456789abcdef"
	repoDir := filepath.Join(dir, "datasets--org--data")
	mustWrite(t, filepath.Join(repoDir, "refs", "main"), commit)
	mustWrite(t, filepath.Join(repoDir, "trees", commit+".json"),
		`{"format_version": 1, "files": {"data/train-0.parquet": {"size": 3, "blob_id": "x"}, "README.md": {"size": 1, "blob_id": "y"}}}`)
	c, err := New(Options{CacheDir: dir, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	files, err := c.ListFiles(context.Background(), "datasets/org/data", "")
	if err != nil || strings.Join(files, ",") != "README.md,data/train-0.parquet" {
		t.Fatalf("%v %v", files, err)
	}
}

func TestMissingFileIsRemembered(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	c := newClient(t, hub, dir, Options{})
	ctx := context.Background()
	_, err := c.Download(ctx, "org/model", "tokenizer_config.json", "main")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	before := hub.Count()
	for _, cl := range []*Client{c, newClient(t, hub, dir, Options{Offline: true})} {
		if _, err := cl.Download(ctx, "org/model", "tokenizer_config.json", "main"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("again: err = %v, want fs.ErrNotExist", err)
		}
	}
	if n := hub.Count() - before; n != 0 {
		t.Errorf("%d requests for a file known to be missing", n)
	}
	checkLayout(t, dir)
}

func TestNewCommitReusesBlobs(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	c := newClient(t, hub, dir, Options{})
	ctx := context.Background()
	if _, err := c.Download(ctx, "org/model", "model.safetensors", "main"); err != nil {
		t.Fatal(err)
	}
	// A push to main: the cached ref keeps serving what was downloaded
	// (no request), and a file of the new commit is linked to the blob
	// already held when its content did not change.
	hub.Add("org/model", "main", map[string][]byte{"model.safetensors": bigFile, "extra.json": []byte("{}")})
	before := hub.Count()
	if _, err := c.Download(ctx, "org/model", "model.safetensors", "main"); err != nil || hub.Count() != before {
		t.Fatalf("cached file: %v, %d requests", err, hub.Count()-before)
	}
	if _, err := c.Download(ctx, "org/model", "extra.json", "main"); err != nil {
		t.Fatal(err)
	}
	p, err := c.Download(ctx, "org/model", "model.safetensors", "main")
	if err != nil || readFile(t, p) != string(bigFile) {
		t.Fatal(err)
	}
	for _, r := range hub.Requests()[before:] {
		if r.Host == "cdn" {
			t.Errorf("an unchanged blob was downloaded again: %+v", r)
		}
	}
	checkLayout(t, dir)
}

func TestCorruptTransferNeverEntersTheCache(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	c := newClient(t, hub, dir, Options{})
	ctx := context.Background()
	hub.CorruptNext(1)
	p, err := c.Download(ctx, "org/model", "tokenizer.json", "main")
	if err != nil || readFile(t, p) != `{"model": {}}` {
		t.Fatalf("one corrupt transfer is retried: %v", err)
	}
	hub.CorruptNext(100)
	_, err = c.Download(ctx, "org/model", "model.safetensors", "main")
	if err == nil || !strings.Contains(err.Error(), "does not match the hub's etag") {
		t.Fatalf("err = %v", err)
	}
	if state, _ := newRepoCache(dir, "org/model").lookup(readRef(t, dir, "org/model", "main"), "model.safetensors"); state != notCached {
		t.Error("a corrupt file was cached")
	}
	checkLayout(t, dir)
}

func TestConcurrentDownloadsShareOneBlob(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = newClient(t, hub, dir, Options{}).Download(ctx, "org/model", "model.safetensors", "main")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	blobs, _ := os.ReadDir(filepath.Join(dir, "models--org--model", "blobs"))
	if len(blobs) != 1 {
		t.Errorf("blobs: %v", blobs)
	}
	checkLayout(t, dir)
}

func TestWithoutSymlinksSnapshotsHoldFiles(t *testing.T) {
	hub := startHub(t)
	dir := t.TempDir()
	c := newClient(t, hub, dir, Options{DisableSymlinks: true})
	p, err := c.Download(context.Background(), "org/model", "tokenizer.json", "main")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("%s: %v %v", p, st.Mode(), err)
	}
	if _, ok := tryToLoadFromCache(dir, "org/model", "tokenizer.json", "main"); !ok {
		t.Error("a huggingface_hub reader does not find the file")
	}
	checkLayout(t, dir)
}

func TestDownloadErrors(t *testing.T) {
	hub := startHub(t)
	c := newClient(t, hub, t.TempDir(), Options{})
	ctx := context.Background()
	cases := []struct{ repo, file, rev, want string }{
		{"org/model", "missing.json", "main", "no such file"},
		{"org/model", "tokenizer.json", "nope", "no such revision"},
		{"org/unknown", "tokenizer.json", "main", "no such repository, or it is private: set HF_TOKEN"},
		{"meta/gated", "tokenizer.json", "main", "gated: accept its conditions on the hub and set HF_TOKEN"},
		{"../etc", "passwd", "main", "invalid"},
		{"org/model", "../../secret", "main", "invalid path segment"},
		{"org/model", "/abs", "main", "relative path"},
		{"a/b/c", "x", "main", "owner/name"},
		{"a--b/c", "x", "main", "invalid name"},
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

func TestTokenSentToTheHubOnlyAndNeverShown(t *testing.T) {
	hub := startHub(t)
	c := newClient(t, hub, t.TempDir(), Options{Token: secret})
	ctx := context.Background()
	for _, f := range []string{"tokenizer.json", "weights.bin"} {
		if _, err := c.Download(ctx, "meta/gated", f, "main"); err != nil {
			t.Fatal(err)
		}
	}
	sawCDN := false
	for _, r := range hub.Requests() {
		sawCDN = sawCDN || r.Host == "cdn"
		if (r.Host == "hub") != r.Authorized {
			t.Errorf("token sent=%v to %s %s", r.Authorized, r.Host, r.Path)
		}
	}
	if !sawCDN {
		t.Error("the LFS file did not come from the CDN")
	}
	_, err := c.Download(ctx, "org/model", "nope", "main")
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err %v", err)
	}
	bad := newClient(t, hub, t.TempDir(), Options{Token: "wrong-token"})
	_, err = bad.Download(ctx, "meta/gated", "tokenizer.json", "main")
	if err == nil || strings.Contains(err.Error(), "wrong-token") || !strings.Contains(err.Error(), "has not been granted access") {
		t.Fatalf("err %v", err)
	}
}

func TestRetriesServerErrors(t *testing.T) {
	hub := startHub(t)
	c := newClient(t, hub, t.TempDir(), Options{})
	hub.FailNext(2)
	if _, err := c.Download(context.Background(), "org/model", "tokenizer.json", "main"); err != nil {
		t.Fatalf("not retried: %v", err)
	}
	hub.FailNext(100)
	_, err := c.Download(context.Background(), "org/model", "dir/nested/file.txt", "main")
	if err == nil || !strings.Contains(err.Error(), "giving up after 4 attempts") {
		t.Fatalf("err %v", err)
	}
	hub.FailNext(0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Download(ctx, "org/model", "dir/nested/file.txt", "main"); err == nil {
		t.Fatal("cancelled context ignored")
	}
}

func TestListFiles(t *testing.T) {
	hub := startHub(t)
	c := newClient(t, hub, t.TempDir(), Options{})
	files, err := c.ListFiles(context.Background(), "org/model", "")
	if err != nil || strings.Join(files, ",") != "dir/nested/file.txt,model.safetensors,tokenizer.json" {
		t.Fatalf("%v %v", files, err)
	}
}

func TestCacheDirAndOfflineFromTheEnvironment(t *testing.T) {
	home := "/home/u"
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "/home/u/.cache/huggingface/hub"},
		{map[string]string{"XDG_CACHE_HOME": "/x"}, "/x/huggingface/hub"},
		{map[string]string{"HF_HOME": "~/hf", "XDG_CACHE_HOME": "/x"}, "/home/u/hf/hub"},
		{map[string]string{"HF_HOME": "$DATA/hf", "DATA": "/data"}, "/data/hf/hub"},
		{map[string]string{"HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/h"}, "/legacy"},
		{map[string]string{"HF_HUB_CACHE": "/hub", "HUGGINGFACE_HUB_CACHE": "/legacy"}, "/hub"},
	}
	for _, tc := range cases {
		tc.env["HOME"] = home
		got, err := CacheDir(func(k string) string { return tc.env[k] })
		if err != nil || got != tc.want {
			t.Errorf("%v: %s %v, want %s", tc.env, got, err, tc.want)
		}
	}
	offline := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"HF_HUB_OFFLINE": "1"}, true},
		{map[string]string{"HF_HUB_OFFLINE": "yes"}, true},
		{map[string]string{"HF_HUB_OFFLINE": "0"}, false},
		{map[string]string{"TRANSFORMERS_OFFLINE": "true"}, true},
		// huggingface_hub would be online here (formats.md §1.1); we
		// are not.
		{map[string]string{"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1"}, true},
	}
	for _, tc := range offline {
		if got := Offline(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: offline = %v", tc.env, got)
		}
	}
}

func TestRegisteredWithEnv(t *testing.T) {
	a, ok := registry.Lookup(schema.PortHubClient, AdapterName)
	if !ok {
		t.Fatal("hf not registered")
	}
	f, _ := a.Schema.Field("token")
	if f == nil || !f.Sensitive {
		t.Fatal("token field must be sensitive")
	}
	dir := t.TempDir()
	env := registry.Env{Getenv: func(k string) string {
		return map[string]string{"HF_ENDPOINT": "https://mirror.example/", "HF_TOKEN": secret, "HF_HOME": dir, "HF_HUB_OFFLINE": "1"}[k]
	}}
	inst, err := a.New(context.Background(), registry.Config{}, env)
	if err != nil {
		t.Fatal(err)
	}
	c := inst.(*Client)
	if c.endpoint.String() != "https://mirror.example" || c.token != secret || c.cacheDir != filepath.Join(dir, "hub") || !c.offline {
		t.Errorf("endpoint %s cache %s offline %v", c.endpoint, c.cacheDir, c.offline)
	}
	inst, err = a.New(context.Background(), registry.Config{"cache_dir": dir, "offline": true}, registry.Env{Getenv: func(string) string { return "" }})
	if err != nil || inst.(*Client).cacheDir != dir || !inst.(*Client).offline {
		t.Errorf("config: %v", err)
	}
	if _, err := New(Options{Endpoint: "ftp://x"}); err == nil {
		t.Error("bad endpoint accepted")
	}
}

func mustWrite(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRef(t *testing.T, dir, repo, rev string) string {
	t.Helper()
	return readFile(t, filepath.Join(dir, repoFolderName(repo), "refs", rev))
}
