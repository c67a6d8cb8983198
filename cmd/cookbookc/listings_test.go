package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAdaptersAndStagesListings(t *testing.T) {
	work := t.TempDir()
	res := runCLI(t, work, nil, "adapters")
	require.Equal(t, 0, res.code, res.stderr)
	for _, want := range []string{
		"training_client\n  fake [test fake]: Test fake:",
		"bound by manifests: test",
		"fail_op (string, default \"\", one of \"\"|capabilities|create_model|",
		"blob_store\n",
		"local: Blobs as files in a local directory, written atomically.",
		"metrics_sink\n",
		"none: No extra destination",
	} {
		require.Contains(t, res.stdout, want)
	}
	res = runCLI(t, work, nil, "adapters", "blob_store")
	require.Equal(t, 0, res.code)
	require.NotContains(t, res.stdout, "training_client")
	res = runCLI(t, work, nil, "adapters", "no_such_port")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, `unknown port "no_such_port"`)

	res = runCLI(t, work, nil, "stages", "noop", "supervised_train")
	require.Equal(t, 0, res.code, res.stderr)
	for _, want := range []string{
		"noop: Does nothing and passes its value through",
		"    sleep_ms (int, default 0, >= 0): Wait this long (cancellable) before finishing.",
		"  outputs:\n    value (any): The input value.",
		"supervised_train: ",
		"  ports: training_client, sampling_client, dataset_store",
		"    final_checkpoint (checkpoint):",
	} {
		require.Contains(t, res.stdout, want)
	}
	require.NotContains(t, res.stdout, "evaluate:")
	res = runCLI(t, work, nil, "stages", "nope")
	require.Equal(t, 2, res.code)
}
