package tinker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// opQueue submits one model's operations in program order. A call
// reserves its seq_ids at once (so they follow call order, from 1, with
// none skipped) and appends a job; one worker sends the jobs one after
// another, each retried with the same seq_id and idempotency key until it
// is accepted. A job returns as soon as the service has accepted the
// request; the result is polled by a separate goroutine, so submission
// of later operations never waits for earlier results (pipelining).
//
// When a job cannot be submitted, the service would wait for its seq_id
// forever, so the queue breaks: every later job fails without being
// sent, with an error naming the first failure.
type opQueue struct {
	mu      sync.Mutex
	nextSeq int
	jobs    []queuedJob
	broken  error
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

type queuedJob struct {
	firstSeq int
	run      func(firstSeq int) error
	fail     func(error)
}

func newOpQueue(nextSeq int) *opQueue {
	q := &opQueue{nextSeq: nextSeq, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.work()
	return q
}

// errQueueClosed is returned for jobs added after the model was closed.
var errQueueClosed = errors.New("the training client is closed")

// enqueue reserves nSeq seq_ids and queues run. fail is called instead of
// run when the queue is broken or closed.
func (q *opQueue) enqueue(nSeq int, run func(firstSeq int) error, fail func(error)) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		fail(errQueueClosed)
		return
	}
	first := q.nextSeq
	q.nextSeq += nSeq
	q.jobs = append(q.jobs, queuedJob{firstSeq: first, run: run, fail: fail})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *opQueue) work() {
	defer close(q.done)
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			if q.closed {
				q.mu.Unlock()
				return
			}
			q.mu.Unlock()
			<-q.wake
			continue
		}
		job := q.jobs[0]
		q.jobs = q.jobs[1:]
		broken := q.broken
		q.mu.Unlock()
		if broken != nil {
			job.fail(broken)
			continue
		}
		if err := job.run(job.firstSeq); err != nil {
			q.mu.Lock()
			q.broken = fmt.Errorf("not sent, because seq_id %d could not be submitted: %w", job.firstSeq, err)
			q.mu.Unlock()
			job.fail(err)
		}
	}
}

// close stops accepting jobs and waits until the queued ones are sent
// or ctx ends.
func (q *opQueue) close(ctx context.Context) error {
	q.shutdown()
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for queued operations to be sent: %w", ctx.Err())
	}
}

// shutdown stops accepting jobs; the worker exits once the queued ones
// are sent.
func (q *opQueue) shutdown() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// maxExpiredResubmits bounds how often a request whose future expired
// (410) is re-submitted.
const maxExpiredResubmits = 3

// pending is a request being submitted or awaited.
type pending struct {
	svc       *service
	req       *request
	sr        submitResult
	rtt       time.Duration
	reqType   string
	wantProto bool
	// savedPath is set for named saves: the path a 409 stands for when
	// an earlier attempt of this same request already saved it.
	savedPath string
	// early is the result when the submit itself settled the request
	// (a 409 on a retried named save).
	early *result
}

// send submits the request (with retries, same seq_id and key).
func (p *pending) send(ctx context.Context) error {
	if p.req.IdemKey == "" {
		p.req.IdemKey = newIdemKey()
	}
	sr, resp, rtt, err := p.svc.submit(ctx, p.req, p.savedPath != "")
	if err != nil {
		return err
	}
	if resp.Status == http.StatusConflict {
		if resp.Attempt == 0 {
			// The first attempt cannot have saved anything: the name
			// was taken before.
			return fmt.Errorf("a checkpoint with this name exists: %w", p.svc.tr.statusError(resp))
		}
		p.early = p.conflictResult()
		return nil
	}
	p.sr, p.rtt = sr, rtt
	return nil
}

// conflictResult stands for a save an earlier attempt completed.
func (p *pending) conflictResult() *result {
	body, _ := json.Marshal(map[string]string{"path": p.savedPath})
	return &result{resp: &response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}}
}

// await polls for the result. When the future expired (410) the request
// is re-sent unchanged: same body, same seq_id, same X-Idempotency-Key.
// A service that recognises the key answers with a future for the result
// it already computed; one that does not rejects the duplicate seq_id.
// Either way the operation is never applied twice.
func (p *pending) await(ctx context.Context) (result, error) {
	if p.early != nil {
		return *p.early, nil
	}
	for resubmits := 0; ; resubmits++ {
		r, err := p.svc.await(ctx, p.sr.RequestID, p.reqType, p.wantProto, p.rtt)
		if !errors.Is(err, errExpired) || resubmits >= maxExpiredResubmits {
			return r, err
		}
		p.svc.log.Info("tinker: future expired; re-sending the same request", "path", p.req.Path, "request_id", p.sr.RequestID)
		sr, resp, rtt, serr := p.svc.submit(ctx, p.req, p.savedPath != "")
		if serr != nil {
			return result{}, fmt.Errorf("re-sending after 410: %w", serr)
		}
		if resp.Status == http.StatusConflict {
			return *p.conflictResult(), nil
		}
		p.sr, p.rtt = sr, rtt
	}
}
