package interp

import (
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler"
)

// boundPort is one port's resolved binding (compiler.ResolveManifest)
// with its adapter looked up in the registry once per run; every later
// step (graph checks, config decoding, preflight, construction, dry-run
// labels) reads it from here.
type boundPort struct {
	compiler.Binding
	adapter    registry.Adapter
	registered bool
	// config is the decoded config, secrets resolved (set by prepare).
	config registry.Config
}

// boundPorts maps port names to their bindings.
type boundPorts map[string]*boundPort

// bindPorts looks up the adapter of every binding.
func bindPorts(bindings map[string]compiler.Binding) boundPorts {
	out := make(boundPorts, len(bindings))
	for port, b := range bindings {
		bp := &boundPort{Binding: b}
		if b.Adapter != "" {
			bp.adapter, bp.registered = registry.Lookup(port, b.Adapter)
		}
		out[port] = bp
	}
	return out
}

// adapterName is the adapter bound to port, "" if none.
func (b boundPorts) adapterName(port string) string {
	if bp, ok := b[port]; ok {
		return bp.Adapter
	}
	return ""
}
