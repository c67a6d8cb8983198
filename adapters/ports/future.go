package ports

import (
	"context"
	"sync"
)

// Future is the pending result of a submitted operation.
type Future[T any] interface {
	// Await blocks until the result is ready or ctx is done. Awaiting a
	// future more than once returns the same result.
	Await(ctx context.Context) (T, error)
}

// Ready returns a Future that is already resolved.
func Ready[T any](v T, err error) Future[T] {
	p := NewPromise[T]()
	p.Resolve(v, err)
	return p
}

// Promise is a Future resolved by its producer. The zero value is not
// usable; call NewPromise.
type Promise[T any] struct {
	once sync.Once
	done chan struct{}
	val  T
	err  error
}

// NewPromise returns an unresolved Promise.
func NewPromise[T any]() *Promise[T] {
	return &Promise[T]{done: make(chan struct{})}
}

// Resolve sets the result. Only the first call has an effect.
func (p *Promise[T]) Resolve(v T, err error) {
	p.once.Do(func() {
		p.val, p.err = v, err
		close(p.done)
	})
}

// Done is closed once the promise is resolved.
func (p *Promise[T]) Done() <-chan struct{} { return p.done }

// Await implements Future.
func (p *Promise[T]) Await(ctx context.Context) (T, error) {
	select {
	case <-p.done:
		return p.val, p.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Go runs fn in a new goroutine and returns its result as a Future.
func Go[T any](fn func() (T, error)) Future[T] {
	p := NewPromise[T]()
	go func() { p.Resolve(fn()) }()
	return p
}
