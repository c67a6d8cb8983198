package stage

import (
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/cookbookc/cookbookc/lang/schema"
)

// Kind is a stage kind as registered: its schema and, when this build
// implements it, its implementation.
type Kind struct {
	// Schema declares the kind's inputs, outputs and ports. The compiler
	// checks recipes against it (through the catalog, compiler/catalog);
	// `cookbookc stages` and SPEC.md §5 are generated from it.
	Schema *schema.StageKind
	// Impl runs the kind; nil for a kind that is part of the language but
	// has no implementation in this build yet (`run` refuses plans that
	// use it before anything starts).
	Impl Impl
	// Config is the Go type the kind's inputs decode into (see Define);
	// nil for kinds whose Run reads Env.Inputs itself.
	Config reflect.Type
	// Dirless kinds never write to Env.Dir, so the interpreter does not
	// create it (a mkdir costs more than a whole noop stage on some
	// disks); the metrics and checkpoint logs still create it on first
	// use.
	Dirless bool
}

// Implemented reports whether this build can run the kind.
func (k Kind) Implemented() bool { return k.Impl != nil }

var (
	mu    sync.RWMutex
	kinds = map[string]Kind{}
)

// Register adds a stage kind under its schema's name. It panics on a
// missing schema or name, an unknown port or a duplicate: programming
// errors caught by any test that imports the kind's package.
func Register(k Kind) {
	if k.Schema == nil || k.Schema.Name == "" {
		panic("stage: Register needs a schema with a name")
	}
	for _, port := range k.Schema.Ports {
		if !schema.IsPort(port) {
			panic(fmt.Sprintf("stage: kind %q declares unknown port %q", k.Schema.Name, port))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := kinds[k.Schema.Name]; dup {
		panic(fmt.Sprintf("stage: kind %q registered twice", k.Schema.Name))
	}
	kinds[k.Schema.Name] = k
}

// Lookup returns the registered kind called name.
func Lookup(name string) (Kind, bool) {
	mu.RLock()
	defer mu.RUnlock()
	k, ok := kinds[name]
	return k, ok
}

// Kinds returns every registered kind, sorted by name.
func Kinds() []Kind {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Schema.Name < out[j].Schema.Name })
	return out
}

// Schemas returns the schema of every registered kind, sorted by name:
// the stage kinds of the catalog (compiler/catalog.Assemble).
func Schemas() []*schema.StageKind {
	ks := Kinds()
	out := make([]*schema.StageKind, len(ks))
	for i, k := range ks {
		out[i] = k.Schema
	}
	return out
}
