package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/s3/s3fake"
)

const (
	testBucket = "ckpts"
	testKeyID  = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRET"
	testToken  = "FwoGZXIvYXdzEXAMPLE-session-TOKEN"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	fake  *s3fake.Server
	store *Store
	logs  *syncBuffer
}

// newHarness starts a fake bucket and a store signed with the test
// credentials. edit adjusts the store options.
func newHarness(t *testing.T, fcfg s3fake.Config, edit func(*Options)) *harness {
	t.Helper()
	if fcfg.Bucket == "" {
		fcfg.Bucket = testBucket
	}
	if fcfg.AccessKeyID == "" {
		fcfg.AccessKeyID, fcfg.SecretAccessKey = testKeyID, testSecret
	}
	fake := s3fake.New(fcfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	o := Options{
		Bucket: testBucket, Endpoint: srv.URL,
		AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&o)
	}
	store, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &harness{fake: fake, store: store, logs: logs}
}

func (h *harness) get(t *testing.T, key string) []byte {
	t.Helper()
	rc, err := h.store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return b
}

// assertSigned checks that every request the fake saw was signed with
// SigV4 for the test key id (the fake has also verified each signature).
func (h *harness) assertSigned(t *testing.T) {
	t.Helper()
	reqs := h.fake.Requests()
	if len(reqs) == 0 {
		t.Fatal("no requests reached the fake")
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Authorization, "AWS4-HMAC-SHA256 Credential="+testKeyID+"/") {
			t.Errorf("%s %s: Authorization = %q, want AWS4-HMAC-SHA256 for %s", r.Method, r.Path, r.Authorization, testKeyID)
		}
		if r.Method == "PUT" && (r.ContentSHA256 == "" || r.ContentSHA256 == "UNSIGNED-PAYLOAD") {
			t.Errorf("PUT %s: payload hash %q, want the signed SHA-256 of the body", r.Path, r.ContentSHA256)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		object string // the object name the fake must hold for key "a/b.bin"
		style  bool
	}{
		{"no prefix", "", "a/b.bin", false},
		{"prefix", "runs", "runs/a/b.bin", false},
		{"prefix slashes normalised", "/runs/x/", "runs/x/a/b.bin", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, s3fake.Config{}, func(o *Options) { o.Prefix, o.PathStyle = tt.prefix, tt.style })
			ctx := context.Background()
			data := []byte("weights\x00\x01\x02")
			if ok, err := h.store.Exists(ctx, "a/b.bin"); err != nil || ok {
				t.Fatalf("Exists before Put = %v, %v; want false, nil", ok, err)
			}
			if err := h.store.Put(ctx, "a/b.bin", bytes.NewReader(data)); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if got, ok := h.fake.Object(tt.object); !ok || !bytes.Equal(got, data) {
				t.Fatalf("fake holds %q=%q (present %v), want %q", tt.object, got, ok, data)
			}
			if got := h.get(t, "a/b.bin"); !bytes.Equal(got, data) {
				t.Fatalf("Get = %q, want %q", got, data)
			}
			if ok, err := h.store.Exists(ctx, "a/b.bin"); err != nil || !ok {
				t.Fatalf("Exists after Put = %v, %v; want true, nil", ok, err)
			}
			if keys, err := h.store.List(ctx, "a/"); err != nil || !slices.Equal(keys, []string{"a/b.bin"}) {
				t.Fatalf("List = %q, %v; want [a/b.bin]", keys, err)
			}
			if err := h.store.Delete(ctx, "a/b.bin"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if ok, err := h.store.Exists(ctx, "a/b.bin"); err != nil || ok {
				t.Fatalf("Exists after Delete = %v, %v; want false, nil", ok, err)
			}
			if err := h.store.Delete(ctx, "a/b.bin"); err != nil {
				t.Fatalf("Delete of a missing key: %v (want success, as S3)", err)
			}
			h.assertSigned(t)
		})
	}
}

func TestKeysNeedingEncoding(t *testing.T) {
	h := newHarness(t, s3fake.Config{}, func(o *Options) { o.Prefix = "p" })
	ctx := context.Background()
	keys := []string{"sp ace/x y.json", "plus+and%percent", "q?uery#frag", "ünïcødé/日本.bin", "tilde~_-.ok", "a=b&c"}
	for i, k := range keys {
		if err := h.store.Put(ctx, k, strings.NewReader(fmt.Sprint(i))); err != nil {
			t.Fatalf("Put(%q): %v", k, err)
		}
		if got := string(h.get(t, k)); got != fmt.Sprint(i) {
			t.Fatalf("Get(%q) = %q, want %d", k, got, i)
		}
	}
	got, err := h.store.List(ctx, "")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	h.assertSigned(t)
}

