// Package s3 is the "s3" blob_store adapter: blobs stored as objects in an
// Amazon S3 bucket or an S3-compatible service (MinIO, Cloudflare R2, ...),
// optionally under a key prefix.
//
// It speaks S3 through github.com/minio/minio-go/v7 (Core API), signing
// every request with AWS Signature Version 4. Uploads send the payload's
// SHA-256 (signed) and MD5 (Content-MD5) so the service rejects a
// corrupted body. Blobs up to the part size go up in one PUT; larger ones
// in a multipart upload. Both are atomic from a reader's view: S3 makes an
// object visible only once its PUT or CompleteMultipartUpload succeeds,
// and a failed multipart upload is aborted.
//
// Secrets (the secret access key and session token) are never logged and
// are scrubbed from every error message.
package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// AdapterName is the adapter's name in manifests.
const AdapterName = "s3"

// Size limits of the S3 protocol.
const (
	MinPartSize     = 5 << 20 // smallest part of a multipart upload but the last
	MaxPartSize     = 5 << 30 // largest part (and largest single PUT)
	DefaultPartSize = 16 << 20
	maxKeyLen       = 1024 // bytes of an object key, prefix included
)

// Options configures a Store. Bucket is required; the zero value of every
// other field has a sensible meaning.
type Options struct {
	Bucket string
	// Prefix is prepended to every key ("runs/" + key); slashes at its
	// ends are normalised so that it always ends in exactly one "/".
	Prefix string
	// Region signs requests; "" means "us-east-1".
	Region string
	// Endpoint is the service URL ("http://localhost:9000"); a bare host
	// means https. "" means Amazon S3.
	Endpoint string
	// PathStyle forces path-style URLs (endpoint/bucket/key). Otherwise
	// the client uses virtual-hosted URLs for Amazon S3 and path-style
	// URLs for other endpoints.
	PathStyle bool

	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Anonymous sends unsigned requests (public buckets) and ignores the
	// credentials.
	Anonymous bool

	// PartSize is the multipart part size in bytes and the largest blob
	// sent in one PUT (default DefaultPartSize).
	PartSize int64
	// MaxAttempts bounds the attempts per request, retries on throttling
	// and server errors included (default 5).
	MaxAttempts int

	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
	// Logger receives debug lines about requests (never secrets).
	Logger *slog.Logger
}

// Store is an S3-backed ports.BlobStore.
type Store struct {
	core     minio.Core
	bucket   string
	prefix   string
	partSize int64
	log      *slog.Logger
	secrets  []string // scrubbed from error messages
}

var _ ports.BlobStore = (*Store)(nil)

// New validates o and returns a Store. It makes no request: a wrong
// bucket or credential shows up on first use.
func New(o Options) (*Store, error) {
	if o.Bucket == "" {
		return nil, errors.New("bucket is required")
	}
	if err := s3utils.CheckValidBucketName(o.Bucket); err != nil {
		return nil, fmt.Errorf("bucket %q: %w", o.Bucket, err)
	}
	prefix, err := normalizePrefix(o.Prefix)
	if err != nil {
		return nil, err
	}
	host, secure, err := parseEndpoint(o.Endpoint)
	if err != nil {
		return nil, err
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	partSize := o.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < MinPartSize || partSize > MaxPartSize {
		return nil, fmt.Errorf("part size %d bytes is outside S3's limits [%d, %d]", partSize, int64(MinPartSize), int64(MaxPartSize))
	}
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}

	var creds *credentials.Credentials
	switch {
	case o.Anonymous:
		creds = credentials.NewStaticV4("", "", "")
	case o.AccessKeyID == "" || o.SecretAccessKey == "":
		return nil, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), " +
			"or access_key_id and secret_access_key from env(), or anonymous = true for a public bucket")
	default:
		creds = credentials.NewStaticV4(o.AccessKeyID, o.SecretAccessKey, o.SessionToken)
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        creds,
		Secure:       secure,
		Region:       region,
		BucketLookup: lookup,
		Transport:    o.Transport,
		MaxRetries:   attempts,
	})
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", host, err)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{core: minio.Core{Client: client}, bucket: o.Bucket, prefix: prefix, partSize: partSize, log: log}
	if !o.Anonymous {
		for _, secret := range []string{o.SecretAccessKey, o.SessionToken} {
			if secret != "" {
				s.secrets = append(s.secrets, secret)
			}
		}
	}
	return s, nil
}

