// Package tinkerfake is a TEST FAKE of the Tinker training service: an
// in-process HTTP server (net/http/httptest) written from the protocol
// facts in ../shared/reference/tinker-protocol.md. It trains nothing.
//
// It exists so the tinker adapter can be tested without the network. It
// checks what the real service checks (the credential, JWTs when
// enabled, request shapes, no null for optional fields, seq_id order per
// model), computes deterministic results (logprobs and losses derived
// from the tokens and the number of optimizer steps applied), records
// every request and every applied operation (the witness tests compare
// against), and injects faults: 500s, 429s with retry-after-ms,
// connections dropped after the request was processed, slow answers,
// empty 400s, 402s, try_again futures and 410 expiries.
//
// A standalone process serving it for CLI tests and manual runs is
// adapters/tinker/cmd/tinker-fake.
package tinkerfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// Options configures the fake.
type Options struct {
	// APIKey is the credential the fake accepts (required).
	APIKey string
	// JWT sets the pjwt_auth_enabled flag: requests other than
	// client/config and auth/token must then carry a JWT from auth/token.
	JWT         bool
	JWTLifetime time.Duration // default 1 h
	// Proto sets the proto_write_fwdbwd flag; Compress sets
	// proto_compress_fwdbwd.
	Proto    bool
	Compress bool
	// CreateViaLoad sets the create_model_via_load_weights flag.
	CreateViaLoad bool
	// MaxChunkLen and MaxChunkBytes are announced as
	// fwdbwd_max_chunk_len and fwdbwd_max_chunk_bytes_count (0: the
	// service defaults) and enforced.
	MaxChunkLen   int
	MaxChunkBytes int
	// TokenizerID is the tokenizer get_info reports. Empty: the model's
	// own repository (meta-llama/Llama-3.2-1B for that model), as the
	// real service reports it, so a client must load the real tokenizer
	// (through its ungated copy for gated models). ByteLevel is the
	// opt-in for tests that must not load one.
	TokenizerID string
	// Models lists the supported base models (default: any model is
	// accepted, and capabilities list DefaultModel).
	Models []ports.ModelCapability
	// Latency is added to every request.
	Latency time.Duration
	// Compute times per operation kind.
	ForwardBackwardCompute time.Duration
	OptimCompute           time.Duration
	SampleCompute          time.Duration
	// PollHold is how long retrieve_future waits for a result before it
	// answers try_again (default 50 ms).
	PollHold time.Duration
	// OversizeBytes: results larger than this answer complete_metadata
	// first when the client allows it (0: never).
	OversizeBytes int
	// EchoCredential makes 401 answers quote the credential received,
	// as a careless proxy might, to test the client's redaction.
	EchoCredential bool
	Faults         []FaultRule
	// BeforeApply, when set, is called by a model's executor before it
	// applies each operation (outside the fake's lock); tests block in it
	// to hold the service busy.
	BeforeApply func(modelID string, seq int, kind string)
}

// ByteLevel is the Options.TokenizerID that makes the fake report the
// byte-level tokenizer (ports.ByteTokenizerID) instead of the model's
// own: tests of the adapter or of a run that must not download a
// tokenizer opt in with it.
const ByteLevel = ports.ByteTokenizerID

// DefaultModel is listed by get_server_capabilities when Options.Models
// is empty.
var DefaultModel = ports.ModelCapability{Name: "meta-llama/Llama-3.2-1B", ContextLength: 4096}

// Recorded is one HTTP request the fake received.
type Recorded struct {
	Method   string
	Path     string
	Header   http.Header
	Body     []byte // decompressed
	Status   int
	Fault    FaultKind // the fault injected into it, if any
	Received time.Time
}

// Server is the fake service.
type Server struct {
	opts Options
	ts   *httptest.Server
	// URL is the base URL to give the adapter (TINKER_BASE_URL).
	URL string

	mu          sync.Mutex
	rules       []*ruleState
	requests    []Recorded
	applied     []AppliedOp
	sessions    map[string]*session
	models      map[string]*model
	futures     map[string]*future
	byKey       map[string]*submission // idempotency key -> first submission
	checkpoints map[string]*checkpoint // tinker path -> saved state
	samplers    map[string]*samplerState
	jwts        map[string]time.Time
	nextID      int
	closed      chan struct{}
	// freshConns is set when a rule drops connections: see serve.
	freshConns bool
}

// New returns an unstarted fake; serve its Handler yourself or call
// Start.
func New(opts Options) *Server {
	if opts.JWTLifetime <= 0 {
		opts.JWTLifetime = time.Hour
	}
	if opts.PollHold <= 0 {
		opts.PollHold = 50 * time.Millisecond
	}
	s := &Server{
		opts: opts, sessions: map[string]*session{}, models: map[string]*model{},
		futures: map[string]*future{}, byKey: map[string]*submission{},
		checkpoints: map[string]*checkpoint{}, samplers: map[string]*samplerState{},
		jwts: map[string]time.Time{}, closed: make(chan struct{}),
	}
	for _, r := range opts.Faults {
		s.rules = append(s.rules, &ruleState{FaultRule: r})
		s.freshConns = s.freshConns || r.Kind == FaultDrop
	}
	return s
}

// Start serves a new fake on a loopback port.
func Start(opts Options) *Server {
	s := New(opts)
	s.ts = httptest.NewServer(s.Handler())
	s.URL = s.ts.URL
	return s
}

