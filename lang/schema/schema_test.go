package schema

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTypeRoundTrips(t *testing.T) {
	for _, typ := range []Type{Any, String, Number, Int, Bool, Dataset, Renderer, Checkpoint,
		ListOf(String), MapOf(Number), ListOf(MapOf(ListOf(Int)))} {
		got, err := ParseType(typ.String())
		require.NoError(t, err, typ.String())
		require.Equal(t, typ.String(), got.String())
	}
	for _, bad := range []string{"", "float", "list(", "list(nope)", "map(int"} {
		_, err := ParseType(bad)
		require.Error(t, err, bad)
	}
}

func TestFieldConstraints(t *testing.T) {
	f := Field{Name: "p", Min: AtLeast(0), Max: Below(1)}
	require.Equal(t, []string{">= 0", "< 1"}, f.BoundsText())
	for n, want := range map[float64]bool{-0.1: false, 0: true, 0.5: true, 1: false} {
		require.Equal(t, want, f.InRange(n), "%v", n)
	}
	g := Field{Name: "q", Min: Above(0), Max: AtMost(1e-8)}
	require.Equal(t, []string{"> 0", "<= 1e-08"}, g.BoundsText())
	require.False(t, g.InRange(0))
	require.True(t, g.InRange(1e-8))
	require.Nil(t, (&Field{}).BoundsText())

	e := Field{Name: "mode", Enum: []string{"a", "b"}}
	require.True(t, e.InEnum("a"))
	require.False(t, e.InEnum("c"))
	require.True(t, (&Field{}).InEnum("anything"), "no enum allows every string")
}

func TestLookups(t *testing.T) {
	k := StageKind{Inputs: []Field{{Name: "x"}}, Outputs: []Output{{Name: "y"}}}
	_, ok := k.Input("x")
	require.True(t, ok)
	_, ok = k.Input("y")
	require.False(t, ok)
	_, ok = k.Output("y")
	require.True(t, ok)
	a := AdapterSchema{Config: []Field{{Name: "root"}}}
	f, ok := a.Field("root")
	require.True(t, ok)
	f.Doc = "changed through the pointer"
	require.Equal(t, "changed through the pointer", a.Config[0].Doc, "lookups return the declared field, not a copy")
	require.True(t, IsPort(PortHubClient))
	require.False(t, IsPort("hub"))
}
