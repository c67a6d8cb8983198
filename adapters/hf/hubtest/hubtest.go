// Package hubtest is a TEST FAKE of the Hugging Face hub: an in-process
// HTTP server (net/http/httptest) speaking the parts of the hub protocol
// the hf adapter uses, written from ../shared/reference/formats.md §1.5:
//
//   - HEAD and GET /{repo}/resolve/{revision}/{path} answer with
//     X-Repo-Commit and ETag (the git blob SHA-1); large files are LFS
//     files, redirected to a separate CDN host with X-Linked-Etag (their
//     SHA-256) and X-Linked-Size, as the hub does;
//   - a missing file is 404 with X-Error-Code: EntryNotFound and the
//     commit; a missing revision 404 RevisionNotFound; an unknown
//     repository 401 RepoNotFound; a gated repository without the token
//     401 GatedRepo;
//   - GET /api/models/{repo}/revision/{revision} lists siblings and the
//     commit (sha); GET /api/datasets/{repo}/tree/{revision}?recursive=true
//     lists files and directories in pages linked by Link rel="next".
//
// Revisions travel as one escaped path segment (refs%2Fconvert%2Fparquet);
// an unescaped one is not found, as on the hub. Every request is
// recorded, so tests can assert that a cached file costs none.
package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Options configures the fake hub.
type Options struct {
	// Token is the bearer token gated repositories require.
	Token string
	// LFSThreshold: files of at least this many bytes are LFS files,
	// served from the CDN host (0: none).
	LFSThreshold int
	// PageSize is the number of entries per tree listing page (default
	// 1000, the hub's).
	PageSize int
}

// Request is one request the hub (or its CDN) received.
type Request struct {
	Method string
	Path   string // escaped path and query
	Host   string // "hub" or "cdn"
	// Authorized is whether an Authorization header was sent.
	Authorized bool
}

// Hub is the fake hub.
type Hub struct {
	opts Options
	srv  *httptest.Server
	cdn  *httptest.Server
	// URL is the endpoint to give the client (HF_ENDPOINT).
	URL string

	mu       sync.Mutex
	repos    map[string]*repo
	requests []Request
	failNext int
	corrupt  int
}

type repo struct {
	gated bool
	refs  map[string]string            // revision name -> commit
	trees map[string]map[string][]byte // commit -> path -> content
}

// Start starts a fake hub; Close it when done.
func Start(opts Options) *Hub {
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	h := &Hub{opts: opts, repos: map[string]*repo{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serveHub))
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.URL = h.srv.URL
	return h
}

// Close stops the servers.
func (h *Hub) Close() {
	h.srv.Close()
	h.cdn.Close()
}

// Client returns an HTTP client for the hub and its CDN.
func (h *Hub) Client() *http.Client { return h.srv.Client() }

// Add publishes files as revision rev of repository id ("org/name",
// "name" or "datasets/org/name") and returns the commit, a hash of the
// repository, the revision and the files. Adding again to the same
// revision makes a new commit, as a push does.
func (h *Hub) Add(id, rev string, files map[string][]byte) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.repos[id]
	if r == nil {
		r = &repo{refs: map[string]string{}, trees: map[string]map[string][]byte{}}
		h.repos[id] = r
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	sum := sha1.New()
	fmt.Fprintf(sum, "%s\x00%s\x00%s\x00", id, rev, r.refs[rev])
	tree := map[string][]byte{}
	for _, n := range names {
		fmt.Fprintf(sum, "%s\x00%s\x00", n, BlobID(files[n]))
		tree[n] = files[n]
	}
	commit := hex.EncodeToString(sum.Sum(nil))
	r.refs[rev] = commit
	r.trees[commit] = tree
	return commit
}

// Gate makes repository id require the token.
func (h *Hub) Gate(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.repos[id]; r != nil {
		r.gated = true
	}
}

// FailNext makes the next n requests answer 503.
func (h *Hub) FailNext(n int) {
	h.mu.Lock()
	h.failNext = n
	h.mu.Unlock()
}

// CorruptNext makes the next n file bodies differ from what the HEAD
// announced (one byte flipped), as a broken proxy might.
func (h *Hub) CorruptNext(n int) {
	h.mu.Lock()
	h.corrupt = n
	h.mu.Unlock()
}

