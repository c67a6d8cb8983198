// Package s3fake is an in-process S3 server for tests only. It speaks the
// subset of the S3 REST protocol the s3 blob store uses (PUT, GET, HEAD
// and DELETE object, ListObjectsV2, multipart upload) on one path-style
// bucket, and it checks requests the way S3 does: every request must
// carry a valid AWS Signature Version 4 (recomputed from the secret key),
// the signed payload hash and Content-MD5 must match the body, and a
// configured session token must be present.
//
// Serve it with net/http/httptest:
//
//	fake := s3fake.New(s3fake.Config{Bucket: "b", AccessKeyID: "id", SecretAccessKey: "secret"})
//	srv := httptest.NewServer(fake)
package s3fake

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures a fake server.
type Config struct {
	Bucket          string
	Region          string // default "us-east-1"
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must be sent as X-Amz-Security-Token.
	SessionToken string
	// AllowAnonymous accepts unsigned requests (a public bucket).
	AllowAnonymous bool
	// PageSize caps ListObjectsV2 pages so tests exercise continuation
	// tokens (default 1000, as S3).
	PageSize int
}

// Request records what the fake saw of one request.
type Request struct {
	Method        string
	Path          string
	RawQuery      string
	Authorization string // the raw header ("" when unsigned)
	ContentSHA256 string
	SecurityToken string
}

type object struct {
	data    []byte
	etag    string
	modTime time.Time
}

type upload struct {
	key   string
	parts map[int][]byte
}

// Server is the fake. It implements http.Handler.
type Server struct {
	cfg Config

	mu       sync.Mutex
	objects  map[string]object
	uploads  map[string]*upload
	nextID   int
	failures []int
	requests []Request
}

// New returns an empty fake bucket.
func New(cfg Config) *Server {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 1000
	}
	return &Server{cfg: cfg, objects: map[string]object{}, uploads: map[string]*upload{}}
}

// FailNext makes the next requests fail with the given HTTP statuses
// (503 answers SlowDown, anything else InternalError), one per request.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, statuses...)
}

// Requests returns every request seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Object returns a stored object's bytes.
func (s *Server) Object(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key]
	return o.data, ok
}

// Seed stores an object directly, as another client would have.
func (s *Server) Seed(key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = newObject(bytes.Clone(data))
}

// Keys returns the stored keys, sorted.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.objects))
}

// PendingUploads returns the number of multipart uploads neither
// completed nor aborted.
func (s *Server) PendingUploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.uploads)
}

// errorResponse is S3's XML error body.
type errorResponse struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Key       string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg, key string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return // HEAD responses carry no body; clients map the status
	}
	writeXML(w, errorResponse{Code: code, Message: msg, Key: key, RequestID: "fake-request"})
}

func writeXML(w io.Writer, v any) {
	io.WriteString(w, xml.Header)
	if err := xml.NewEncoder(w).Encode(v); err != nil {
		panic(err) // only fixed, encodable types are written
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"),
		ContentSHA256: r.Header.Get("X-Amz-Content-Sha256"),
		SecurityToken: r.Header.Get("X-Amz-Security-Token"),
	})
	var injected int
	if len(s.failures) > 0 {
		injected, s.failures = s.failures[0], s.failures[1:]
	}
	s.mu.Unlock()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "IncompleteBody", err.Error(), "")
		return
	}
	if injected != 0 {
		if injected == http.StatusServiceUnavailable {
			s.fail(w, r, injected, "SlowDown", "Please reduce your request rate.", "")
		} else {
			s.fail(w, r, injected, "InternalError", "We encountered an internal error. Please try again.", "")
		}
		return
	}
	if !s.authenticate(w, r, body) {
		return
	}
	if md5h := r.Header.Get("Content-Md5"); md5h != "" {
		sum := md5.Sum(body)
		if md5h != base64.StdEncoding.EncodeToString(sum[:]) {
			s.fail(w, r, http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.", "")
			return
		}
	}

	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if bucket != s.cfg.Bucket {
		s.fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", "")
		return
	}
	q := r.URL.Query()
	switch {
	case key == "" && r.Method == http.MethodGet && q.Has("location"):
		writeXML(w, struct {
			XMLName xml.Name `xml:"LocationConstraint"`
			Region  string   `xml:",chardata"`
		}{Region: s.cfg.Region})
	case key == "" && r.Method == http.MethodGet && q.Get("list-type") == "2":
		s.list(w, r)
	case key == "":
		s.fail(w, r, http.StatusNotImplemented, "NotImplemented", "bucket operation not supported by the fake", "")
	case r.Method == http.MethodPost && q.Has("uploads"):
		s.initiate(w, key)
	case r.Method == http.MethodPut && q.Has("uploadId"):
		s.putPart(w, r, key, body)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		s.complete(w, r, key, body)
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		s.abort(w, r, key)
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") == "" && len(q) == 0:
		s.mu.Lock()
		o := newObject(body)
		s.objects[key] = o
		s.mu.Unlock()
		w.Header().Set("ETag", o.etag)
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(q) == 0:
		s.get(w, r, key)
	case r.Method == http.MethodDelete && len(q) == 0:
		s.mu.Lock()
		delete(s.objects, key)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		s.fail(w, r, http.StatusNotImplemented, "NotImplemented", "object operation not supported by the fake", key)
	}
}

