// Package hf is the `hf` hub_client adapter: it downloads files of Hugging
// Face hub repositories (tokenizer.json, configs, dataset shards) into a
// local cache, so a file is fetched once per machine. Model repositories
// are named "owner/name"; dataset repositories "datasets/owner/name" (the
// hub's own URL prefix for them). The endpoint can point at a mirror
// (config `endpoint` or HF_ENDPOINT); a token for gated or private repos
// comes from config `token` (an env() reference) or HF_TOKEN, and is only
// ever sent as an Authorization header, never logged or put in errors.
package hf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/catalog"
)

// AdapterName is the registered name.
const AdapterName = "hf"

// DefaultEndpoint is the public hub.
const DefaultEndpoint = "https://huggingface.co"

func init() {
	registry.Register(registry.Adapter{
		Schema: catalog.AdapterSchema{
			Port:    catalog.PortHubClient,
			Name:    AdapterName,
			Summary: "Downloads files from the Hugging Face hub (or a mirror) into a local cache.",
			Config: []catalog.Field{
				{Name: "endpoint", Type: catalog.String, Doc: "Hub root URL; defaults to HF_ENDPOINT, then https://huggingface.co."},
				{Name: "token", Type: catalog.String, Sensitive: true, Doc: "Access token for gated or private repositories; defaults to HF_TOKEN."},
				{Name: "cache_dir", Type: catalog.String, Doc: "Where downloaded files are kept; defaults to ~/.cache/cookbookc/hub."},
			},
		},
		New: func(_ context.Context, cfg registry.Config, env registry.Env) (any, error) {
			getenv := env.Getenv
			if getenv == nil {
				getenv = os.Getenv
			}
			return New(Options{
				Endpoint: firstNonEmpty(cfg.String("endpoint"), getenv("HF_ENDPOINT")),
				Token:    firstNonEmpty(cfg.String("token"), getenv("HF_TOKEN")),
				CacheDir: cfg.String("cache_dir"),
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
	CacheDir string // ~/.cache/cookbookc/hub when empty
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
	http     *http.Client
	retries  int
	backoff  time.Duration
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
		return nil, ports.Wrap(catalog.PortHubClient, AdapterName, "config", fmt.Errorf("endpoint %q is not an http(s) URL", ep))
	}
	dir := o.CacheDir
	if dir == "" {
		home, err := os.UserCacheDir()
		if err != nil {
			return nil, ports.Wrap(catalog.PortHubClient, AdapterName, "config", fmt.Errorf("no cache directory: %w", err))
		}
		dir = filepath.Join(home, "cookbookc", "hub")
	}
	c := &Client{endpoint: u, token: o.Token, cacheDir: dir, http: o.HTTP, retries: o.Retries, backoff: 500 * time.Millisecond}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Minute}
	}
	if c.retries == 0 {
		c.retries = 3
	}
	return c, nil
}

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
		if !safeSegment(p) {
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

// Download implements ports.HubClient: it returns the cached copy when
// there is one, else fetches {endpoint}/{repo}/resolve/{revision}/{file}
// (the revision escaped as one path segment) and stores it atomically (temporary file, fsync, rename), so an
// interrupted download never leaves a truncated file in the cache. Files
// of a branch revision ("main") are kept as first downloaded; delete the
// cache folder to refresh them.
func (c *Client) Download(ctx context.Context, repo, filename, revision string) (string, error) {
	if revision == "" {
		revision = "main"
	}
	wrap := func(err error) error {
		return ports.Wrap(catalog.PortHubClient, AdapterName, "download", fmt.Errorf("%s/%s@%s: %w", repo, filename, revision, err))
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
	dest := filepath.Join(c.cacheDir, filepath.FromSlash(repo), filepath.FromSlash(revision), filepath.FromSlash(filename))
	if st, err := os.Stat(dest); err == nil && st.Mode().IsRegular() {
		return dest, nil
	}
	resp, err := c.get(ctx, c.fileURL(repo, revision, filename))
	if err != nil {
		return "", wrap(err)
	}
	defer resp.Body.Close()
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", wrap(err)
	}
	if err := writeAtomic(dest, resp.Body); err != nil {
		return "", wrap(err)
	}
	return dest, nil
}

// writeAtomic copies r into path through a temporary file in the same
// directory.
func writeAtomic(path string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part-*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, r); err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	ok = true
	return nil
}

// ListFiles implements ports.HubClient. Model repositories are listed
// through the model info API (its "siblings"); dataset repositories
// ("datasets/owner/name") through the recursive tree API, following its
// pagination, because dataset repositories often hold many shards.
func (c *Client) ListFiles(ctx context.Context, repo, revision string) ([]string, error) {
	if revision == "" {
		revision = "main"
	}
	wrap := func(err error) error {
		return ports.Wrap(catalog.PortHubClient, AdapterName, "list_files", fmt.Errorf("%s@%s: %w", repo, revision, err))
	}
	if err := checkRepo(repo); err != nil {
		return nil, wrap(err)
	}
	if err := checkPath("revision", revision); err != nil {
		return nil, wrap(err)
	}
	var files []string
	var err error
	if name, ok := strings.CutPrefix(repo, DatasetPrefix); ok {
		files, err = c.listTree(ctx, name, revision)
	} else {
		files, err = c.listSiblings(ctx, repo, revision)
	}
	if err != nil {
		return nil, wrap(err)
	}
	return files, nil
}

// listSiblings lists a model repository through
// /api/models/{repo}/revision/{revision}.
func (c *Client) listSiblings(ctx context.Context, repo, revision string) ([]string, error) {
	segs := append([]string{"api", "models"}, strings.Split(repo, "/")...)
	segs = append(segs, "revision", revision)
	resp, err := c.get(ctx, c.endpoint.String()+escapedPath(segs...))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var info struct {
		Siblings []struct {
			Name string `json:"rfilename"`
		} `json:"siblings"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("bad model info: %w", err)
	}
	files := make([]string, 0, len(info.Siblings))
	for _, s := range info.Siblings {
		files = append(files, s.Name)
	}
	return files, nil
}

// maxTreePages bounds the pages of one tree listing, so a server that
// keeps answering with new next links cannot keep a run busy forever.
const maxTreePages = 1000

// listTree lists the files of a dataset repository through
// /api/datasets/{owner/name}/tree/{revision}?recursive=true, following
// the Link rel="next" headers of its pages. Next links must stay on the
// endpoint's scheme and host: the token is sent with every page.
func (c *Client) listTree(ctx context.Context, name, revision string) ([]string, error) {
	segs := append([]string{"api", "datasets"}, strings.Split(name, "/")...)
	segs = append(segs, "tree", revision)
	next := c.endpoint.String() + escapedPath(segs...) + "?recursive=true"
	seen := map[string]bool{}
	var files []string
	for page := 1; next != ""; page++ {
		if seen[next] {
			return nil, fmt.Errorf("tree listing: page %d links back to an earlier page", page-1)
		}
		if page > maxTreePages {
			return nil, fmt.Errorf("tree listing did not end after %d pages", maxTreePages)
		}
		seen[next] = true
		resp, err := c.get(ctx, next)
		if err != nil {
			return nil, err
		}
		var entries []struct {
			Type string `json:"type"`
			Path string `json:"path"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&entries)
		link := resp.Header.Get("Link")
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("bad tree listing (page %d): %w", page, err)
		}
		for _, e := range entries {
			if e.Type == "file" {
				files = append(files, e.Path)
			}
		}
		if next, err = c.nextLink(link); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// nextLink returns the rel="next" target of a Link header ("" when there
// is none), refusing one that leaves the endpoint's scheme and host.
func (c *Client) nextLink(header string) (string, error) {
	for _, part := range strings.Split(header, ",") {
		target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			continue
		}
		isNext := false
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			isNext = isNext || (strings.EqualFold(k, "rel") && strings.Trim(v, `"`) == "next")
		}
		if !isNext {
			continue
		}
		u, err := c.endpoint.Parse(target[1 : len(target)-1])
		if err != nil || u.Scheme != c.endpoint.Scheme || u.Host != c.endpoint.Host {
			return "", fmt.Errorf("tree listing: refusing a next page outside %s://%s", c.endpoint.Scheme, c.endpoint.Host)
		}
		return u.String(), nil
	}
	return "", nil
}

