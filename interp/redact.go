package interp

import (
	"bytes"
	"sort"
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
		if len(v) >= minSecretLen && !seen[v] {
			seen[v] = true
			secrets = append(secrets, v)
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