func newObject(data []byte) object {
	sum := md5.Sum(data)
	return object{data: data, etag: `"` + hex.EncodeToString(sum[:]) + `"`, modTime: time.Now().UTC()}
}

// authenticate checks credentials, payload hash and signature, writing
// the S3 error and returning false when they are wrong.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, body []byte) bool {
	h := r.Header.Get("Authorization")
	if h == "" {
		if s.cfg.AllowAnonymous {
			return true
		}
		s.fail(w, r, http.StatusForbidden, "AccessDenied", "Access Denied", "")
		return false
	}
	a, err := parseAuthorization(h)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "AuthorizationHeaderMalformed", err.Error(), "")
		return false
	}
	if a.accessKeyID != s.cfg.AccessKeyID {
		s.fail(w, r, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", "")
		return false
	}
	if s.cfg.SessionToken != "" && r.Header.Get("X-Amz-Security-Token") != s.cfg.SessionToken {
		s.fail(w, r, http.StatusForbidden, "InvalidToken", "The provided token is malformed or otherwise invalid.", "")
		return false
	}
	switch ph := r.Header.Get("X-Amz-Content-Sha256"); {
	case ph == "UNSIGNED-PAYLOAD":
	case strings.HasPrefix(ph, "STREAMING-"):
		s.fail(w, r, http.StatusNotImplemented, "NotImplemented", "chunked (streaming) payload signing is not supported by the fake", "")
		return false
	default:
		sum := sha256.Sum256(body)
		if ph != hex.EncodeToString(sum[:]) {
			s.fail(w, r, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", "")
			return false
		}
	}
	if err := verifySigV4(r, a, s.cfg.SecretAccessKey, s.cfg.Region, time.Now()); err != nil {
		s.fail(w, r, http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided ("+err.Error()+").", "")
		return false
	}
	return true
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, key string) {
	s.mu.Lock()
	o, ok := s.objects[key]
	s.mu.Unlock()
	if !ok {
		s.fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", key)
		return
	}
	w.Header().Set("ETag", o.etag)
	w.Header().Set("Last-Modified", o.modTime.Format(http.TimeFormat))
	w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
	w.Header().Set("Content-Type", "application/octet-stream")
	if r.Method == http.MethodGet {
		w.Write(o.data)
	}
}

// listResult is ListObjectsV2's response body.
type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	KeyCount              int
	MaxKeys               int
	EncodingType          string `xml:",omitempty"`
	IsTruncated           bool
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	Contents              []listEntry
}

type listEntry struct {
	Key          string
	LastModified string
	ETag         string
	Size         int
	StorageClass string
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("delimiter") != "" {
		s.fail(w, r, http.StatusNotImplemented, "NotImplemented", "delimited listing is not supported by the fake", "")
		return
	}
	prefix := q.Get("prefix")
	after := q.Get("start-after")
	token := q.Get("continuation-token")
	if token != "" {
		b, err := base64.StdEncoding.DecodeString(token)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect", "")
			return
		}
		after = string(b)
	}
	maxKeys := s.cfg.PageSize
	if mk := q.Get("max-keys"); mk != "" {
		if n, err := strconv.Atoi(mk); err == nil && n >= 0 && n < maxKeys {
			maxKeys = n
		}
	}
	encode := q.Get("encoding-type") == "url"

	res := listResult{Name: s.cfg.Bucket, Prefix: prefix, MaxKeys: maxKeys, ContinuationToken: token}
	if encode {
		res.EncodingType = "url"
	}
	s.mu.Lock()
	keys := make([]string, 0, len(s.objects))
	for k := range s.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > maxKeys {
		keys = keys[:maxKeys]
		res.IsTruncated = true
		res.NextContinuationToken = base64.StdEncoding.EncodeToString([]byte(keys[len(keys)-1]))
	}
	for _, k := range keys {
		o := s.objects[k]
		name := k
		if encode {
			name = queryEscape(k)
		}
		res.Contents = append(res.Contents, listEntry{
			Key: name, LastModified: o.modTime.Format(time.RFC3339), ETag: o.etag,
			Size: len(o.data), StorageClass: "STANDARD",
		})
	}
	s.mu.Unlock()
	res.KeyCount = len(res.Contents)
	w.Header().Set("Content-Type", "application/xml")
	writeXML(w, res)
}

