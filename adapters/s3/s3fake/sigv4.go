package s3fake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// authorization is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header.
type authorization struct {
	accessKeyID   string
	date          string // yyyymmdd of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

const sigV4Algorithm = "AWS4-HMAC-SHA256"

func parseAuthorization(h string) (authorization, error) {
	var a authorization
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return a, fmt.Errorf("unsupported authorization scheme (want %s)", sigV4Algorithm)
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("malformed authorization component %q", part)
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return a, fmt.Errorf("malformed credential scope")
			}
			a.accessKeyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKeyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return a, fmt.Errorf("incomplete authorization header")
	}
	return a, nil
}

// verifySigV4 recomputes the request's signature from the secret key, as
// an S3 server does, and reports why it does not match. payloadHash is
// the value of x-amz-content-sha256 (already checked against the body).
func verifySigV4(r *http.Request, a authorization, secret, region string, now time.Time) error {
	if a.service != "s3" {
		return fmt.Errorf("credential scope names service %q, want s3", a.service)
	}
	if a.region != region {
		return fmt.Errorf("credential scope names region %q, want %q", a.region, region)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return fmt.Errorf("missing or malformed X-Amz-Date")
	}
	if d := now.Sub(t); d > 15*time.Minute || d < -15*time.Minute {
		return fmt.Errorf("request time too skewed")
	}
	if !strings.HasPrefix(amzDate, a.date) {
		return fmt.Errorf("credential date does not match X-Amz-Date")
	}
	signed := map[string]bool{}
	for _, h := range a.signedHeaders {
		signed[h] = true
	}
	for _, must := range []string{"host", "x-amz-date", "x-amz-content-sha256"} {
		if !signed[must] {
			return fmt.Errorf("header %s is not signed", must)
		}
	}
	if r.Header.Get("X-Amz-Security-Token") != "" && !signed["x-amz-security-token"] {
		return fmt.Errorf("header x-amz-security-token is not signed")
	}

	canonical := strings.Join([]string{
		r.Method,
		uriEncode(r.URL.Path, false),
		canonicalQuery(r.URL.Query()),
		canonicalHeaders(r, a.signedHeaders),
		strings.Join(a.signedHeaders, ";"),
		r.Header.Get("X-Amz-Content-Sha256"),
	}, "\n")
	scope := strings.Join([]string{a.date, a.region, a.service, "aws4_request"}, "/")
	sum := sha256.Sum256([]byte(canonical))
	stringToSign := strings.Join([]string{sigV4Algorithm, amzDate, scope, hex.EncodeToString(sum[:])}, "\n")

	key := hmacSHA256([]byte("AWS4"+secret), a.date)
	key = hmacSHA256(key, a.region)
	key = hmacSHA256(key, a.service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return fmt.Errorf("signature does not match")
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalQuery sorts parameters by name then value, each URI-encoded.
func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// canonicalHeaders lists the signed headers as "name:value\n", values
// trimmed with inner runs of spaces collapsed.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			v = strings.Join(r.Header.Values(name), ",")
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(strings.Fields(v), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// uriEncode applies SigV4's encoding: everything but A-Z a-z 0-9 - _ . ~
// is percent-encoded with upper-case hex; '/' is kept unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
