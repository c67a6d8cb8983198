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

// Pool runs Tasks on a fixed number of workers; the calling goroutine
// is worker 0 and the others are goroutines started by the first Run
// that needs them. A Pool is used by one goroutine at a time (the
// engine's model worker); Run is not reentrant.
type Pool struct {
	threads int
	wake    []chan struct{}
	running bool           // the helper goroutines are started
	exited  sync.WaitGroup // helpers that have not returned yet
	wg      sync.WaitGroup
	next    atomic.Int64
	n       int64
	task    Task

	// scratch is per-worker memory for kernels (packing buffers).
	scratch []workerScratch
	// shared holds buffers shared by the workers of one call (packed B).
	shared sharedScratch
	gemm   gemmTask
}

// NewPool returns a pool of threads workers; threads <= 0 means one per
// CPU (runtime.GOMAXPROCS). No goroutine starts before the first Run.
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, scratch: make([]workerScratch, threads)}
	p.gemm.pool = p
	p.wake = make([]chan struct{}, threads)
	return p
}

// start launches the helper goroutines.
func (p *Pool) start() {
	for w := 1; w < p.threads; w++ {
		ch := make(chan struct{}, 1)
		p.wake[w] = ch
		p.exited.Add(1)
		go p.worker(w, ch)
	}
	p.running = true
}

// Threads returns the number of workers.
func (p *Pool) Threads() int { return p.threads }

func (p *Pool) worker(w int, wake chan struct{}) {
	defer p.exited.Done()
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
	if !p.running {
		p.start()
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

// Close stops the helper goroutines and returns once they have exited.
// The pool stays usable: a later Run starts them again. Idle samplers
// close their pools so that they hold no goroutines.
func (p *Pool) Close() {
	if !p.running {
		return
	}
	for w := 1; w < p.threads; w++ {
		close(p.wake[w])
		p.wake[w] = nil
	}
	p.exited.Wait()
	p.running = false
}

// grow returns buf resized to n elements, reallocating only when its
// capacity is too small (so steady-state calls allocate nothing).
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}
