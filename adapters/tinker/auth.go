package tinker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// redactor removes secrets from text that may reach a log line or an
// error: server messages are passed through it because a service (or a
// proxy) may echo the credential it was given.
type redactor struct {
	mu      sync.RWMutex
	secrets []string
}

func (r *redactor) add(s string) {
	if len(s) < 4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// redact replaces every known secret in s.
func (r *redactor) redact(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

// credentialCmdTTL is how long a TINKER_CREDENTIAL_CMD result is reused.
// The SDK runs the command on every use; we cache briefly so that a
// pipelined run does not spawn a process per request.
const credentialCmdTTL = 60 * time.Second

// JWT timing (../shared/reference/tinker-protocol.md §1).
const (
	jwtRefreshBefore = 300 * time.Second // refresh this long before exp
	jwtRetryAfter    = 60 * time.Second  // wait after a failed refresh
)

// auth produces the X-API-Key header value: the API key, or a JWT
// obtained by exchanging it when the service asks for JWTs.
type auth struct {
	key string
	cmd string
	red *redactor
	now func() time.Time

	mu       sync.Mutex
	cmdValue string
	cmdAt    time.Time
	useJWT   bool
	jwt      string
	jwtExp   time.Time
	failedAt time.Time
	// exchange trades the base credential for a JWT (POST /auth/token).
	exchange func(ctx context.Context, credential string) (string, error)
}

func newAuth(cfg Config, red *redactor) *auth {
	red.add(cfg.APIKey)
	return &auth{key: cfg.APIKey, cmd: cfg.CredentialCmd, red: red, now: time.Now}
}

// base returns the API key or the credential command's output.
func (a *auth) base(ctx context.Context) (string, error) {
	if a.key != "" {
		return a.key, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmdValue != "" && a.now().Sub(a.cmdAt) < credentialCmdTTL {
		return a.cmdValue, nil
	}
	out, err := exec.CommandContext(ctx, "sh", "-c", a.cmd).Output()
	if err != nil {
		// Neither the output nor stderr is quoted: either may hold a secret.
		return "", fmt.Errorf("credential command failed: %v", errors.Unwrap(err))
	}
	v := strings.TrimSpace(string(out))
	a.red.add(v)
	if err := checkCredential(v); err != nil {
		return "", fmt.Errorf("credential command output: %w", err)
	}
	a.cmdValue, a.cmdAt = v, a.now()
	return v, nil
}

// header returns the value for X-API-Key.
func (a *auth) header(ctx context.Context) (string, error) {
	a.mu.Lock()
	useJWT := a.useJWT
	jwt, exp, failedAt := a.jwt, a.jwtExp, a.failedAt
	a.mu.Unlock()
	if !useJWT {
		return a.base(ctx)
	}
	now := a.now()
	if jwt != "" && now.Before(exp.Add(-jwtRefreshBefore)) {
		return jwt, nil
	}
	if jwt != "" && now.Sub(failedAt) < jwtRetryAfter && now.Before(exp) {
		return jwt, nil // a refresh failed recently; the old token still works
	}
	return a.refresh(ctx)
}

// refresh exchanges the base credential for a new JWT.
func (a *auth) refresh(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if a.jwt != "" && now.Before(a.jwtExp.Add(-jwtRefreshBefore)) {
		return a.jwt, nil // another request refreshed it meanwhile
	}
	base, err := a.baseLocked(ctx)
	if err != nil {
		return "", err
	}
	jwt, err := a.exchange(ctx, base)
	if err != nil {
		a.failedAt = now
		if a.jwt != "" && now.Before(a.jwtExp) {
			return a.jwt, nil
		}
		return "", fmt.Errorf("JWT exchange: %w", err)
	}
	a.red.add(jwt)
	a.jwt, a.jwtExp = jwt, jwtExpiry(jwt, now)
	return jwt, nil
}

// baseLocked is base with a.mu held.
func (a *auth) baseLocked(ctx context.Context) (string, error) {
	if a.key != "" {
		return a.key, nil
	}
	a.mu.Unlock()
	defer a.mu.Lock()
	return a.base(ctx)
}

// enableJWT switches to JWT credentials (server flag pjwt_auth_enabled).
func (a *auth) enableJWT(exchange func(context.Context, string) (string, error)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.useJWT, a.exchange = true, exchange
}

// jwtExpiry reads the exp claim; a token without one is refreshed after
// an hour.
func jwtExpiry(jwt string, now time.Time) time.Time {
	parts := strings.Split(jwt, ".")
	if len(parts) == 3 {
		if payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "=")); err == nil {
			var claims struct {
				Exp float64 `json:"exp"`
			}
			if json.Unmarshal(payload, &claims) == nil && claims.Exp > 0 {
				return time.Unix(int64(claims.Exp), 0)
			}
		}
	}
	return now.Add(time.Hour)
}
