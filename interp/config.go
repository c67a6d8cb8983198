package interp

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// SecretResolver rebuilds a secret's value from the environment.
type SecretResolver func(ref *ir.SecretRef, getenv func(string) string) (string, error)

// resolveSecrets resolves every secret the plan's stages and the used
// bindings need, before anything runs, so a missing variable is reported
// up front. The map is keyed by secretKey.
func resolveSecrets(nodes []*node, bindings boundPorts, usedPorts []string, resolve SecretResolver, getenv func(string) string) (map[string]string, []string) {
	secrets := map[string]string{}
	var problems []string
	try := func(where string, ref *ir.SecretRef) {
		key := secretKey(ref)
		if _, done := secrets[key]; done {
			return
		}
		v, err := resolve(ref, getenv)
		if err != nil {
			// The resolver's error names variables, never values.
			problems = append(problems, fmt.Sprintf("%s: secret from %s: %v", where, describeSecret(ref), err))
			return
		}
		secrets[key] = v
	}
	for _, n := range nodes {
		for _, name := range slices.Sorted(maps.Keys(n.st.Inputs)) {
			if v := n.st.Inputs[name]; v.Secret != nil {
				try(fmt.Sprintf("stage %q input %q", n.st.ID, name), v.Secret)
			}
		}
	}
	for _, port := range usedPorts {
		b := bindings[port]
		for _, name := range slices.Sorted(maps.Keys(b.Config)) {
			if v := b.Config[name]; v.Secret != nil {
				try(fmt.Sprintf("port %s (%s) config %q", port, b.Adapter, name), v.Secret)
			}
		}
	}
	return secrets, problems
}

// adapterConfigs decodes the config of each used binding into its
// boundPort: values decoded by their schema type, secrets resolved,
// defaults filled in.
func adapterConfigs(bindings boundPorts, usedPorts []string, secrets map[string]string) []string {
	var problems []string
	for _, port := range usedPorts {
		b := bindings[port]
		if !b.registered {
			continue // reported by buildGraph
		}
		a := b.adapter
		cfg := registry.Config{}
		for _, f := range a.Schema.Config {
			if f.Default != nil {
				cfg[f.Name] = f.Default
			}
		}
		for _, name := range slices.Sorted(maps.Keys(b.Config)) {
			v := b.Config[name]
			field, _ := a.Schema.Field(name)
			if field == nil {
				problems = append(problems, fmt.Sprintf("port %s (%s, %s): unknown config field %q", port, b.Adapter, b.Origin, name))
				continue
			}
			if v.Secret != nil {
				if s, ok := secrets[secretKey(v.Secret)]; ok {
					cfg[name] = s
				}
				continue
			}
			typ := field.Type
			if v.Type != "" {
				if t, err := parseType(v.Type); err == nil {
					typ = t
				}
			}
			val, err := decodeTyped(v.Value, typ)
			if err != nil {
				problems = append(problems, fmt.Sprintf("port %s (%s): config %q: %v", port, b.Adapter, name, err))
				continue
			}
			if typ.Kind == schema.KindAny || val != nil {
				cfg[name] = val
			}
		}
		b.config = cfg
	}
	return problems
}

// preflightAdapters runs the Preflight check of every used adapter that
// has one (credentials, URLs), so a run that cannot work is refused
// before its run directory exists.
func preflightAdapters(bindings boundPorts, usedPorts []string, getenv func(string) string) []string {
	var problems []string
	for _, port := range usedPorts {
		b := bindings[port]
		if !b.registered || b.adapter.Preflight == nil {
			continue
		}
		if err := b.adapter.Preflight(b.config, registry.Env{Getenv: getenv}); err != nil {
			problems = append(problems, fmt.Sprintf("port %s (%s, %s): %v", port, b.Adapter, b.Origin, err))
		}
	}
	return problems
}

// usedPorts lists the bound ports any stage declares, plus the metrics
// sink (every metrics write goes to it), sorted. (buildGraph reports the
// unbound ones.)
func usedPorts(nodes []*node, bindings boundPorts) []string {
	set := map[string]bool{}
	for _, n := range nodes {
		for _, p := range n.ports {
			if _, bound := bindings[p]; bound {
				set[p] = true
			}
		}
	}
	if _, ok := bindings[schema.PortMetricsSink]; ok {
		set[schema.PortMetricsSink] = true
	}
	return slices.Sorted(maps.Keys(set))
}
