package none

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
)

func TestRegisteredAndBoundByBuiltInManifests(t *testing.T) {
	v, err := registry.New(context.Background(), "metrics_sink", Name, registry.Config{}, registry.Env{})
	require.NoError(t, err)
	sink := v.(ports.MetricsSink)
	require.NoError(t, sink.Log(context.Background(), "train", 1, map[string]float64{"loss": 1}))
	require.NoError(t, sink.Close())
	for _, m := range []string{"default", "local", "test", "prod"} {
		man, ok := registry.Manifest(m)
		require.True(t, ok, m)
		require.Equal(t, Name, man.Ports["metrics_sink"].Adapter, m)
	}
}
