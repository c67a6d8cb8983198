package tinker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// serverFlags is the /client/config answer (../shared/reference/tinker-protocol.md §9). Zero
// values are replaced by the SDK's defaults in withDefaults.
type serverFlags struct {
	PJWTAuthEnabled       bool    `json:"pjwt_auth_enabled"`
	InflightResponseBytes int64   `json:"inflight_response_bytes_semaphore_size"`
	ProtoCompressFwdBwd   bool    `json:"proto_compress_fwdbwd"`
	ProtoWriteFwdBwd      bool    `json:"proto_write_fwdbwd"`
	FwdBwdMaxChunkLen     int     `json:"fwdbwd_max_chunk_len"`
	FwdBwdMaxChunkBytes   int     `json:"fwdbwd_max_chunk_bytes_count"`
	BillingMaxPauseSec    float64 `json:"billing_exception_max_pause_duration_sec"`
	SampleNoRetries       bool    `json:"sample_no_retries"`
	SampleMaxConcurrent   int     `json:"sample_max_concurrent_requests"`
	CreateModelViaLoad    bool    `json:"create_model_via_load_weights"`
}

func (f serverFlags) withDefaults() serverFlags {
	if f.InflightResponseBytes <= 0 {
		f.InflightResponseBytes = 50 << 20
	}
	if f.FwdBwdMaxChunkLen <= 0 {
		f.FwdBwdMaxChunkLen = 1024
	}
	if f.FwdBwdMaxChunkBytes <= 0 {
		f.FwdBwdMaxChunkBytes = 5_000_000
	}
	if f.BillingMaxPauseSec <= 0 {
		f.BillingMaxPauseSec = 3600
	}
	if f.SampleMaxConcurrent <= 0 {
		f.SampleMaxConcurrent = 2000
	}
	return f
}

// service is one connection to the training service: flags, credential,
// session and heartbeat. The training_client and sampling_client adapters
// each own one.
type service struct {
	cfg     Config
	tr      *transport
	red     *redactor
	log     *slog.Logger
	port    string
	adapter string

	mu        sync.Mutex
	started   bool
	flags     serverFlags
	sessionID string
	stopHB    context.CancelFunc
	hbDone    chan struct{}
	closed    bool

	// Per-session counters (../shared/reference/tinker-protocol.md §7).
	modelSeq    int
	samplingSeq int

	respBudget *byteBudget
	sampleSem  chan struct{}
}

func newService(cfg Config, log *slog.Logger, port string) (*service, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	red := &redactor{}
	a := newAuth(cfg, red)
	tr, err := newTransport(cfg, a, red, log)
	if err != nil {
		return nil, err
	}
	return &service{cfg: cfg, tr: tr, red: red, log: log, port: port, adapter: "tinker"}, nil
}

// wrap names the port and adapter in err and removes secrets from it.
func (s *service) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *ports.Error
	if errors.As(err, &pe) && pe.Port == s.port {
		return err
	}
	return &ports.Error{Port: s.port, Adapter: s.adapter, Op: op, Err: &redactedError{msg: s.red.redact(err.Error()), err: err}}
}

// start fetches the server flags, switches to JWTs when asked, creates
// the session and starts the heartbeat. A failed start is retried by the
// next call.
func (s *service) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("adapter is closed")
	}
	if s.started {
		return nil
	}
	var flags serverFlags
	resp, err := s.tr.postJSON(ctx, "client/config", map[string]any{"sdk_version": SDKVersion}, s.cfg.RequestTimeout)
	var se *StatusError
	switch {
	case errors.As(err, &se) && se.Status == http.StatusNotFound:
		// An older service without flags: use the defaults.
	case err != nil:
		return fmt.Errorf("client/config: %w", err)
	default:
		if flags, err = decode[serverFlags](resp, "client/config"); err != nil {
			return err
		}
	}
	flags = flags.withDefaults()
	if flags.PJWTAuthEnabled {
		s.tr.auth.enableJWT(s.exchangeJWT)
	}
	s.tr.billingMax = time.Duration(flags.BillingMaxPauseSec * float64(time.Second))
	if s.cfg.Retry.BillingMax > 0 {
		s.tr.billingMax = s.cfg.Retry.BillingMax
	}

	body := map[string]any{"tags": nonNil(s.cfg.Tags), "sdk_version": SDKVersion, "type": "create_session"}
	if s.cfg.ProjectID != "" {
		body["project_id"] = s.cfg.ProjectID
	}
	resp, err = s.tr.postJSON(ctx, "create_session", body, s.cfg.RequestTimeout)
	if err != nil {
		return fmt.Errorf("create_session: %w", err)
	}
	sess, err := decode[struct {
		SessionID string `json:"session_id"`
		Info      string `json:"info_message"`
		Warning   string `json:"warning_message"`
		Error     string `json:"error_message"`
	}](resp, "create_session")
	if err != nil {
		return err
	}
	if sess.SessionID == "" {
		return errors.New("create_session: the answer has no session_id")
	}
	for _, m := range []struct {
		level slog.Level
		msg   string
	}{{slog.LevelInfo, sess.Info}, {slog.LevelWarn, sess.Warning}, {slog.LevelError, sess.Error}} {
		if m.msg != "" {
			s.log.Log(ctx, m.level, "tinker: service message", "message", s.red.redact(m.msg))
		}
	}
	s.flags, s.sessionID, s.started = flags, sess.SessionID, true
	s.respBudget = newByteBudget(flags.InflightResponseBytes)
	s.sampleSem = make(chan struct{}, flags.SampleMaxConcurrent)
	hbCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopHB, s.hbDone = stop, make(chan struct{})
	go s.heartbeat(hbCtx, sess.SessionID)
	s.log.Info("tinker: session created", "session_id", sess.SessionID, "wire_format", s.wireFormatLocked())
	return nil
}