// Requests returns the requests received so far.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.requests)
}

// Count returns the number of requests received so far.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.requests)
}

// BlobID is the git blob SHA-1 of content: the hub's ETag of a regular
// file.
func BlobID(content []byte) string {
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(content))
	s.Write(content)
	return hex.EncodeToString(s.Sum(nil))
}

// SHA256 is the hex SHA-256 of content: the hub's X-Linked-Etag of an
// LFS file.
func SHA256(content []byte) string {
	s := sha256.Sum256(content)
	return hex.EncodeToString(s[:])
}

func (h *Hub) record(r *http.Request, host string) (fail bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	h.requests = append(h.requests, Request{Method: r.Method, Path: p, Host: host, Authorized: r.Header.Get("Authorization") != ""})
	if h.failNext > 0 {
		h.failNext--
		return true
	}
	return false
}

func (h *Hub) serveHub(w http.ResponseWriter, r *http.Request) {
	if h.record(r, "hub") {
		http.Error(w, "fake hub: injected failure", http.StatusServiceUnavailable)
		return
	}
	segs, err := segments(r.URL.EscapedPath())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch {
	case len(segs) > 2 && segs[0] == "api" && segs[1] == "models":
		h.serveModelInfo(w, r, segs[2:])
	case len(segs) > 2 && segs[0] == "api" && segs[1] == "datasets":
		h.serveTree(w, r, segs[2:])
	default:
		h.serveResolve(w, r, segs)
	}
}

// segments splits an escaped path into unescaped segments.
func segments(escaped string) ([]string, error) {
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, err
		}
		parts[i] = u
	}
	return parts, nil
}

// splitRepo finds the repository id before the marker segment
// ("resolve", "revision" or "tree").
func splitRepo(segs []string, marker string, dataset bool) (id string, rest []string, ok bool) {
	i := slices.Index(segs, marker)
	if i < 1 || i > 2 {
		return "", nil, false
	}
	id = strings.Join(segs[:i], "/")
	if dataset {
		id = "datasets/" + id
	}
	return id, segs[i+1:], true
}

// lookup resolves repository id at revision rev, answering the error
// itself when it fails.
func (h *Hub) lookup(w http.ResponseWriter, r *http.Request, id, rev string) (string, map[string][]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rp := h.repos[id]
	if rp == nil {
		hubError(w, r, http.StatusUnauthorized, "RepoNotFound", "", "Repository not found")
		return "", nil, false
	}
	if rp.gated && (h.opts.Token == "" || r.Header.Get("Authorization") != "Bearer "+h.opts.Token) {
		hubError(w, r, http.StatusUnauthorized, "GatedRepo", "", "Access to this gated repository is restricted")
		return "", nil, false
	}
	commit, ok := rp.refs[rev]
	if !ok {
		if _, isCommit := rp.trees[rev]; isCommit {
			commit, ok = rev, true
		}
	}
	if !ok {
		hubError(w, r, http.StatusNotFound, "RevisionNotFound", "", "Invalid rev id: "+rev)
		return "", nil, false
	}
	return commit, rp.trees[commit], true
}

func hubError(w http.ResponseWriter, r *http.Request, code int, errCode, commit, msg string) {
	w.Header().Set("X-Error-Code", errCode)
	w.Header().Set("X-Error-Message", msg)
	if commit != "" {
		w.Header().Set("X-Repo-Commit", commit)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
}

func (h *Hub) serveResolve(w http.ResponseWriter, r *http.Request, segs []string) {
	dataset := len(segs) > 0 && segs[0] == "datasets"
	if dataset {
		segs = segs[1:]
	}
	id, rest, ok := splitRepo(segs, "resolve", dataset)
	if !ok || len(rest) < 2 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	rev, file := rest[0], strings.Join(rest[1:], "/")
	commit, tree, ok := h.lookup(w, r, id, rev)
	if !ok {
		return
	}
	content, ok := tree[file]
	if !ok {
		hubError(w, r, http.StatusNotFound, "EntryNotFound", commit, file+" does not exist on \""+rev+"\"")
		return
	}
	w.Header().Set("X-Repo-Commit", commit)
	if h.opts.LFSThreshold > 0 && len(content) >= h.opts.LFSThreshold {
		sum := SHA256(content)
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(content)))
		w.Header().Set("ETag", `"`+BlobID([]byte("version https://git-lfs.github.com/spec/v1\n"))+`"`)
		w.Header().Set("Location", h.cdn.URL+"/lfs/"+sum)
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+BlobID(content)+`"`)
	h.writeBody(w, r, content)
}

