// Package hf is the `hf` hub_client adapter: it downloads files of Hugging
// Face hub repositories (tokenizer.json, configs, dataset shards) into the
// standard Hugging Face hub cache (../shared/reference/formats.md §1), the
// one huggingface_hub and transformers use, so a file transformers has
// already downloaded on this machine is not downloaded again, and what we
// download transformers reads. Model repositories are named "owner/name";
// dataset repositories "datasets/owner/name" (the hub's own URL prefix for
// them). The endpoint can point at a mirror (config `endpoint` or
// HF_ENDPOINT); a token for gated or private repos comes from config
// `token` (an env() reference) or HF_TOKEN, and is only ever sent as an
// Authorization header to the endpoint's host, never logged or put in
// errors. Offline mode (HF_HUB_OFFLINE=1) never touches the network.
package hf

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// AdapterName is the registered name.
const AdapterName = "hf"

// DefaultEndpoint is the public hub.
const DefaultEndpoint = "https://huggingface.co"

func init() {
	registry.Register(registry.Adapter{
		Schema: schema.AdapterSchema{
			Port:    schema.PortHubClient,
			Name:    AdapterName,
			Summary: "Downloads files from the Hugging Face hub (or a mirror) into the Hugging Face cache that transformers shares.",
			Config: []schema.Field{
				{Name: "endpoint", Type: schema.String, Doc: "Hub root URL; defaults to HF_ENDPOINT, then https://huggingface.co."},
				{Name: "token", Type: schema.String, Sensitive: true, Doc: "Access token for gated or private repositories; defaults to HF_TOKEN."},
				{Name: "cache_dir", Type: schema.String, Doc: "The Hugging Face hub cache; defaults to HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."},
				{Name: "offline", Type: schema.Bool, Doc: "Never contact the hub: only cached files are used; defaults to HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE)."},
			},
		},
		New: func(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
			getenv := env.Getenv
			if getenv == nil {
				getenv = os.Getenv
			}
			dir := cfg.String("cache_dir")
			if dir == "" {
				d, err := CacheDir(getenv)
				if err != nil {
					return nil, ports.Wrap(schema.PortHubClient, AdapterName, "config", fmt.Errorf("no cache directory: %w", err))
				}
				dir = d
			}
			return New(Options{
				Endpoint:        firstNonEmpty(cfg.String("endpoint"), getenv("HF_ENDPOINT")),
				Token:           firstNonEmpty(cfg.String("token"), getenv("HF_TOKEN")),
				CacheDir:        dir,
				Offline:         cfg.Bool("offline") || Offline(getenv),
				DisableSymlinks: IsTrue(getenv("HF_HUB_DISABLE_SYMLINKS")),
			})
		},
	})
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// Options configures a Client.
type Options struct {
	Endpoint string // DefaultEndpoint when empty
	Token    string // optional bearer token
	// CacheDir is the Hugging Face hub cache (CacheDir(os.Getenv) when
	// empty).
	CacheDir string
	// Offline never contacts the hub: Download serves cached files only
	// and ListFiles reads cached listings.
	Offline bool
	// DisableSymlinks copies files into snapshots/ instead of linking
	// them to blobs/ (HF_HUB_DISABLE_SYMLINKS); it is also what happens
	// when the cache's filesystem refuses symlinks.
	DisableSymlinks bool
	// HTTP is the client to use (http.DefaultClient with a timeout when
	// nil); tests pass an httptest server's client.
	HTTP *http.Client
	// Retries is how many times a 429/5xx answer or a network error is
	// retried (3 when 0; negative disables retries).
	Retries int
}

// Client implements ports.HubClient.
type Client struct {
	endpoint *url.URL
	token    string
	cacheDir string
	offline  bool
	http     *http.Client
	retries  int
	backoff  time.Duration

	symlinksOnce sync.Once
	copyFiles    bool // snapshots hold copies, not symlinks
}

var _ ports.HubClient = (*Client)(nil)

// New returns a hub client.
func New(o Options) (*Client, error) {
	ep := o.Endpoint
	if ep == "" {
		ep = DefaultEndpoint
	}
	u, err := url.Parse(strings.TrimRight(ep, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ports.Wrap(schema.PortHubClient, AdapterName, "config", fmt.Errorf("endpoint %q is not an http(s) URL", ep))
	}
	dir := o.CacheDir
	if dir == "" {
		if dir, err = CacheDir(os.Getenv); err != nil {
			return nil, ports.Wrap(schema.PortHubClient, AdapterName, "config", fmt.Errorf("no cache directory: %w", err))
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, ports.Wrap(schema.PortHubClient, AdapterName, "config", err)
	}
	c := &Client{endpoint: u, token: o.Token, cacheDir: dir, offline: o.Offline, http: o.HTTP,
		retries: o.Retries, backoff: 500 * time.Millisecond, copyFiles: o.DisableSymlinks}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Minute}
	}
	if c.retries == 0 {
		c.retries = 3
	}
	return c, nil
}

// CachePath returns the hub cache the client reads and writes.
func (c *Client) CachePath() string { return c.cacheDir }

// DatasetPrefix marks a dataset repository: "datasets/owner/name"
// (ports.DatasetRepoPrefix). The hub serves datasets under this URL
// prefix, and no user or organisation can be called "datasets" (the name
// is the hub's own route), so the prefixed id cannot collide with a model
// repository, in URLs or in the cache.
const DatasetPrefix = ports.DatasetRepoPrefix

// checkRepo rejects ids that could escape the cache directory or the URL
// path: "owner/name" (or "name"), or "datasets/owner/name", made of safe
// characters.
func checkRepo(repo string) error {
	parts := strings.Split(strings.TrimPrefix(repo, DatasetPrefix), "/")
	if repo == "" || len(parts) > 2 {
		return fmt.Errorf("repository %q: want owner/name or datasets/owner/name", repo)
	}
	for _, p := range parts {
		// "--" separates the parts of a cache folder name
		// (models--ORG--NAME); the hub forbids it in names.
		if !safeSegment(p) || strings.Contains(p, "--") {
			return fmt.Errorf("repository %q: invalid name", repo)
		}
	}
	return nil
}

func safeSegment(p string) bool {
	if p == "" || p == "." || p == ".." {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}

func checkPath(what, p string) error {
	if p == "" || strings.HasPrefix(p, "/") {
		return fmt.Errorf("%s %q: want a relative path", what, p)
	}
	for _, seg := range strings.Split(p, "/") {
		if !safeSegment(seg) {
			return fmt.Errorf("%s %q: invalid path segment %q", what, p, seg)
		}
	}
	return nil
}

// escapedPath joins path segments for a URL: each segment is escaped on
// its own, so a revision such as "refs/convert/parquet" travels as the
// single segment "refs%2Fconvert%2Fparquet" the hub expects. Names are
// already checked to be safe; the escaping is for the slashes.
func escapedPath(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// fileURL is {endpoint}/{repo}/resolve/{revision}/{file}, with the
// revision escaped as one segment and the repo and file paths kept as
// slash-separated segments.
func (c *Client) fileURL(repo, revision, filename string) string {
	segs := strings.Split(repo, "/")
	segs = append(segs, "resolve", revision)
	segs = append(segs, strings.Split(filename, "/")...)
	return c.endpoint.String() + escapedPath(segs...)
}

// Download implements ports.HubClient. It looks in the hub cache first
// (refs/<revision> -> snapshots/<commit>/<file>, or the revision itself
// when it is a commit), so a cached file costs no request, not even the
// HEAD huggingface_hub sends for branch revisions. Otherwise, unless
// offline, it asks the hub for the file's commit and etag (HEAD), links
// the file from an existing blob or downloads the blob (to
// blobs/<etag>.<random>.incomplete, checked against the size and the etag's
// hash, renamed), and links snapshots/<commit>/<file> to it, as
// huggingface_hub does. A file the repository does not have is an error
// matching fs.ErrNotExist, remembered in .no_exist/ as transformers does.
func (c *Client) Download(ctx context.Context, repo, filename, revision string) (string, error) {
	if revision == "" {
		revision = "main"
	}
	wrap := func(err error) error {
		return ports.Wrap(schema.PortHubClient, AdapterName, "download", fmt.Errorf("%s/%s@%s: %w", repo, filename, revision, err))
	}
	if err := checkRepo(repo); err != nil {
		return "", wrap(err)
	}
	if err := checkPath("file", filename); err != nil {
		return "", wrap(err)
	}
	if err := checkPath("revision", revision); err != nil {
		return "", wrap(err)
	}
	rc := newRepoCache(c.cacheDir, repo)
	if commit, ok := rc.commitFor(revision); ok {
		switch state, p := rc.lookup(commit, filename); state {
		case cached:
			return p, nil
		case knownMissing:
			return "", wrap(fmt.Errorf("the repository has no such file at commit %s (cached answer in %s): %w", commit, rc.noExistPath(commit, filename), fs.ErrNotExist))
		}
	}
	if c.offline {
		return "", wrap(c.offlineError(repo, filename, revision))
	}
	meta, err := c.head(ctx, c.fileURL(repo, revision, filename))
	if err != nil {
		var missing *entryMissing
		if errors.As(err, &missing) {
			// Remember the answer, as huggingface_hub does, so that
			// an optional file is not asked for again.
			_ = rc.writeRef(revision, missing.commit)
			_ = rc.markMissing(missing.commit, filename)
		}
		return "", wrap(err)
	}
	if err := rc.writeRef(revision, meta.commit); err != nil {
		return "", wrap(fmt.Errorf("recording the commit of %s: %w", revision, err))
	}
	if state, p := rc.lookup(meta.commit, filename); state == cached {
		return p, nil
	}
	ensureTag(c.cacheDir)
	p, err := c.store(ctx, rc, meta, filename)
	if err != nil {
		return "", wrap(err)
	}
	return p, nil
}

// store puts the file described by meta into the cache under the blob
// lock: the blob is downloaded unless another process already has it,
// then snapshots/<commit>/<file> is linked to it.
func (c *Client) store(ctx context.Context, rc repoCache, meta fileMeta, filename string) (string, error) {
	unlock, err := lockFile(ctx, rc.lockPath(meta.etag))
	if err != nil {
		return "", err
	}
	defer unlock()
	copyFiles := c.snapshotsHoldCopies(rc.dir)
	blob := rc.blobPath(meta.etag)
	if st, err := os.Stat(blob); err == nil && st.Mode().IsRegular() {
		return rc.link(meta.commit, filename, meta.etag, copyFiles)
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return "", err
	}
	tmp := blob + "." + randHex(4) + ".incomplete"
	if err := c.downloadBlob(ctx, meta, tmp); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if copyFiles {
		// Without symlinks a fresh blob moves into the snapshot, as
		// huggingface_hub does; blobs/ does not keep a second copy.
		dst := rc.snapshotPath(meta.commit, filename)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			os.Remove(tmp)
			return "", err
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return "", err
		}
		return dst, nil
	}
	if err := os.Rename(tmp, blob); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return rc.link(meta.commit, filename, meta.etag, false)
}

// snapshotsHoldCopies reports whether snapshot entries are copies:
// symlinks disabled, or refused by the cache's filesystem (probed once).
func (c *Client) snapshotsHoldCopies(dir string) bool {
	c.symlinksOnce.Do(func() {
		if !c.copyFiles {
			c.copyFiles = !symlinksWork(dir)
		}
	})
	return c.copyFiles
}

// offlineError says what is missing and how to get it.
func (c *Client) offlineError(repo, filename, revision string) error {
	cmd := "hf download " + repo + " " + filename
	if name, ok := strings.CutPrefix(repo, DatasetPrefix); ok {
		cmd = "hf download --repo-type dataset " + name + " " + filename
	}
	if revision != "main" {
		cmd += " --revision " + revision
	}
	return fmt.Errorf("offline (HF_HUB_OFFLINE is set) and %s (revision %s) of %s is not in the Hugging Face cache %s; "+
		"fetch it while online (for example: %s), or unset HF_HUB_OFFLINE: %w",
		filename, revision, repo, c.cacheDir, cmd, errOffline)
}

// errOffline marks a request refused because the client is offline.
var errOffline = errors.New("offline mode")
