package hf

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// fileMeta is what the hub's HEAD answer says about a file
// (formats.md §1.5).
type fileMeta struct {
	commit   string // X-Repo-Commit
	etag     string // X-Linked-Etag, else ETag, normalised
	size     int64  // X-Linked-Size, else Content-Length; -1 when unknown
	location string // where to GET the bytes
}

// entryMissing is the hub's answer for a file the repository does not
// have at a commit (404 with X-Error-Code: EntryNotFound).
type entryMissing struct {
	commit string
}

func (e *entryMissing) Error() string {
	return "the repository has no such file at commit " + e.commit
}

func (e *entryMissing) Unwrap() error { return fs.ErrNotExist }

// head asks the hub for a file's commit, etag, size and location. Only
// redirects on the endpoint's host are followed (a renamed repository);
// a redirect elsewhere (the CDN of a large file) is where the bytes are
// fetched from, without the token.
func (c *Client) head(ctx context.Context, u string) (fileMeta, error) {
	hc := *c.http
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != via[0].URL.Host || len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := c.do(ctx, &hc, http.MethodHead, u, true)
	if err != nil {
		return fileMeta{}, err
	}
	resp.Body.Close()
	commit := resp.Header.Get("X-Repo-Commit")
	if commit == "" {
		return fileMeta{}, fmt.Errorf("the answer of %s has no X-Repo-Commit header: is it a Hugging Face hub (or a mirror that keeps its headers)?", c.endpoint.Host)
	}
	if !isCommit(commit) {
		return fileMeta{}, fmt.Errorf("the hub's X-Repo-Commit %q is not a commit hash", commit)
	}
	m := fileMeta{commit: commit, size: -1, location: resp.Request.URL.String()}
	m.etag = normaliseEtag(firstNonEmpty(resp.Header.Get("X-Linked-Etag"), resp.Header.Get("ETag")))
	if m.etag == "" {
		return fileMeta{}, errors.New("the hub's answer has no ETag")
	}
	if !safeSegment(m.etag) {
		return fileMeta{}, fmt.Errorf("the hub's ETag %q cannot name a cache file", m.etag)
	}
	redirect := resp.StatusCode >= 300 && resp.StatusCode < 400
	if v := resp.Header.Get("X-Linked-Size"); v != "" {
		m.size, _ = strconv.ParseInt(v, 10, 64)
	} else if !redirect && resp.ContentLength >= 0 {
		m.size = resp.ContentLength
	}
	if redirect {
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" || (loc.Scheme != "https" && loc.Scheme != "http") {
			return fileMeta{}, fmt.Errorf("the hub redirected to an unusable location (HTTP %d)", resp.StatusCode)
		}
		m.location = loc.String()
	}
	return m, nil
}

// normaliseEtag strips a weak-validator prefix and the quotes. Unlike
// huggingface_hub's lstrip("W/") it removes exactly "W/" (formats.md §1.5).
func normaliseEtag(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "W/")
	return strings.Trim(s, `"`)
}

// downloadBlob GETs meta.location into path and checks the bytes: the
// size when known, and the etag's hash when the etag is one (the git
// blob SHA-1 of a regular file, the SHA-256 of an LFS file), so a
// truncated or corrupted transfer never enters the cache. The token is
// sent only to the endpoint's host. Interrupted transfers are retried
// from the start.
func (c *Client) downloadBlob(ctx context.Context, meta fileMeta, path string) error {
	loc, err := url.Parse(meta.location)
	if err != nil {
		return err
	}
	withToken := loc.Scheme == c.endpoint.Scheme && loc.Host == c.endpoint.Host
	var lastErr error
	for attempt := 0; ; attempt++ {
		resp, err := c.do(ctx, c.http, http.MethodGet, meta.location, withToken)
		if err != nil {
			return err
		}
		lastErr = writeChecked(path, resp.Body, meta)
		resp.Body.Close()
		if lastErr == nil || ctx.Err() != nil || !errors.Is(lastErr, errTransfer) {
			return lastErr
		}
		if attempt >= c.retries || c.retries < 0 {
			return fmt.Errorf("giving up after %d attempts: %w", attempt+1, lastErr)
		}
		if err := sleepCtx(ctx, c.backoff<<attempt); err != nil {
			return err
		}
	}
}