// Close stops the server started by Start and the model executors.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	if s.ts != nil {
		s.ts.CloseClientConnections()
		s.ts.Close()
	}
}

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Recorded(nil), s.requests...)
}

// Applied returns the operations applied to modelID, in the order they
// were applied ("" for every model).
func (s *Server) Applied(modelID string) []AppliedOp {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AppliedOp
	for _, a := range s.applied {
		if modelID == "" || a.ModelID == modelID {
			out = append(out, a)
		}
	}
	return out
}

// FaultsInjected returns how often each fault kind fired.
func (s *Server) FaultsInjected() map[FaultKind]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[FaultKind]int{}
	for _, r := range s.rules {
		out[r.Kind] += r.fired
	}
	return out
}

// RuleFirings returns how often each rule of Options.Faults fired, in
// the order the rules were given: a test asserts that every rule it
// configured really injected its fault.
func (s *Server) RuleFirings() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.fired
	}
	return out
}

// Heartbeats returns the number of heartbeats received per session.
func (s *Server) Heartbeats() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for id, ss := range s.sessions {
		out[id] = ss.heartbeats
	}
	return out
}

// Handler returns the fake's HTTP handler.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// reply is a handler's answer.
type reply struct {
	status int
	body   []byte
	ctype  string
	header map[string]string
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		return reply{status: 500, body: []byte(`{"detail":"fake: encoding failed"}`), ctype: "application/json"}
	}
	return reply{status: status, body: b, ctype: "application/json"}
}

func errReply(status int, format string, args ...any) reply {
	return jsonReply(status, map[string]string{"detail": fmt.Sprintf(format, args...)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.opts.Latency > 0 {
		time.Sleep(s.opts.Latency)
	}
	rec := Recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Received: time.Now()}
	body, rep := s.readBody(r)
	rec.Body = body
	ep := endpoint(r.URL.Path)

	// Request-level faults are decided before anything is processed.
	var drop bool
	var slow time.Duration
	if rep.status == 0 {
		rep = s.authorize(r, ep)
	}
	if rep.status == 0 {
		s.mu.Lock()
		for _, rule := range s.rules {
			if rule.isFutureFault() || !rule.match(ep) {
				continue
			}
			rec.Fault = rule.Kind
			switch rule.Kind {
			case Fault500:
				rep = errReply(500, "fake: injected internal error")
			case Fault429:
				rep = errReply(429, "fake: injected rate limit")
				rep.header = map[string]string{"retry-after-ms": fmt.Sprint(rule.RetryAfter.Milliseconds())}
			case Fault402:
				rep = errReply(402, "fake: injected billing pause")
			case FaultEdge400:
				rep = reply{status: 400}
			case FaultDrop:
				drop = true
			case FaultSlow:
				slow = rule.Delay
			}
			break
		}
		s.mu.Unlock()
		time.Sleep(slow)
	}
	if rep.status == 0 {
		rep = s.route(r, ep, body)
	}
	rec.Status = rep.status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	if drop {
		// The request was processed; the client never hears so.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if s.freshConns {
		// net/http replays a request that carries an idempotency key
		// when a reused connection breaks, before the client's own retry
		// logic sees anything. With every connection fresh, a dropped
		// connection reaches that logic, which is what the fault tests.
		w.Header().Set("Connection", "close")
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if rep.ctype != "" {
		w.Header().Set("Content-Type", rep.ctype)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// authorize checks X-API-Key: the API key for client/config and
// auth/token, a live JWT elsewhere when JWTs are on.
func (s *Server) authorize(r *http.Request, ep string) reply {
	if ep == "healthz" {
		return reply{}
	}
	got := r.Header.Get("X-API-Key")
	deny := func(what string) reply {
		if s.opts.EchoCredential {
			return errReply(401, "%s: %s", what, got)
		}
		return errReply(401, "%s", what)
	}
	if !s.opts.JWT || ep == "client/config" || ep == "auth/token" {
		if got != s.opts.APIKey {
			return deny("invalid API key")
		}
		return reply{}
	}
	s.mu.Lock()
	exp, ok := s.jwts[got]
	s.mu.Unlock()
	if !ok || time.Now().After(exp) {
		return deny("Invalid JWT")
	}
	return reply{}
}

// readBody reads (and un-zstds) the body; JSON bodies are checked for
// null values, which the service rejects.
func (s *Server) readBody(r *http.Request) ([]byte, reply) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, errReply(400, "reading body: %v", err)
	}
	body := buf.Bytes()
	if r.Header.Get("Content-Encoding") == "zstd" {
		dec, err := unzstd(body)
		if err != nil {
			return body, errReply(400, "bad zstd body: %v", err)
		}
		body = dec
	}
	if len(body) > 0 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var v any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return body, errReply(400, "body is not JSON: %v", err)
		}
		if p := findNull(v, "$"); p != "" {
			return body, errReply(400, "null is not accepted for %s: omit optional fields instead", p)
		}
	}
	return body, reply{}
}

// findNull returns the path of the first null in v, or "".
func findNull(v any, path string) string {
	switch x := v.(type) {
	case nil:
		return path
	case map[string]any:
		for k, e := range x {
			if p := findNull(e, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findNull(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// Listen serves the fake on addr (e.g. "127.0.0.1:0") until Close and
// returns its URL; for the standalone tool.
func (s *Server) Listen(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.ts = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	s.ts.Start()
	s.URL = s.ts.URL
	return s.URL, nil
}
