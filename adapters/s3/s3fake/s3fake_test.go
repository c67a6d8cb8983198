package s3fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The fake must refuse what S3 refuses, or the adapter tests prove
// nothing: unsigned requests, malformed or foreign credentials, a body
// that does not match its signed hash, and unsupported operations.
func TestFakeRejects(t *testing.T) {
	fake := New(Config{Bucket: "b", AccessKeyID: "id", SecretAccessKey: "secret"})
	srv := httptest.NewServer(fake)
	defer srv.Close()

	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		body     string
		wantCode int
		wantErr  string
	}{
		{"unsigned", "GET", "/b/k", nil, "", 403, "AccessDenied"},
		{"other scheme", "GET", "/b/k", map[string]string{"Authorization": "AWS id:sig"}, "", 400, "AuthorizationHeaderMalformed"},
		{"unknown key id", "GET", "/b/k", map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=nobody/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
			"", 403, "InvalidAccessKeyId"},
		{"payload hash mismatch", "PUT", "/b/k", map[string]string{
			"Authorization":        "AWS4-HMAC-SHA256 Credential=id/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
			"X-Amz-Content-Sha256": strings.Repeat("0", 64)},
			"body", 400, "XAmzContentSHA256Mismatch"},
		{"bad signature", "GET", "/b/k", map[string]string{
			"Authorization":        "AWS4-HMAC-SHA256 Credential=id/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00",
			"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"},
			"", 403, "SignatureDoesNotMatch"},
		{"streaming signature", "PUT", "/b/k", map[string]string{
			"Authorization":        "AWS4-HMAC-SHA256 Credential=id/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
			"X-Amz-Content-Sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
			"x", 501, "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantCode || !strings.Contains(string(body), "<Code>"+tt.wantErr+"</Code>") {
				t.Fatalf("status %d body %s; want %d %s", resp.StatusCode, body, tt.wantCode, tt.wantErr)
			}
		})
	}
	if len(fake.Keys()) != 0 {
		t.Fatalf("rejected requests stored %v", fake.Keys())
	}
}

func TestURIEncode(t *testing.T) {
	tests := []struct{ in, slashKept, slashEncoded string }{
		{"a/b c", "a/b%20c", "a%2Fb%20c"},
		{"A-z_0.9~", "A-z_0.9~", "A-z_0.9~"},
		{"ü+=", "%C3%BC%2B%3D", "%C3%BC%2B%3D"},
	}
	for _, tt := range tests {
		if got := uriEncode(tt.in, false); got != tt.slashKept {
			t.Errorf("uriEncode(%q, false) = %q, want %q", tt.in, got, tt.slashKept)
		}
		if got := uriEncode(tt.in, true); got != tt.slashEncoded {
			t.Errorf("uriEncode(%q, true) = %q, want %q", tt.in, got, tt.slashEncoded)
		}
	}
}