// parseEndpoint returns the host[:port] and whether to use TLS.
func parseEndpoint(raw string) (host string, secure bool, err error) {
	if raw == "" {
		return "s3.amazonaws.com", true, nil
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmt.Errorf("endpoint: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", false, fmt.Errorf("endpoint %q: scheme must be http or https", u.Redacted())
	case u.User != nil:
		return "", false, errors.New("endpoint: credentials in the URL are not allowed; use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	case u.Host == "":
		return "", false, fmt.Errorf("endpoint %q has no host", u.Redacted())
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", false, fmt.Errorf("endpoint %q: must be scheme://host[:port] without a path", u.Redacted())
	}
	return u.Host, u.Scheme == "https", nil
}

func normalizePrefix(p string) (string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	if err := checkKey(p); err != nil {
		return "", fmt.Errorf("prefix: %w", err)
	}
	return p + "/", nil
}

// checkKey rejects keys that would not round-trip through S3 and local
// file stores alike: empty, invalid UTF-8, absolute, or holding empty,
// "." or ".." path segments.
func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case !utf8.ValidString(key):
		return fmt.Errorf("key %q is not valid UTF-8", key)
	case strings.ContainsRune(key, 0):
		return fmt.Errorf("key %q contains a NUL byte", key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("key %q: empty, \".\" and \"..\" path segments are not allowed", key)
		}
	}
	return nil
}

// object returns the object name of key.
func (s *Store) object(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	name := s.prefix + key
	if len(name) > maxKeyLen {
		return "", fmt.Errorf("key %q: object name is %d bytes, S3 allows %d", key, len(name), maxKeyLen)
	}
	return name, nil
}

// Get implements ports.BlobStore. A missing key yields an error that
// matches fs.ErrNotExist.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, s.fail("get", "", err)
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("get", name, err)
	}
	s.log.DebugContext(ctx, "s3 get", "bucket", s.bucket, "object", name)
	return body, nil
}

// Exists implements ports.BlobStore.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	name, err := s.object(key)
	if err != nil {
		return false, s.fail("exists", "", err)
	}
	if _, err := s.core.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{}); err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, s.fail("exists", name, err)
	}
	return true, nil
}

// Delete implements ports.BlobStore. Deleting a missing key succeeds, as
// in S3.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return s.fail("delete", "", err)
	}
	if err := s.core.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil {
		return s.fail("delete", name, err)
	}
	s.log.DebugContext(ctx, "s3 delete", "bucket", s.bucket, "object", name)
	return nil
}

// List implements ports.BlobStore: the keys (without the store's prefix)
// that start with prefix, in byte order.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if !utf8.ValidString(prefix) {
		return nil, s.fail("list", "", fmt.Errorf("prefix %q is not valid UTF-8", prefix))
	}
	full := s.prefix + prefix
	var keys []string
	for obj := range s.core.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: full, Recursive: true}) {
		if obj.Err != nil {
			return nil, s.fail("list", full, obj.Err)
		}
		key, ok := strings.CutPrefix(obj.Key, s.prefix)
		if !ok {
			return nil, s.fail("list", full, fmt.Errorf("service returned object %q outside prefix %q", obj.Key, s.prefix))
		}
		keys = append(keys, key)
	}
	if err := ctx.Err(); err != nil {
		// The iterator stops silently on cancellation; a partial list
		// must not pass for a complete one.
		return nil, s.fail("list", full, err)
	}
	sort.Strings(keys)
	return keys, nil
}

// Put implements ports.BlobStore. Blobs up to the part size are sent in
// one PUT; larger ones in a multipart upload that is aborted on failure.
// Memory use is bounded by one part.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := s.object(key)
	if err != nil {
		return s.fail("put", "", err)
	}
	start := time.Now()
	var buf bytes.Buffer
	if err := readPart(&buf, r, s.partSize); err != nil {
		return s.fail("put", name, fmt.Errorf("reading blob: %w", err))
	}
	if int64(buf.Len()) < s.partSize {
		md5b64, sha := sums(buf.Bytes())
		_, err := s.core.PutObject(ctx, s.bucket, name, bytes.NewReader(buf.Bytes()), int64(buf.Len()), md5b64, sha, putOptions())
		if err != nil {
			return s.fail("put", name, err)
		}
		s.log.DebugContext(ctx, "s3 put", "bucket", s.bucket, "object", name, "bytes", buf.Len(), "took", time.Since(start))
		return nil
	}
	size, parts, err := s.putMultipart(ctx, name, &buf, r)
	if err != nil {
		return s.fail("put", name, err)
	}
	s.log.DebugContext(ctx, "s3 put", "bucket", s.bucket, "object", name, "bytes", size, "parts", parts, "took", time.Since(start))
	return nil
}

