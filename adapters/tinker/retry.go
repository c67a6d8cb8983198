package tinker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"
)

// RetryPolicy is the one home of the adapter's retry rules; requests
// (transport.call) and future polls (service.await) both follow it
// through a retrier. Delays are min(Base*2^n, Max) with up to 25 % jitter
// subtracted, unless the service sends retry-after(-ms).
type RetryPolicy struct {
	Base time.Duration // first backoff (default 0.5 s)
	Max  time.Duration // backoff cap (default 10 s)
	// Budget bounds the time one request (or one future's polls) may
	// keep failing in a row, once the service has answered at least once
	// (default 5 min).
	Budget time.Duration
	// ConnectTimeout bounds the retries while the service has never
	// answered (connection refused, unknown host, no answer at all):
	// the first request fails this long after it was first sent
	// (default 30 s), so a wrong URL or a service that is down fails
	// fast rather than after the whole budget.
	ConnectTimeout time.Duration
	// ConnectAttempts bounds the attempts that fail in a row without a
	// connection (refused, unreachable), even after the service has
	// answered (default 8: about 30 s of backoff). An unknown host gets
	// 3.
	ConnectAttempts int
	// BillingPause is the wait after a 402 (default 5 s); BillingMax
	// bounds the total pause of one request (default: the service's
	// billing_exception_max_pause_duration_sec flag, else 1 h).
	BillingPause time.Duration
	BillingMax   time.Duration
	// Jitter returns a number in [0,1); nil uses math/rand.
	Jitter func() float64
}

// unknownHostAttempts is how often a name the resolver does not know is
// tried: a typo does not get better with time, a resolver hiccup might.
const unknownHostAttempts = 3

// defaultBillingMax bounds 402 pauses when neither the service nor the
// config says otherwise.
const defaultBillingMax = time.Hour

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	if p.Budget <= 0 {
		p.Budget = 5 * time.Minute
	}
	if p.ConnectTimeout <= 0 {
		p.ConnectTimeout = 30 * time.Second
	}
	if p.ConnectAttempts <= 0 {
		p.ConnectAttempts = 8
	}
	if p.BillingPause <= 0 {
		p.BillingPause = 5 * time.Second
	}
	if p.Jitter == nil {
		p.Jitter = rand.Float64
	}
	return p
}

// nominal returns the delay before retry n (0-based) without jitter.
func (p RetryPolicy) nominal(n int) time.Duration {
	d := p.Base
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// backoff returns the delay before retry n (0-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	return time.Duration(float64(p.nominal(n)) * (1 - 0.25*p.Jitter()))
}

// errUnreachable marks a service that could not be reached: it never
// answered within the connect timeout, or refused too many connections
// in a row. Retrying the operation again at once would not help.
var errUnreachable = errors.New("service unreachable")

// unreachableError is an errUnreachable failure: a one-line message
// (where, how many attempts, the short cause) and the last attempt's
// error.
type unreachableError struct {
	msg   string
	cause error
}

func (e *unreachableError) Error() string { return e.msg }

// Unwrap lets errors.Is find errUnreachable and the cause.
func (e *unreachableError) Unwrap() []error { return []error{errUnreachable, e.cause} }

// failureKind classifies an attempt's failure for the retry rules.
type failureKind int

const (
	failAnswer      failureKind = iota // the service answered (5xx, 429, ...)
	failNoAnswer                       // connected, but no complete answer (timeout, reset, EOF)
	failConnect                        // no connection (refused, unreachable)
	failUnknownHost                    // the name does not resolve
)

// describe returns a short cause for people ("connection refused",
// "unknown host x.example", "no answer within 60s") and its kind.
func describe(err error) (string, failureKind) {
	var dns *net.DNSError
	var se *StatusError
	var ne net.Error
	var te timeoutError
	switch {
	case errors.As(err, &se):
		return se.Error(), failAnswer
	case errors.As(err, &dns) && dns.IsNotFound:
		return "unknown host " + dns.Name, failUnknownHost
	case errors.As(err, &dns):
		return "cannot resolve " + dns.Name + ": " + dns.Err, failConnect
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", failConnect
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable", failConnect
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable", failConnect
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset", failNoAnswer
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the answer", failNoAnswer
	case errors.As(err, &te):
		return te.Error(), failNoAnswer
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer in time", failNoAnswer
	}
	return err.Error(), failNoAnswer
}

// timeoutError is an attempt that got no answer within its timeout.
type timeoutError struct{ after time.Duration }

func (e timeoutError) Error() string {
	return fmt.Sprintf("no answer within %s", roundDuration(e.after))
}