// queryEscape encodes a key as S3 does for encoding-type=url.
func queryEscape(k string) string {
	return strings.ReplaceAll(uriEncode(k, false), "%20", "+")
}

func (s *Server) initiate(w http.ResponseWriter, key string) {
	s.mu.Lock()
	s.nextID++
	id := fmt.Sprintf("upload-%d", s.nextID)
	s.uploads[id] = &upload{key: key, parts: map[int][]byte{}}
	s.mu.Unlock()
	writeXML(w, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		Bucket   string
		Key      string
		UploadID string `xml:"UploadId"`
	}{Bucket: s.cfg.Bucket, Key: key, UploadID: id})
}

func (s *Server) putPart(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		s.fail(w, r, http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", key)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	up, ok := s.uploads[q.Get("uploadId")]
	if !ok || up.key != key {
		s.fail(w, r, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist.", key)
		return
	}
	up.parts[n] = body
	sum := md5.Sum(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
}

// minPartSize is S3's smallest allowed part (except the last).
const minPartSize = 5 << 20

func (s *Server) complete(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	var req struct {
		Parts []struct {
			PartNumber int
			ETag       string
		} `xml:"Part"`
	}
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) == 0 {
		s.fail(w, r, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed", key)
		return
	}
	id := r.URL.Query().Get("uploadId")
	s.mu.Lock()
	defer s.mu.Unlock()
	up, ok := s.uploads[id]
	if !ok || up.key != key {
		s.fail(w, r, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist.", key)
		return
	}
	var data bytes.Buffer
	md5s := md5.New()
	for i, p := range req.Parts {
		part, ok := up.parts[p.PartNumber]
		sum := md5.Sum(part)
		if !ok || strings.Trim(p.ETag, `"`) != hex.EncodeToString(sum[:]) {
			s.fail(w, r, http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.", key)
			return
		}
		if i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber {
			s.fail(w, r, http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order.", key)
			return
		}
		if i < len(req.Parts)-1 && len(part) < minPartSize {
			s.fail(w, r, http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", key)
			return
		}
		data.Write(part)
		md5s.Write(sum[:])
	}
	o := newObject(data.Bytes())
	o.etag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(md5s.Sum(nil)), len(req.Parts))
	s.objects[key] = o
	delete(s.uploads, id)
	writeXML(w, struct {
		XMLName xml.Name `xml:"CompleteMultipartUploadResult"`
		Bucket  string
		Key     string
		ETag    string
	}{Bucket: s.cfg.Bucket, Key: key, ETag: o.etag})
}

func (s *Server) abort(w http.ResponseWriter, r *http.Request, key string) {
	id := r.URL.Query().Get("uploadId")
	s.mu.Lock()
	up, ok := s.uploads[id]
	if ok && up.key == key {
		delete(s.uploads, id)
	}
	s.mu.Unlock()
	if !ok {
		s.fail(w, r, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist.", key)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
