package tinker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
)

// errExpired marks a future the service no longer holds (HTTP 410).
var errExpired = errors.New("the service expired the request's future (HTTP 410)")

// badRequestPolls is how many 400 answers to a poll are taken as a
// proxy's spurious error before the poll fails (../shared/reference/tinker-protocol.md §4).
const badRequestPolls = 3

// Request types reported in X-Tinker-Request-Type.
const (
	typeForwardBackward       = "ForwardBackward"
	typeForward               = "Forward"
	typeOptimStep             = "OptimStep"
	typeSaveWeights           = "SaveWeights"
	typeSaveWeightsForSampler = "SaveWeightsForSampler"
	typeLoadWeights           = "LoadWeights"
	typeCreateModel           = "CreateModel"
	typeSample                = "Sample"
	typeUnloadModel           = "UnloadModel"
)

// pollAnswer is the JSON envelope of a retrieve_future answer; which
// members are set tells the outcome.
type pollAnswer struct {
	Type             string          `json:"type"`
	QueueState       string          `json:"queue_state"`
	QueueStateReason string          `json:"queue_state_reason"`
	RetryAfterMS     float64         `json:"retry_after_ms"`
	Status           string          `json:"status"`
	PayloadSize      int64           `json:"response_payload_size"`
	Error            json.RawMessage `json:"error"`
	Category         string          `json:"category"`
}

// result is a completed future's body. release returns its bytes to the
// in-flight budget once decoded.
type result struct {
	resp    *response
	release func()
}

func (r result) isProto() bool { return strings.Contains(r.resp.contentType(), wire.ContentType) }

func (r result) done() {
	if r.release != nil {
		r.release()
	}
}

// await polls /retrieve_future until the request completes. wantProto
// asks for a protobuf result (forward/backward and sample outputs).
func (s *service) await(ctx context.Context, requestID, reqType string, wantProto bool, submitRTT time.Duration) (result, error) {
	accept := "application/json"
	if wantProto {
		accept = wire.ContentType + ", application/json"
	}
	metaOnly := true
	release := func() {}
	fail := func(err error) (result, error) {
		release()
		return result{}, err
	}
	var (
		badRequests int
		lastState   string
	)
	retries := s.tr.retrier("polling " + requestID)
	for iter := 0; ; iter++ {
		body, _ := json.Marshal(map[string]any{"request_id": requestID, "allow_metadata_only": metaOnly})
		hdr := map[string]string{
			"X-Tinker-Request-Iteration": strconv.Itoa(iter),
			"X-Tinker-Request-Type":      reqType,
		}
		if iter == 0 {
			hdr["X-Tinker-Create-Promise-Roundtrip-Time"] = strconv.FormatFloat(submitRTT.Seconds(), 'f', 3, 64)
		}
		resp, err := s.tr.once(ctx, &request{
			Method: http.MethodPost, Path: "retrieve_future", Body: body, Accept: accept,
			Header: hdr, Timeout: s.cfg.PollTimeout, IdemKey: newIdemKey(),
		}, 0)
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		if err != nil {
			if isAuthSetupError(err) {
				return fail(err)
			}
			if err := retries.retry(ctx, err, 0); err != nil {
				return fail(fmt.Errorf("polling %s: %w", requestID, err))
			}
			continue
		}
		switch st := resp.Status; {
		case st == http.StatusOK:
		case st == http.StatusRequestTimeout:
			// The service's long poll ended; poll again at once.
			badRequests = 0
			continue
		case st == http.StatusGone:
			return fail(fmt.Errorf("%w: %w", errExpired, s.tr.statusError(resp)))
		case st == http.StatusPaymentRequired:
			if err := retries.pause402(ctx, s.tr.statusError(resp)); err != nil {
				return fail(fmt.Errorf("polling %s: %w", requestID, err))
			}
			continue
		case st == http.StatusTooManyRequests || st >= 500:
			if err := retries.retry(ctx, s.tr.statusError(resp), retryAfter(resp.Header)); err != nil {
				return fail(fmt.Errorf("polling %s: %w", requestID, err))
			}
			continue
		case st == http.StatusBadRequest && badRequests < badRequestPolls:
			badRequests++
			if err := sleep(ctx, s.cfg.Retry.backoff(0)); err != nil {
				return fail(err)
			}
			continue
		default:
			return fail(s.tr.statusError(resp))
		}
		retries.succeeded()
		r := result{resp: resp, release: release}
		if r.isProto() {
			return r, nil
		}
		var ans pollAnswer
		if err := json.Unmarshal(resp.Body, &ans); err != nil {
			return fail(fmt.Errorf("decoding retrieve_future answer: %w", err))
		}
		switch {
		case ans.Type == "try_again":
			if ans.QueueState != lastState && ans.QueueState != "" && ans.QueueState != "active" {
				s.log.Info("tinker: request queued", "request_id", requestID, "queue_state", ans.QueueState, "reason", s.red.redact(ans.QueueStateReason))
			}
			lastState = ans.QueueState
			if ans.RetryAfterMS > 0 {
				if err := sleep(ctx, time.Duration(min(ans.RetryAfterMS, 60000)*float64(time.Millisecond))); err != nil {
					return fail(err)
				}
			}
			continue
		case ans.Status == "complete_metadata":
			if !metaOnly {
				return fail(errors.New("retrieve_future answered complete_metadata twice"))
			}
			rel, err := s.respBudget.acquire(ctx, ans.PayloadSize)
			if err != nil {
				return fail(err)
			}
			release, metaOnly = rel, false
			continue
		case len(ans.Error) > 0 && string(ans.Error) != "null":
			var msg string
			if json.Unmarshal(ans.Error, &msg) != nil {
				msg = string(ans.Error)
			}
			cat := ans.Category
			if cat == "" {
				cat = "unknown"
			}
			return fail(&RequestFailedError{RequestID: requestID, Category: cat, Message: s.red.redact(msg)})
		}
		return r, nil
	}
}

// submitResult is the answer of a submit: the future's request id.
type submitResult struct {
	RequestID string `json:"request_id"`
	ModelID   string `json:"model_id"`
}

// submit sends a request whose answer is a future and returns the
// request id and the round-trip time. With pass409 a 409 answer is
// returned (with an empty submitResult) instead of retried.
func (s *service) submit(ctx context.Context, req *request, pass409 bool) (submitResult, *response, time.Duration, error) {
	if req.Timeout == 0 {
		req.Timeout = s.cfg.RequestTimeout
	}
	start := time.Now()
	resp, err := s.tr.call(ctx, req, pass409)
	if err != nil {
		return submitResult{}, nil, 0, err
	}
	rtt := time.Since(start)
	if resp.Status == http.StatusConflict {
		return submitResult{}, resp, rtt, nil
	}
	sr, err := decode[submitResult](resp, req.Path)
	if err != nil {
		return sr, nil, rtt, err
	}
	if sr.RequestID == "" {
		return sr, nil, rtt, fmt.Errorf("%s: the answer has no request_id", req.Path)
	}
	return sr, resp, rtt, nil
}