// errTransfer marks a transfer that broke off or delivered other bytes
// than announced; it is worth another attempt.
var errTransfer = errors.New("transfer failed")

// writeChecked writes r to path (created with the umask's permissions,
// as huggingface_hub does) and checks it against meta.
func writeChecked(path string, r io.Reader, meta fileMeta) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o666)
	if err != nil {
		return err
	}
	var h hash.Hash
	switch {
	case len(meta.etag) == 40 && meta.size >= 0 && isHex(meta.etag):
		h = sha1.New()
		fmt.Fprintf(h, "blob %d\x00", meta.size) // git's blob object header
	case len(meta.etag) == 64 && isHex(meta.etag):
		h = sha256.New()
	}
	var w io.Writer = f
	if h != nil {
		w = io.MultiWriter(f, h)
	}
	n, err := io.Copy(w, r)
	if err != nil {
		f.Close()
		return fmt.Errorf("%w: reading the file after %d bytes: %w", errTransfer, n, redactURL(err))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if meta.size >= 0 && n != meta.size {
		return fmt.Errorf("%w: got %d bytes, the hub announced %d", errTransfer, n, meta.size)
	}
	if h != nil {
		if sum := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(sum, meta.etag) {
			return fmt.Errorf("%w: the content's hash %s does not match the hub's etag %s", errTransfer, sum, meta.etag)
		}
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
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

// get performs a GET on the endpoint with the token; the caller closes
// the body of a 200.
func (c *Client) get(ctx context.Context, u string) (*http.Response, error) {
	return c.do(ctx, c.http, http.MethodGet, u, true)
}

// do sends one request, retrying 429/5xx answers and network errors with
// exponential backoff. A 2xx answer (or, for HEAD, an unfollowed
// redirect) is returned for the caller to close; other answers become
// errors naming the cause.
func (c *Client) do(ctx context.Context, hc *http.Client, method, u string, withToken bool) (*http.Response, error) {
	if c.offline {
		return nil, fmt.Errorf("%w: not contacting %s", errOffline, c.endpoint.Host)
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			return nil, err
		}
		if c.token != "" && withToken {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		req.Header.Set("User-Agent", "cookbookc")
		// The size in Content-Length must be the file's, not that of a
		// compressed transfer (formats.md §1.5).
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := hc.Do(req)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = redactURL(err)
		case resp.StatusCode < 300, method == http.MethodHead && resp.StatusCode < 400:
			return resp, nil
		default:
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			code := resp.StatusCode
			if code != http.StatusTooManyRequests && code < 500 {
				return nil, c.statusError(resp)
			}
			lastErr = &errStatus{code: code}
		}
		if attempt >= c.retries || c.retries < 0 {
			return nil, fmt.Errorf("giving up after %d attempts: %w", attempt+1, lastErr)
		}
		if err := sleepCtx(ctx, c.backoff<<attempt); err != nil {
			return nil, err
		}
	}
}

// statusError turns a 4xx answer into an error, reading the hub's
// X-Error-Code (EntryNotFound, RevisionNotFound, RepoNotFound, GatedRepo).
func (c *Client) statusError(resp *http.Response) error {
	code := resp.StatusCode
	switch resp.Header.Get("X-Error-Code") {
	case "EntryNotFound":
		if commit := resp.Header.Get("X-Repo-Commit"); isCommit(commit) {
			return &entryMissing{commit: commit}
		}
		return fmt.Errorf("%w: %w", &errStatus{code: code, hint: "the repository has no such file"}, fs.ErrNotExist)
	case "RevisionNotFound":
		return &errStatus{code: code, hint: "the repository has no such revision"}
	case "GatedRepo":
		if c.token == "" {
			return &errStatus{code: code, hint: "the repository is gated: accept its conditions on the hub and set HF_TOKEN"}
		}
		return &errStatus{code: code, hint: "the repository is gated and this token has not been granted access: accept its conditions on the hub"}
	case "RepoNotFound":
		if c.token == "" {
			return &errStatus{code: code, hint: "no such repository, or it is private: set HF_TOKEN"}
		}
		return &errStatus{code: code, hint: "no such repository, or the token has no access to it"}
	}
	return &errStatus{code: code, hint: hint(code, c.token != "")}
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

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
