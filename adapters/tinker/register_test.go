package tinker_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/registry"
	tf "github.com/cookbookc/cookbookc/adapters/tinker/tinkerfake"
	"github.com/cookbookc/cookbookc/lang/schema"
)

// TestRegisteredSchema: both ports have a tinker adapter whose config
// fields are documented and whose key field is sensitive.
func TestRegisteredSchema(t *testing.T) {
	for _, port := range []string{schema.PortTrainingClient, schema.PortSamplingClient} {
		a, ok := registry.Lookup(port, "tinker")
		require.True(t, ok, port)
		for _, f := range a.Schema.Config {
			assert.NotEmpty(t, f.Doc, "%s.%s has no Doc", port, f.Name)
		}
		key, ok := a.Schema.Field("api_key")
		require.True(t, ok)
		assert.True(t, key.Sensitive)
		wf, ok := a.Schema.Field("wire_format")
		require.True(t, ok)
		assert.Equal(t, []string{"auto", "json", "proto"}, wf.Enum)
	}
	prod, ok := registry.Manifest("prod")
	require.True(t, ok)
	assert.Equal(t, "tinker", prod.Ports[schema.PortTrainingClient].Adapter)
	assert.Equal(t, "tinker", prod.Ports[schema.PortSamplingClient].Adapter)
}

// TestRegistryConstructsFromEnvironment: registry.New reads
// TINKER_BASE_URL, TINKER_API_KEY, TINKER_PROJECT_ID and TINKER_TAGS,
// and the adapters work through the port interfaces.
func TestRegistryConstructsFromEnvironment(t *testing.T) {
	f := startFake(t, tf.Options{})
	env := map[string]string{
		"TINKER_BASE_URL": f.URL + "/", "TINKER_API_KEY": testKey,
		"TINKER_PROJECT_ID": "proj-7", "TINKER_TAGS": "a, b",
	}
	logs := &syncBuffer{}
	renv := registry.Env{Getenv: func(k string) string { return env[k] }, Logger: slog.New(slog.NewTextHandler(logs, nil)), RunDir: t.TempDir()}
	ctx := context.Background()
	v, err := registry.New(ctx, schema.PortTrainingClient, "tinker", registry.Config{"wire_format": "proto"}, renv)
	require.NoError(t, err)
	tr := v.(ports.Trainer)
	defer tr.Close()
	run := runSFT(ctx, t, tr, 2, 0)
	checkWitness(t, f, run, 2, 0)

	v, err = registry.New(ctx, schema.PortSamplingClient, "tinker", registry.Config{}, renv)
	require.NoError(t, err)
	ss := v.(ports.SamplingService)
	defer ss.Close()
	s, err := ss.NewSampler(ctx, ports.SamplerSpec{BaseModel: "meta-llama/Llama-3.2-1B"})
	require.NoError(t, err)
	_, err = s.Sample(ctx, ports.SampleRequest{Prompt: ports.TokensInput([]int{1, 2})}).Await(ctx)
	require.NoError(t, err)

	var sessions, protoFB int
	for _, r := range f.Requests() {
		switch r.Path {
		case "/api/v1/create_session":
			sessions++
			assert.JSONEq(t, `{"tags":["a","b"],"sdk_version":"0.25.0","project_id":"proj-7","type":"create_session"}`, string(r.Body))
		case "/api/v1/forward_backward":
			if r.Header.Get("Content-Type") == "application/x-protobuf" {
				protoFB++
			}
		}
	}
	assert.Equal(t, 2, sessions, "one session per adapter")
	assert.Equal(t, 2, protoFB, "wire_format=proto overrides the service flag")
	assert.NotContains(t, logs.String(), testKey)

	_, err = registry.New(ctx, schema.PortTrainingClient, "tinker", registry.Config{}, registry.Env{Getenv: func(string) string { return "" }})
	assert.ErrorContains(t, err, "TINKER_API_KEY")
}
