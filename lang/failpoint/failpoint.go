// Package failpoint lets crash tests kill the process at named points.
//
// A failpoint is armed only through the environment variable
// COOKBOOKC_FAILPOINT=NAME:N (several separated by commas): the N-th time
// the running process reaches the point NAME, it sends itself SIGKILL, so
// nothing gets a chance to clean up, exactly as after a power cut or an OOM
// kill (short of losing the page cache). It is meant for tests only; with
// the variable unset, Hit costs one atomic load.
//
// It lives on the lowest floor (lang/) so that every package that writes
// durable state (the run journal, atomic file replacement, and adapters and
// stages through them) can mark its crash points without importing the
// interpreter.
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// EnvVar is the environment variable that arms failpoints.
const EnvVar = "COOKBOOKC_FAILPOINT"

var (
	armed  atomic.Bool
	mu     sync.Mutex
	counts map[string]int // name -> hits still to go before the kill
	// killFn is replaced in tests of this package.
	killFn = killSelf
)

func init() { Arm(os.Getenv(EnvVar)) }

// Arm parses a spec "NAME:N[,NAME:N...]" and arms those points, replacing
// any earlier spec. A malformed entry is ignored: failpoints must never
// change the behaviour of a run that did not ask for them.
func Arm(spec string) {
	mu.Lock()
	defer mu.Unlock()
	counts = map[string]int{}
	for _, part := range strings.Split(spec, ",") {
		name, n, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || name == "" {
			continue
		}
		k, err := strconv.Atoi(n)
		if err != nil || k < 1 {
			continue
		}
		counts[name] = k
	}
	armed.Store(len(counts) > 0)
}

// Hit marks that the process reached point name; if the point is armed and
// this is its N-th hit, the process is killed.
func Hit(name string) {
	if !armed.Load() {
		return
	}
	mu.Lock()
	k, ok := counts[name]
	if ok {
		k--
		counts[name] = k
	}
	mu.Unlock()
	if ok && k == 0 {
		killFn()
	}
}

// Armed reports whether point name is armed (for code that must take a
// slower path, e.g. writing a line in two halves, only under a failpoint).
func Armed(name string) bool {
	if !armed.Load() {
		return false
	}
	mu.Lock()
	defer mu.Unlock()
	_, ok := counts[name]
	return ok
}
