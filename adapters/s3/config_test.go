package s3

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/adapters/s3/s3fake"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// exercise runs every operation, returning the errors met.
func exercise(store *Store) []error {
	ctx := context.Background()
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(store.Put(ctx, "k/v", strings.NewReader("payload")))
	if rc, err := store.Get(ctx, "k/v"); err != nil {
		add(err)
	} else {
		_, err = io.ReadAll(rc)
		add(err)
		rc.Close()
	}
	_, err := store.Get(ctx, "k/missing")
	add(err)
	_, err = store.Exists(ctx, "k/v")
	add(err)
	_, err = store.List(ctx, "k/")
	add(err)
	add(store.Delete(ctx, "k/v"))
	return errs
}

func TestCredentials(t *testing.T) {
	tests := []struct {
		name      string
		fake      s3fake.Config
		opts      func(*Options)
		wantErrs  int    // operations expected to fail (Get of a missing key always does)
		wantCode  string // in every other error
		anonymous bool
	}{
		{name: "static keys", wantErrs: 1},
		{name: "session token", fake: s3fake.Config{SessionToken: testToken},
			opts: func(o *Options) { o.SessionToken = testToken }, wantErrs: 1},
		{name: "wrong secret", opts: func(o *Options) { o.SecretAccessKey = testSecret + "-wrong" },
			wantErrs: 6, wantCode: "SignatureDoesNotMatch"},
		{name: "missing session token", fake: s3fake.Config{SessionToken: testToken},
			wantErrs: 6, wantCode: "InvalidToken"},
		{name: "wrong session token", fake: s3fake.Config{SessionToken: testToken},
			opts: func(o *Options) { o.SessionToken = testToken + "-stale" }, wantErrs: 6, wantCode: "InvalidToken"},
		{name: "anonymous to a public bucket", fake: s3fake.Config{AllowAnonymous: true},
			opts: func(o *Options) { o.Anonymous = true }, wantErrs: 1, anonymous: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.fake, func(o *Options) {
				o.MaxAttempts = 1
				if tt.opts != nil {
					tt.opts(o)
				}
			})
			errs := exercise(h.store)
			if len(errs) != tt.wantErrs {
				t.Fatalf("%d errors, want %d: %v", len(errs), tt.wantErrs, errs)
			}
			for _, err := range errs {
				msg := err.Error()
				// HEAD (exists) responses have no body, so S3 names no code.
				want := tt.wantCode
				if strings.Contains(msg, ": exists: ") {
					want = "HTTP 403"
				}
				if tt.wantCode != "" && !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %s", msg, want)
				}
				for _, secret := range []string{testSecret, testToken} {
					if strings.Contains(msg, secret) {
						t.Errorf("error leaks a secret: %q", msg)
					}
				}
			}
			logs := h.logs.String()
			if !strings.Contains(logs, "s3 put") && tt.wantCode == "" {
				t.Errorf("debug log has no put line: %q", logs)
			}
			for _, secret := range []string{testSecret, testToken} {
				if strings.Contains(logs, secret) {
					t.Errorf("log leaks a secret: %q", logs)
				}
			}
			for _, r := range h.fake.Requests() {
				if tt.anonymous && r.Authorization != "" {
					t.Errorf("anonymous store signed %s %s", r.Method, r.Path)
				}
				if !tt.anonymous && !strings.HasPrefix(r.Authorization, "AWS4-HMAC-SHA256 ") {
					t.Errorf("%s %s unsigned", r.Method, r.Path)
				}
			}
		})
	}
}

// A secret echoed back by a misbehaving service is scrubbed.
func TestServiceEchoingSecretIsScrubbed(t *testing.T) {
	s := &Store{bucket: "b", secrets: []string{testSecret}}
	err := s.fail("get", "k", errors.New("denied for "+testSecret))
	if strings.Contains(err.Error(), testSecret) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("error %q not scrubbed", err)
	}
}

