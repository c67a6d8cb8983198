package local

import "github.com/cookbookc/cookbookc/adapters/ports"

// promise wraps ports.Promise with a shorter constructor.
type promise[T any] struct{ *ports.Promise[T] }

func newPromise[T any]() *promise[T] { return &promise[T]{ports.NewPromise[T]()} }

func (p *promise[T]) resolve(v T, err error) { p.Resolve(v, err) }
