package catalog

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/lang/schema"
)

func TestAssemble(t *testing.T) {
	k := &schema.StageKind{Name: "k", Ports: []string{schema.PortTrainingClient}}
	a := &schema.AdapterSchema{Port: schema.PortTrainingClient, Name: "local"}
	m := &schema.Manifest{Name: "default", Ports: map[string]schema.ManifestPort{schema.PortTrainingClient: {Adapter: "local"}}}
	c, err := Assemble(Parts{
		Stages: []*schema.StageKind{k}, Adapters: []*schema.AdapterSchema{a}, Manifests: []*schema.Manifest{m},
		Renderers: map[string]string{"r": "a renderer"},
		Recommend: func(model string) (string, bool) { return "r", model == "listed" },
	})
	require.NoError(t, err)
	require.Equal(t, []string{"k"}, c.StageNames())
	require.Equal(t, []string{"local"}, c.AdapterNames(schema.PortTrainingClient))
	require.Equal(t, []string{"default"}, c.ManifestNames())
	require.Equal(t, []string{"r"}, c.RendererNames())
	require.NotEmpty(t, c.DatasetFields)
	name, listed := c.RecommendedRenderer("listed")
	require.Equal(t, "r", name)
	require.True(t, listed)

	_, err = Assemble(Parts{
		Stages:    []*schema.StageKind{k, k, {Name: "bad", Ports: []string{"nope"}}},
		Adapters:  []*schema.AdapterSchema{a, a, {Port: "nope", Name: "x"}},
		Manifests: []*schema.Manifest{m, m, {Name: "odd", Ports: map[string]schema.ManifestPort{"nope": {Adapter: "x"}}}},
	})
	for _, want := range []string{
		`stage kind "k" declared twice`, `stage kind "bad": unknown port "nope"`,
		`adapter "local" registered twice`, `adapter "x": unknown port "nope"`,
		`manifest "default" declared twice`, `manifest "odd": unknown port "nope"`,
	} {
		require.ErrorContains(t, err, want)
	}

	empty := New()
	name, listed = empty.RecommendedRenderer("any")
	require.Equal(t, "", name, "without a model table omitted renderers stay unset")
	require.False(t, listed)
}
