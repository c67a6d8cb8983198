package local

import (
	"context"
	"errors"
	"sync"
)

// errClosed is returned by operations submitted after Close.
var errClosed = errors.New("model is closed")

// queue runs submitted functions one at a time, in submission order, on
// its own goroutine. Submission never blocks, so callers can pipeline.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []queued
	closed bool
	done   chan struct{}
}

type queued struct {
	ctx context.Context
	run func(ctx context.Context)
}

func newQueue() *queue {
	q := &queue{done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	go q.loop()
	return q
}

// submit enqueues run; it reports false when the queue is closed. run is
// called with ctx; it must check ctx itself when that matters.
func (q *queue) submit(ctx context.Context, run func(ctx context.Context)) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, queued{ctx, run})
	q.cond.Signal()
	return true
}

func (q *queue) loop() {
	defer close(q.done)
	for {
		q.mu.Lock()
		for len(q.items) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.items) == 0 {
			q.mu.Unlock()
			return
		}
		it := q.items[0]
		q.items[0] = queued{}
		q.items = q.items[1:]
		q.mu.Unlock()
		it.run(it.ctx)
	}
}

// close stops accepting work; queued work still runs. It waits for the
// queue to drain or ctx to end.
func (q *queue) close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
	select {
	case <-q.done:
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
