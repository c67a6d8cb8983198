package tinkerfake

import (
	"strings"
	"time"
)

// FaultKind is a kind of misbehaviour the fake injects.
type FaultKind string

// Fault kinds. Request faults act on matching HTTP requests; future
// faults act on the futures created by matching submits.
const (
	// Fault500 answers 500 without processing the request.
	Fault500 FaultKind = "500"
	// Fault429 answers 429 with retry-after-ms (RetryAfter) without
	// processing the request.
	Fault429 FaultKind = "429"
	// FaultDrop processes the request, then closes the connection
	// without answering (the client cannot know it was applied).
	FaultDrop FaultKind = "drop"
	// FaultSlow waits Delay before processing the request.
	FaultSlow FaultKind = "slow"
	// FaultEdge400 answers an empty 400, as an edge proxy does.
	FaultEdge400 FaultKind = "edge400"
	// Fault402 answers 402 (billing) without processing the request.
	Fault402 FaultKind = "402"
	// FaultTryAgain makes the future answer try_again TryAgain times
	// after it has completed.
	FaultTryAgain FaultKind = "try_again"
	// FaultExpire makes the future answer 410 once it has completed; it
	// stays expired, and only a re-sent request gets a new future.
	FaultExpire FaultKind = "expire"
)

// FaultRule injects Kind into every Every-th request (or future) whose
// endpoint matches Path, at most Limit times (0: no limit).
type FaultRule struct {
	Kind FaultKind
	// Path is an endpoint name such as "forward_backward" or
	// "retrieve_future"; "" matches every endpoint.
	Path       string
	Every      int
	Limit      int
	RetryAfter time.Duration // Fault429
	Delay      time.Duration // FaultSlow
	TryAgain   int           // FaultTryAgain
}

func (r FaultRule) isFutureFault() bool { return r.Kind == FaultTryAgain || r.Kind == FaultExpire }

// ruleState counts a rule's matches and firings.
type ruleState struct {
	FaultRule
	seen  int
	fired int
}

// match reports whether the rule fires for this matching event.
func (r *ruleState) match(path string) bool {
	if r.Path != "" && r.Path != path {
		return false
	}
	r.seen++
	every := max(r.Every, 1)
	if r.seen%every != 0 || (r.Limit > 0 && r.fired >= r.Limit) {
		return false
	}
	r.fired++
	return true
}

// endpoint returns the endpoint name of a request path
// ("/api/v1/forward_backward" -> "forward_backward",
// "/api/v1/samplers/x" -> "samplers", "/api/v1/auth/token" -> "auth/token").
func endpoint(path string) string {
	p := strings.TrimPrefix(path, "/api/v1/")
	if strings.HasPrefix(p, "client/") || strings.HasPrefix(p, "auth/") {
		return p
	}
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}
