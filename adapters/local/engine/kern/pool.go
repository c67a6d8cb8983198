package kern

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Task is one parallel loop: Do runs iteration i on worker w (0 <= w <
// Pool.Threads()). Iterations must write disjoint outputs so that the
// result does not depend on which worker ran which iteration. A Task is
// passed as a pointer to a long-lived struct so that Run allocates
// nothing.
type Task interface {
	Do(w, i int)
}

// Pool runs Tasks on a fixed set of goroutines; the calling goroutine is
// worker 0. A Pool is used by one goroutine at a time (the engine's model
// worker); Run is not reentrant.
type Pool struct {
	threads int
	wake    []chan struct{}
	wg      sync.WaitGroup
	next    atomic.Int64
	n       int64
	task    Task

	// scratch is per-worker memory for kernels (packing buffers).
	scratch []workerScratch
	// shared holds buffers shared by the workers of one call (packed B).
	shared sharedScratch
	gemm   gemmTask
	closed bool
}

// NewPool starts a pool of threads workers; threads <= 0 means one per
// CPU (runtime.GOMAXPROCS).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, scratch: make([]workerScratch, threads)}
	p.gemm.pool = p
	p.wake = make([]chan struct{}, threads)
	for w := 1; w < threads; w++ {
		ch := make(chan struct{}, 1)
		p.wake[w] = ch
		go p.worker(w, ch)
	}
	return p
}

// Threads returns the number of workers.
func (p *Pool) Threads() int { return p.threads }

func (p *Pool) worker(w int, wake chan struct{}) {
	for range wake {
		p.drain(w)
		p.wg.Done()
	}
}

func (p *Pool) drain(w int) {
	for {
		i := p.next.Add(1) - 1
		if i >= p.n {
			return
		}
		p.task.Do(w, int(i))
	}
}

// Run calls t.Do for i in [0, n) across the workers and returns when all
// are done.
func (p *Pool) Run(n int, t Task) {
	if n <= 0 {
		return
	}
	if n == 1 || p.threads == 1 {
		for i := 0; i < n; i++ {
			t.Do(0, i)
		}
		return
	}
	p.task = t
	p.n = int64(n)
	p.next.Store(0)
	helpers := p.threads - 1
	if helpers > n-1 {
		helpers = n - 1
	}
	p.wg.Add(helpers)
	for w := 1; w <= helpers; w++ {
		p.wake[w] <- struct{}{}
	}
	p.drain(0)
	p.wg.Wait()
	p.task = nil
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	if p.closed {
		return
	}
	p.closed = true
	for w := 1; w < p.threads; w++ {
		close(p.wake[w])
	}
}

// grow returns buf resized to n elements, reallocating only when its
// capacity is too small (so steady-state calls allocate nothing).
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}