// putMultipart uploads buf (a full first part) and the rest of r. The
// object appears only when the upload completes.
func (s *Store) putMultipart(ctx context.Context, name string, buf *bytes.Buffer, r io.Reader) (size int64, parts int, err error) {
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, name, putOptions())
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if err == nil {
			return
		}
		// Abort even when ctx is cancelled, so the service frees the parts.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if aerr := s.core.AbortMultipartUpload(actx, s.bucket, name, id); aerr != nil {
			s.log.WarnContext(ctx, "s3 abort multipart upload failed", "bucket", s.bucket, "object", name, "error", s.scrub(aerr.Error()))
		}
	}()
	var done []minio.CompletePart
	for n := 1; ; n++ {
		if n > 1 {
			buf.Reset()
			if err := readPart(buf, r, s.partSize); err != nil {
				return 0, 0, fmt.Errorf("reading blob: %w", err)
			}
			if buf.Len() == 0 {
				break
			}
		}
		if n > 10000 {
			return 0, 0, fmt.Errorf("blob needs more than 10000 parts of %d bytes; raise the part size", s.partSize)
		}
		md5b64, sha := sums(buf.Bytes())
		part, err := s.core.PutObjectPart(ctx, s.bucket, name, id, n, bytes.NewReader(buf.Bytes()), int64(buf.Len()),
			minio.PutObjectPartOptions{Md5Base64: md5b64, Sha256Hex: sha, DisableContentSha256: true})
		if err != nil {
			return 0, 0, fmt.Errorf("part %d: %w", n, err)
		}
		done = append(done, minio.CompletePart{PartNumber: n, ETag: part.ETag})
		size += int64(buf.Len())
		if int64(buf.Len()) < s.partSize {
			break
		}
	}
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, name, id, done, putOptions()); err != nil {
		return 0, 0, fmt.Errorf("completing upload: %w", err)
	}
	return size, len(done), nil
}

// putOptions disables minio-go's chunked payload signing (used on plain
// HTTP) because Put signs the SHA-256 of the whole part instead.
func putOptions() minio.PutObjectOptions {
	return minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true}
}

// readPart appends up to n bytes of r to buf.
func readPart(buf *bytes.Buffer, r io.Reader, n int64) error {
	_, err := buf.ReadFrom(io.LimitReader(r, n))
	return err
}

func sums(b []byte) (md5Base64, sha256Hex string) {
	m := md5.Sum(b)
	h := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(m[:]), hex.EncodeToString(h[:])
}

func isNotFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.Code == minio.NoSuchKey || (resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket)
}

// fail turns err into the port's error: the object's s3:// URL, the
// service's error code, status and message, with secrets scrubbed.
func (s *Store) fail(op, name string, err error) error {
	where := "s3://" + s.bucket + "/" + name
	var msg string
	resp := minio.ToErrorResponse(err)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("%s: %v", where, err)
	case resp.Code != "" || resp.StatusCode != 0:
		msg = fmt.Sprintf("%s: %s (HTTP %d): %s", where, resp.Code, resp.StatusCode, resp.Message)
		if resp.Message == "" {
			msg = fmt.Sprintf("%s: %s (HTTP %d)", where, resp.Code, resp.StatusCode)
		}
		if resp.RequestID != "" {
			msg += " [request id " + resp.RequestID + "]"
		}
	case name == "":
		msg = err.Error()
	default:
		msg = fmt.Sprintf("%s: %v", where, err)
	}
	e := &scrubbedError{msg: s.scrub(msg), err: err, notFound: isNotFound(err) && op != "list"}
	return ports.Wrap(schema.PortBlobStore, AdapterName, op, e)
}

func (s *Store) scrub(msg string) string {
	for _, secret := range s.secrets {
		msg = strings.ReplaceAll(msg, secret, "[REDACTED]")
	}
	return msg
}

// scrubbedError carries a message safe to print next to the original
// error (kept for errors.Is/As).
type scrubbedError struct {
	msg      string
	err      error
	notFound bool
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// Is makes a missing object match fs.ErrNotExist, as a missing local file
// does.
func (e *scrubbedError) Is(target error) bool { return e.notFound && target == fs.ErrNotExist }
