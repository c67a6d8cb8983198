package interp

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// minSecretLen is the shortest secret value that is redacted. Shorter
// values (a one-digit "secret") would make redaction garble ordinary text;
// real keys and tokens are far longer.
const minSecretLen = 4

// redactor replaces secret values with a placeholder in anything the
// interpreter writes or prints.
type redactor struct {
	secrets []string // longest first, so a secret containing another is replaced whole
	r       *strings.Replacer
}

func newRedactor(values []string) *redactor {
	seen := map[string]bool{}
	var secrets []string
	for _, v := range values {
		if len(v) < minSecretLen {
			continue
		}
		// Besides the value itself, the forms it takes inside JSON
		// strings (events, metrics) and quoted slog values (run.log):
		// a secret with a quote, a backslash or <>& is escaped there.
		for _, form := range escapedForms(v) {
			if !seen[form] {
				seen[form] = true
				secrets = append(secrets, form)
			}
		}
	}
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	rd := &redactor{secrets: secrets}
	if len(secrets) > 0 {
		var pairs []string
		for _, s := range secrets {
			pairs = append(pairs, s, "[REDACTED]")
		}
		rd.r = strings.NewReplacer(pairs...)
	}
	return rd
}

// escapedForms returns v as it appears raw, inside a JSON string (with and
// without HTML escaping), inside a Go-quoted string and URL-escaped.
func escapedForms(v string) []string {
	forms := []string{v, strconv.Quote(v)}
	var buf bytes.Buffer
	for _, html := range []bool{true, false} {
		buf.Reset()
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			forms = append(forms, strings.TrimSuffix(buf.String(), "\n"))
		}
	}
	for i := 1; i < len(forms); i++ {
		forms[i] = forms[i][1 : len(forms[i])-1] // drop the quotes
	}
	// And as URL-escaped in the URL an HTTP error message quotes.
	return append(forms, url.QueryEscape(v), url.PathEscape(v))
}

// active reports whether there is anything to redact.
func (rd *redactor) active() bool { return rd != nil && rd.r != nil }

// String redacts s.
func (rd *redactor) String(s string) string {
	if !rd.active() {
		return s
	}
	return rd.r.Replace(s)
}

// Contains reports whether b holds a secret.
func (rd *redactor) Contains(b []byte) bool {
	if !rd.active() {
		return false
	}
	for _, s := range rd.secrets {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// Bytes redacts b (returning b itself when it holds no secret).
func (rd *redactor) Bytes(b []byte) []byte {
	if !rd.Contains(b) {
		return b
	}
	return []byte(rd.r.Replace(string(b)))
}

// redactedError is an error whose message has secrets removed; errors.Is
// and errors.As still see the original chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Error redacts an error's message.
func (rd *redactor) Error(err error) error {
	if err == nil || !rd.active() {
		return err
	}
	msg := err.Error()
	if red := rd.r.Replace(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}