// exchangeJWT trades the API key for a JWT (POST /auth/token).
func (s *service) exchangeJWT(ctx context.Context, credential string) (string, error) {
	resp, err := s.tr.call(ctx, &request{
		Method: http.MethodPost, Path: "auth/token", Body: []byte("{}"),
		Timeout: s.cfg.RequestTimeout, Credential: credential,
	}, false)
	if err != nil {
		return "", err
	}
	tok, err := decode[struct {
		JWT string `json:"jwt"`
	}](resp, "auth/token")
	if err != nil {
		return "", err
	}
	if err := checkCredential(tok.JWT); err != nil || tok.JWT[:3] != "eyJ" {
		return "", errors.New("auth/token did not return a JWT")
	}
	return tok.JWT, nil
}

// heartbeatWarnAfter is how long heartbeats may fail before the session
// is at risk (the service ends silent sessions).
const heartbeatWarnAfter = 120 * time.Second

// heartbeat keeps the session alive: one request per interval, no
// retries (the next beat is the retry).
func (s *service) heartbeat(ctx context.Context, sessionID string) {
	defer close(s.hbDone)
	tick := time.NewTicker(s.cfg.HeartbeatInterval)
	defer tick.Stop()
	lastOK, warned := time.Now(), false
	body := []byte(fmt.Sprintf(`{"session_id":%q,"type":"session_heartbeat"}`, sessionID))
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		timeout := min(10*time.Second, s.cfg.HeartbeatInterval)
		resp, err := s.tr.once(ctx, &request{Method: http.MethodPost, Path: "session_heartbeat", Body: body, Timeout: timeout, IdemKey: newIdemKey()}, 0)
		if err == nil && resp.Status < 300 {
			lastOK, warned = time.Now(), false
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if !warned && time.Since(lastOK) > heartbeatWarnAfter {
			warned = true
			s.log.Warn("tinker: session heartbeats failing; the service may end the session", "since", time.Since(lastOK).Round(time.Second))
		}
	}
}

// session returns the started session's id and flags.
func (s *service) session(ctx context.Context) (string, serverFlags, error) {
	if err := s.start(ctx); err != nil {
		return "", serverFlags{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionID, s.flags, nil
}

// nextModelSeq reserves the next model_seq_id of the session.
func (s *service) nextModelSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.modelSeq
	s.modelSeq++
	return n
}

// nextSamplingSeq reserves the next sampling_session_seq_id.
func (s *service) nextSamplingSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.samplingSeq
	s.samplingSeq++
	return n
}

// useProto reports whether forward/backward goes as protobuf.
func (s *service) useProto() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wireFormatLocked() == WireProto
}

func (s *service) wireFormatLocked() string {
	switch s.cfg.WireFormat {
	case WireJSON, WireProto:
		return s.cfg.WireFormat
	}
	if s.flags.ProtoWriteFwdBwd {
		return WireProto
	}
	return WireJSON
}

// close stops the heartbeat. It does not end models; their owners
// unload them.
func (s *service) close() {
	s.mu.Lock()
	s.closed = true
	stop, done := s.stopHB, s.hbDone
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	s.tr.client.CloseIdleConnections()
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// redactedError carries err with its message stripped of credentials.
// It unwraps to err so callers can still inspect *StatusError and
// *RequestFailedError.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// byteBudget bounds the bytes of large results held at once (the
// inflight_response_bytes flag).
type byteBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	total int64
	used  int64
}

func newByteBudget(total int64) *byteBudget {
	b := &byteBudget{total: total}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire reserves n bytes (at most the whole budget) and returns the
// release function. It waits for other results to be released.
func (b *byteBudget) acquire(ctx context.Context, n int64) (func(), error) {
	n = min(max(n, 0), b.total)
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used+n > b.total {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b.cond.Wait()
	}
	b.used += n
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.used -= n
			b.cond.Broadcast()
			b.mu.Unlock()
		})
	}, nil
}