func TestCancelledContext(t *testing.T) {
	h := newHarness(t, s3fake.Config{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checks := map[string]error{"put": h.store.Put(ctx, "k", strings.NewReader("v"))}
	_, checks["get"] = h.store.Get(ctx, "k")
	_, checks["exists"] = h.store.Exists(ctx, "k")
	_, checks["list"] = h.store.List(ctx, "")
	checks["delete"] = h.store.Delete(ctx, "k")
	for op, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", op, err)
		}
	}
	if _, ok := h.fake.Object("k"); ok {
		t.Fatal("a cancelled Put stored the blob")
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, host string
		secure   bool
		err      string
	}{
		{"", "s3.amazonaws.com", true, ""},
		{"http://localhost:9000", "localhost:9000", false, ""},
		{"https://acct.r2.cloudflarestorage.com/", "acct.r2.cloudflarestorage.com", true, ""},
		{"minio.internal:9000", "minio.internal:9000", true, ""},
		{"ftp://x", "", false, "scheme must be http or https"},
		{"http://user:pw@host", "", false, "credentials in the URL"},
		{"http://host/bucket", "", false, "without a path"},
		{"http://", "", false, "has no host"},
	}
	for _, tt := range tests {
		host, secure, err := parseEndpoint(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseEndpoint(%q) error %v, want %q", tt.in, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("parseEndpoint(%q) error leaks the URL password: %v", tt.in, err)
			}
			continue
		}
		if err != nil || host != tt.host || secure != tt.secure {
			t.Errorf("parseEndpoint(%q) = %q, %v, %v; want %q, %v", tt.in, host, secure, err, tt.host, tt.secure)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		err  string
	}{
		{"no bucket", Options{AccessKeyID: "a", SecretAccessKey: "b"}, "bucket is required"},
		{"bad bucket", Options{Bucket: "x..y", AccessKeyID: "a", SecretAccessKey: "b"}, "bucket"},
		{"no credentials", Options{Bucket: "b-1"}, "AWS_ACCESS_KEY_ID"},
		{"half credentials", Options{Bucket: "b-1", AccessKeyID: "a"}, "no credentials"},
		{"small parts", Options{Bucket: "b-1", AccessKeyID: "a", SecretAccessKey: "b", PartSize: 1 << 20}, "part size"},
		{"bad prefix", Options{Bucket: "b-1", AccessKeyID: "a", SecretAccessKey: "b", Prefix: "a/../b"}, "prefix"},
	}
	for _, tt := range tests {
		_, err := New(tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: New error %v, want %q", tt.name, err, tt.err)
		}
	}
}

// The registry factory resolves config against the environment: config
// credentials win as a whole, then AWS_* variables.
func TestRegistryFactory(t *testing.T) {
	fake := s3fake.New(s3fake.Config{Bucket: testBucket, AccessKeyID: testKeyID, SecretAccessKey: testSecret, Region: "eu-west-3"})
	srv := httptest.NewServer(fake)
	defer srv.Close()

	tests := []struct {
		name    string
		cfg     registry.Config
		env     map[string]string
		wantErr string
	}{
		{"env credentials, region and endpoint",
			registry.Config{"bucket": testBucket},
			map[string]string{"AWS_ACCESS_KEY_ID": testKeyID, "AWS_SECRET_ACCESS_KEY": testSecret,
				"AWS_REGION": "eu-west-3", "AWS_ENDPOINT_URL": srv.URL}, ""},
		{"config wins over env",
			registry.Config{"bucket": testBucket, "access_key_id": testKeyID, "secret_access_key": testSecret,
				"region": "eu-west-3", "endpoint": srv.URL},
			map[string]string{"AWS_ACCESS_KEY_ID": "other", "AWS_SECRET_ACCESS_KEY": "other-secret",
				"AWS_SESSION_TOKEN": "foreign-token", "AWS_REGION": "us-west-2"}, ""},
		{"s3-specific endpoint variable wins",
			registry.Config{"bucket": testBucket},
			map[string]string{"AWS_ACCESS_KEY_ID": testKeyID, "AWS_SECRET_ACCESS_KEY": testSecret,
				"AWS_DEFAULT_REGION": "eu-west-3", "AWS_ENDPOINT_URL_S3": srv.URL, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, ""},
		{"wrong region is refused by the service",
			registry.Config{"bucket": testBucket, "endpoint": srv.URL, "max_attempts": int64(1)},
			map[string]string{"AWS_ACCESS_KEY_ID": testKeyID, "AWS_SECRET_ACCESS_KEY": testSecret}, "SignatureDoesNotMatch"},
		{"no credentials",
			registry.Config{"bucket": testBucket}, nil, "AWS_ACCESS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := registry.Env{Getenv: func(k string) string { return tt.env[k] }, Logger: slog.New(slog.DiscardHandler)}
			v, err := registry.New(context.Background(), schema.PortBlobStore, AdapterName, tt.cfg, env)
			if err == nil {
				_, err = v.(ports.BlobStore).List(context.Background(), "probe")
			}
			if tt.wantErr == "" && err != nil {
				t.Fatalf("%v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	s := Schema()
	if s.Port != schema.PortBlobStore || s.Name != "s3" {
		t.Fatalf("schema names %s/%s", s.Port, s.Name)
	}
	sensitive := map[string]bool{"access_key_id": true, "secret_access_key": true, "session_token": true}
	for _, f := range s.Config {
		if f.Doc == "" || !strings.HasSuffix(f.Doc, ".") {
			t.Errorf("field %s: Doc %q is not a sentence", f.Name, f.Doc)
		}
		if f.Sensitive != sensitive[f.Name] {
			t.Errorf("field %s: Sensitive = %v", f.Name, f.Sensitive)
		}
	}
	if f, ok := s.Field("bucket"); !ok || !f.Required {
		t.Error("bucket must be required")
	}
	if _, ok := registry.Lookup(schema.PortBlobStore, "s3"); !ok {
		t.Error("s3 is not registered")
	}
}
