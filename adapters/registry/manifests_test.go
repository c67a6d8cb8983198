package registry_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/cookbookc/cookbookc/adapters/all"
	"github.com/cookbookc/cookbookc/adapters/registry"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// TestBuiltInManifestsBindRegisteredAdapters: every port binding of a
// built-in manifest names an adapter of this build, and the default
// manifest exists.
func TestBuiltInManifestsBindRegisteredAdapters(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range registry.Manifests() {
		require.False(t, seen[m.Name], "manifest %q twice", m.Name)
		seen[m.Name] = true
		require.NotEmpty(t, m.Summary, m.Name)
		for port, b := range m.Ports {
			require.True(t, schema.IsPort(port), "manifest %q: unknown port %q", m.Name, port)
			_, ok := registry.Lookup(port, b.Adapter)
			require.True(t, ok, "manifest %q binds %s to unregistered adapter %q", m.Name, port, b.Adapter)
		}
	}
	require.True(t, seen[schema.DefaultManifest])
	_, ok := registry.Manifest("no such manifest")
	require.False(t, ok)
}