func TestInvalidKeysFailBeforeAnyRequest(t *testing.T) {
	h := newHarness(t, s3fake.Config{}, nil)
	ctx := context.Background()
	for _, key := range []string{"", "/abs", "a//b", "a/../b", "./a", "a/", "bad\xffutf8", "nul\x00", strings.Repeat("k", 1025)} {
		_, gerr := h.store.Get(ctx, key)
		perr := h.store.Put(ctx, key, strings.NewReader("x"))
		_, eerr := h.store.Exists(ctx, key)
		derr := h.store.Delete(ctx, key)
		for op, err := range map[string]error{"get": gerr, "put": perr, "exists": eerr, "delete": derr} {
			var pe *ports.Error
			if !errors.As(err, &pe) || pe.Port != "blob_store" || pe.Adapter != "s3" || pe.Op != op {
				t.Errorf("%s(%q): error %v, want a blob_store (s3) %s error", op, key, err, op)
			}
		}
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Fatalf("invalid keys sent %d requests", n)
	}
}

func TestMissingKeyIsNotExist(t *testing.T) {
	h := newHarness(t, s3fake.Config{}, func(o *Options) { o.Prefix = "runs" })
	_, err := h.store.Get(context.Background(), "nope/missing.bin")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get missing: %v, want fs.ErrNotExist", err)
	}
	msg := err.Error()
	for _, want := range []string{"blob_store (s3): get:", "s3://ckpts/runs/nope/missing.bin", "NoSuchKey", "HTTP 404", "The specified key does not exist."} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

// patterned returns n deterministic bytes that differ from part to part.
func patterned(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/4093)
	}
	return b
}

func TestMultipart(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		wantParts int
	}{
		{"below part size is one PUT", MinPartSize - 1, 0},
		{"exactly one part", MinPartSize, 1},
		{"three parts", 2*MinPartSize + 12345, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, s3fake.Config{}, func(o *Options) { o.PartSize = MinPartSize })
			data := patterned(tt.size)
			// io.MultiReader hides the length, as a streamed checkpoint would.
			if err := h.store.Put(context.Background(), "big.bin", io.MultiReader(bytes.NewReader(data))); err != nil {
				t.Fatalf("Put: %v", err)
			}
			got, ok := h.fake.Object("big.bin")
			if !ok || !bytes.Equal(got, data) {
				t.Fatalf("stored %d bytes (present %v), want %d equal bytes", len(got), ok, len(data))
			}
			parts := 0
			for _, r := range h.fake.Requests() {
				if r.Method == "PUT" && strings.Contains(r.RawQuery, "partNumber=") {
					parts++
				}
			}
			if parts != tt.wantParts {
				t.Fatalf("uploaded %d parts, want %d", parts, tt.wantParts)
			}
			if n := h.fake.PendingUploads(); n != 0 {
				t.Fatalf("%d multipart uploads left open", n)
			}
			h.assertSigned(t)
		})
	}
}

// failingReader yields n bytes, then an error.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

func TestFailedPutLeavesOldBlob(t *testing.T) {
	for _, n := range []int{100, 2*MinPartSize + 7} { // single PUT and multipart
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			h := newHarness(t, s3fake.Config{}, func(o *Options) { o.PartSize = MinPartSize })
			ctx := context.Background()
			if err := h.store.Put(ctx, "ckpt", strings.NewReader("old")); err != nil {
				t.Fatal(err)
			}
			err := h.store.Put(ctx, "ckpt", &failingReader{n: n})
			if err == nil || !strings.Contains(err.Error(), "disk on fire") {
				t.Fatalf("Put with a failing reader: %v, want the reader's error", err)
			}
			if got := string(h.get(t, "ckpt")); got != "old" {
				t.Fatalf("after a failed Put the blob is %d bytes, want the old blob", len(got))
			}
			if n := h.fake.PendingUploads(); n != 0 {
				t.Fatalf("%d multipart uploads left open after failure", n)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		attempts int
		failures []int
		wantErr  string
	}{
		{"recovers from throttling and a 500", 5, []int{503, 500}, ""},
		{"gives up after max attempts", 2, []int{503, 503, 503}, "SlowDown (HTTP 503): Please reduce your request rate."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, s3fake.Config{}, func(o *Options) { o.MaxAttempts = tt.attempts })
			h.fake.FailNext(tt.failures...)
			err := h.store.Put(context.Background(), "k", strings.NewReader("v"))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				if got, _ := h.fake.Object("k"); string(got) != "v" {
					t.Fatalf("stored %q, want v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Put: %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestListPaginates(t *testing.T) {
	h := newHarness(t, s3fake.Config{PageSize: 2}, func(o *Options) { o.Prefix = "exp" })
	ctx := context.Background()
	all := []string{"run1/a", "run1/b", "run1/c", "run2/a", "run10/z"}
	for _, k := range all {
		if err := h.store.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	// A key outside the store's prefix must not be listed.
	h.fake.Seed("other/x", []byte("x"))
	h.fake.Seed("expx/y", []byte("y"))
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"run1/a", "run1/b", "run1/c", "run10/z", "run2/a"}},
		{"run1/", []string{"run1/a", "run1/b", "run1/c"}},
		{"run1", []string{"run1/a", "run1/b", "run1/c", "run10/z"}},
		{"nothing", nil},
	}
	for _, tt := range tests {
		got, err := h.store.List(ctx, tt.prefix)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("List(%q) = %q, %v; want %q", tt.prefix, got, err, tt.want)
		}
	}
}
