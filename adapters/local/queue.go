package local

import (
	"context"
	"errors"
	"sync"
)

// errClosed is returned by operations submitted after Close.
var errClosed = errors.New("model is closed")

// queue runs submitted functions one at a time, in submission order.
// Submission never blocks, so callers can pipeline. The worker goroutine
// exists only while there is work: it starts with the first submission
// and exits once the queue is empty, so an idle queue (a sampler nobody
// uses any more, which the port gives no Close) holds no goroutine.
type queue struct {
	// onIdle, if set, runs on the worker each time the queue drains,
	// before the worker exits (a sampler stops its kernel threads).
	// Work submitted meanwhile waits for it and then runs on the same
	// worker, so onIdle never races with the work.
	onIdle func()

	mu      sync.Mutex
	items   []queued
	closed  bool
	running bool
	done    chan struct{} // closed when the current worker exits
}

type queued struct {
	ctx context.Context
	run func(ctx context.Context)
}

func newQueue(onIdle func()) *queue { return &queue{onIdle: onIdle} }

// submit enqueues run; it reports false when the queue is closed. run is
// called with ctx; it must check ctx itself when that matters.
func (q *queue) submit(ctx context.Context, run func(ctx context.Context)) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, queued{ctx, run})
	if !q.running {
		q.running = true
		q.done = make(chan struct{})
		go q.loop(q.done)
	}
	return true
}

func (q *queue) loop(done chan struct{}) {
	defer close(done)
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			q.mu.Unlock()
			if q.onIdle != nil {
				q.onIdle()
			}
			q.mu.Lock()
			if len(q.items) == 0 {
				q.running = false
				q.mu.Unlock()
				return
			}
		}
		it := q.items[0]
		q.items[0] = queued{}
		q.items = q.items[1:]
		q.mu.Unlock()
		it.run(it.ctx)
	}
}

// close stops accepting work; queued work still runs. It waits for the
// queue to drain (and its worker to exit) or ctx to end.
func (q *queue) close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	running, done := q.running, q.done
	q.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do submits fn and returns a future of its result. A context that is
// done before fn starts resolves the future with the context's error
// without running fn.
func do[T any](q *queue, ctx context.Context, wrap func(error) error, fn func(ctx context.Context) (T, error)) *promise[T] {
	p := newPromise[T]()
	ok := q.submit(ctx, func(ctx context.Context) {
		if err := ctx.Err(); err != nil {
			var zero T
			p.resolve(zero, wrap(err))
			return
		}
		v, err := fn(ctx)
		p.resolve(v, wrap(err))
	})
	if !ok {
		var zero T
		p.resolve(zero, wrap(errClosed))
	}
	return p
}