// errStatus is a non-retryable HTTP failure.
type errStatus struct {
	code int
	hint string
}

func (e *errStatus) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
	if e.hint != "" {
		msg += ": " + e.hint
	}
	return msg
}

// get performs a GET with the token, retrying 429/5xx answers and network
// errors with exponential backoff; the caller closes the body of a 200.
func (c *Client) get(ctx context.Context, u string) (*http.Response, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		req.Header.Set("User-Agent", "cookbookc")
		resp, err := c.http.Do(req)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = redactURL(err)
		case resp.StatusCode == http.StatusOK:
			return resp, nil
		default:
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			code := resp.StatusCode
			if code != http.StatusTooManyRequests && code < 500 {
				return nil, &errStatus{code: code, hint: hint(code, c.token != "")}
			}
			lastErr = &errStatus{code: code}
		}
		if attempt >= c.retries || c.retries < 0 {
			return nil, fmt.Errorf("giving up after %d attempts: %w", attempt+1, lastErr)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.backoff << attempt):
		}
	}
}

func hint(code int, haveToken bool) string {
	switch {
	case code == http.StatusNotFound:
		return "no such repository, revision or file"
	case (code == http.StatusUnauthorized || code == http.StatusForbidden) && !haveToken:
		// The hub answers 401 for a repository that does not exist too,
		// so as not to reveal private ones.
		return "no such repository, or it is gated or private: set HF_TOKEN"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return "the token was refused (gated repository not accepted, or token lacks access)"
	}
	return ""
}

// redactURL keeps url.Error messages short; the URL never holds the token
// (it travels in a header) but may be long.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