// retrier applies the RetryPolicy to one logical request or one future's
// polls: it decides whether a failure is tried again, says so in the
// log (the run display shows each retry with its cause), and waits.
type retrier struct {
	tr   *transport
	p    RetryPolicy
	what string // "create_session", "polling <request id>"

	streakStart  time.Time // first failure of the current streak
	failures     int       // failures in a row
	connFailures int       // failures in a row without a connection
	billing      time.Duration
}

func (t *transport) retrier(what string) *retrier {
	return &retrier{tr: t, p: t.policy, what: what}
}

// succeeded ends a failure streak (a poll that got an answer).
func (r *retrier) succeeded() { r.failures, r.connFailures = 0, 0 }

// retry returns nil, after waiting, when the attempt that failed with
// cause should be made again, else the error to fail with. serverDelay
// is the service's retry-after (0 for our backoff).
func (r *retrier) retry(ctx context.Context, cause error, serverDelay time.Duration) error {
	now := time.Now()
	if r.failures == 0 {
		r.streakStart = now
	}
	r.failures++
	short, kind := describe(cause)
	if kind == failConnect || kind == failUnknownHost {
		r.connFailures++
	} else {
		r.connFailures = 0
	}
	delay := serverDelay
	if delay <= 0 {
		delay = r.p.backoff(r.failures - 1)
	}
	host := r.tr.base.Scheme + "://" + r.tr.base.Host
	maxAttempts := 0
	switch kind {
	case failUnknownHost:
		maxAttempts = unknownHostAttempts
	case failConnect:
		maxAttempts = r.p.ConnectAttempts
	}
	if maxAttempts > 0 && r.connFailures >= maxAttempts {
		return &unreachableError{fmt.Sprintf("could not connect to %s (%d attempts): %s", host, r.connFailures, short), cause}
	}
	var end time.Time
	if first, answered := r.tr.contact(); !answered {
		end = first.Add(r.p.ConnectTimeout)
		if now.Add(delay).After(end) {
			return &unreachableError{fmt.Sprintf("the service at %s has not answered (%d attempts in %s; connect_timeout is %s): %s",
				host, r.failures, roundDuration(now.Sub(first)), roundDuration(r.p.ConnectTimeout), short), cause}
		}
	} else {
		end = r.streakStart.Add(r.p.Budget)
		if now.Add(delay).After(end) {
			return fmt.Errorf("%w after %d attempts in %s: %w", errRetriesExhausted, r.failures, roundDuration(now.Sub(r.streakStart)), cause)
		}
	}
	planned, last := r.planned(now.Add(delay), end, maxAttempts)
	r.tr.log.Warn(fmt.Sprintf("tinker: %s: retrying in %s (%d/%d, gives up in %s): %s",
		r.what, roundDuration(delay), r.failures+1, planned, roundDuration(last.Sub(now)), r.tr.red.redact(short)))
	return sleep(ctx, delay)
}

// planned estimates the attempts the streak makes at most if they keep
// failing: the next one at next, then one per nominal backoff that still
// fits before end, no more than maxAttempts (0: no count limit). It
// returns their number and when the last one starts (when the retrier
// gives up, the attempt itself aside).
func (r *retrier) planned(next, end time.Time, maxAttempts int) (int, time.Time) {
	n := r.failures + 1
	for k := r.failures; maxAttempts == 0 || n < maxAttempts; k++ {
		d := r.p.nominal(k)
		if next.Add(d).After(end) || n > 10000 {
			break
		}
		next = next.Add(d)
		n++
	}
	return n, next
}

// pause402 waits out a billing pause (HTTP 402). Pauses do not spend the
// retry budget; their total per request is bounded by the service's
// billing_exception_max_pause_duration_sec (RetryPolicy.BillingMax when
// set, 1 h when neither says).
func (r *retrier) pause402(ctx context.Context, cause error) error {
	limit := r.tr.billingLimit()
	if r.billing >= limit {
		return fmt.Errorf("still refused for billing after pausing %s: %w", roundDuration(r.billing), cause)
	}
	r.billing += r.p.BillingPause
	r.tr.log.Warn(fmt.Sprintf("tinker: %s: paused by the service for billing (HTTP 402); retrying in %s (paused %s of at most %s)",
		r.what, roundDuration(r.p.BillingPause), roundDuration(r.billing-r.p.BillingPause), roundDuration(limit)))
	return sleep(ctx, r.p.BillingPause)
}

// roundDuration keeps log lines readable: 20ms, 0.4s, 4s, 4m30s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Second)
	}
}