// writeBody sends content (or its headers for HEAD), corrupted when a
// test asked for it.
func (h *Hub) writeBody(w http.ResponseWriter, r *http.Request, content []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	if r.Method == http.MethodHead {
		return
	}
	h.mu.Lock()
	if h.corrupt > 0 && len(content) > 0 {
		h.corrupt--
		content = slices.Clone(content)
		content[0] ^= 0xff
	}
	h.mu.Unlock()
	w.Write(content)
}

// serveCDN serves LFS files by SHA-256, as the hub's CDN does (signed
// URLs in reality; the token is never needed there).
func (h *Hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	if h.record(r, "cdn") {
		http.Error(w, "fake cdn: injected failure", http.StatusServiceUnavailable)
		return
	}
	sum, ok := strings.CutPrefix(r.URL.Path, "/lfs/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	var content []byte
	found := false
	for _, rp := range h.repos {
		for _, tree := range rp.trees {
			for _, c := range tree {
				if !found && SHA256(c) == sum {
					content, found = c, true
				}
			}
		}
	}
	h.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	h.writeBody(w, r, content)
}

// serveModelInfo answers /api/models/{repo}/revision/{revision}.
func (h *Hub) serveModelInfo(w http.ResponseWriter, r *http.Request, segs []string) {
	id, rest, ok := splitRepo(segs, "revision", false)
	if !ok || len(rest) != 1 {
		http.NotFound(w, r)
		return
	}
	commit, tree, ok := h.lookup(w, r, id, rest[0])
	if !ok {
		return
	}
	type sibling struct {
		Name string `json:"rfilename"`
	}
	info := struct {
		ID       string    `json:"id"`
		SHA      string    `json:"sha"`
		Siblings []sibling `json:"siblings"`
	}{ID: id, SHA: commit, Siblings: []sibling{}}
	for _, n := range slices.Sorted(maps.Keys(tree)) {
		info.Siblings = append(info.Siblings, sibling{n})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(info)
}

// serveTree answers /api/datasets/{repo}/tree/{revision}?recursive=true
// in pages; the cursor is an offset here, opaque to clients.
func (h *Hub) serveTree(w http.ResponseWriter, r *http.Request, segs []string) {
	id, rest, ok := splitRepo(segs, "tree", true)
	if !ok || len(rest) != 1 {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("recursive") != "true" {
		http.Error(w, "fake hub: only recursive listings are served", http.StatusBadRequest)
		return
	}
	_, tree, ok := h.lookup(w, r, id, rest[0])
	if !ok {
		return
	}
	type entry struct {
		Type string `json:"type"`
		OID  string `json:"oid"`
		Size int    `json:"size"`
		Path string `json:"path"`
	}
	var entries []entry
	dirs := map[string]bool{}
	for _, n := range slices.Sorted(maps.Keys(tree)) {
		for d := n; strings.Contains(d, "/"); {
			d = d[:strings.LastIndex(d, "/")]
			if !dirs[d] {
				dirs[d] = true
				entries = append(entries, entry{Type: "directory", OID: BlobID([]byte(d)), Path: d})
			}
		}
		entries = append(entries, entry{Type: "file", OID: BlobID(tree[n]), Size: len(tree[n]), Path: n})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.Path, b.Path) })
	start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	start = min(max(start, 0), len(entries))
	end := min(start+h.opts.PageSize, len(entries))
	if end < len(entries) {
		next := *r.URL
		q := next.Query()
		q.Set("cursor", strconv.Itoa(end))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s%s>; rel=\"next\"", h.srv.URL, next.RequestURI()))
	}
	w.Header().Set("Content-Type", "application/json")
	page := entries[start:end]
	if page == nil {
		page = []entry{}
	}
	json.NewEncoder(w).Encode(page)
}
