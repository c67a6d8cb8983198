package compiler

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/diag"
)

func pipelinePlan(t *testing.T) *ir.Plan {
	t.Helper()
	res, diags := Compile(filepath.Join("testdata", "valid", "pipeline.hcl"), Options{Catalog: testCatalog()})
	require.Empty(t, diags)
	return res.Plan
}

func TestResolveManifest(t *testing.T) {
	plan := pipelinePlan(t)
	cat := testCatalog()
	tests := []struct {
		name      string
		manifest  string
		overrides map[string]string
		want      map[string]string // port -> adapter @ origin
	}{
		{"default is built in", "", nil, map[string]string{
			"training_client": "local @ manifest \"default\" (built-in)",
			"blob_store":      "local @ manifest \"default\" (built-in)",
		}},
		{"recipe overrides a built-in port by port", "prod", nil, map[string]string{
			"training_client": "tinker @ pipeline.hcl:65",
			"sampling_client": "tinker @ pipeline.hcl:72",
			"dataset_store":   "hf @ manifest \"prod\" (built-in)",
			"blob_store":      "s3 @ manifest \"prod\" (built-in)",
		}},
		{"new manifest extends another", "staging", nil, map[string]string{
			"training_client": "tinker @ pipeline.hcl:65",
			"blob_store":      "s3 @ pipeline.hcl:82",
		}},
		{"--port applies last", "staging", map[string]string{"training_client": "fake"}, map[string]string{
			"training_client": "fake @ --port",
			"blob_store":      "s3 @ pipeline.hcl:82",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, diags := ResolveManifest(cat, plan, tc.manifest, tc.overrides)
			require.Empty(t, diags)
			for port, want := range tc.want {
				assert.Equal(t, want, b[port].Adapter+" @ "+b[port].Origin, port)
				assert.Equal(t, port, b[port].Port)
			}
		})
	}
	b, _ := ResolveManifest(cat, plan, "staging", nil)
	key := b["training_client"].Config["api_key"]
	require.NotNil(t, key.Secret, "api_key stays a secret reference")
	assert.Equal(t, []string{"TINKER_API_KEY"}, key.Secret.Env)
	assert.Empty(t, key.Value)
}

func TestResolveManifestErrors(t *testing.T) {
	plan := pipelinePlan(t)
	cat := testCatalog()
	tests := []struct {
		name      string
		manifest  string
		overrides map[string]string
		code      diag.Code
	}{
		{"unknown manifest", "prdo", nil, diag.UnknownManifest},
		{"unknown port", "default", map[string]string{"trainer": "local"}, diag.UnknownPort},
		{"unregistered adapter", "default", map[string]string{"training_client": "gpu"}, diag.UnknownAdapter},
		{"unbound ports", "bare", nil, diag.UnboundPort},
		{"tinker without api key", "", map[string]string{"training_client": "tinker"}, diag.AdapterConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, diags := ResolveManifest(cat, plan, tc.manifest, tc.overrides)
			require.True(t, diags.HasErrors())
			assert.Nil(t, b)
			for _, d := range diags {
				assert.Equal(t, tc.code, diag.CodeOf(d), d.Error())
				require.NotNil(t, d.Subject)
			}
		})
	}
}

func TestCompileChecksManifest(t *testing.T) {
	path := filepath.Join("testdata", "valid", "sl_basic.hcl")
	res, diags := Compile(path, Options{Catalog: testCatalog(), Manifest: "default"})
	require.Empty(t, diags)
	assert.Equal(t, "local", res.Bindings["training_client"].Adapter)
	_, diags = Compile(path, Options{Catalog: testCatalog(), Manifest: "bare"})
	require.Len(t, diags, 4, "one diagnostic per unbound port")
	assert.Equal(t, "testdata/valid/sl_basic.hcl", diags[0].Subject.Filename, "diagnostics name the file as given")
}
