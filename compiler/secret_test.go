package compiler

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler/ir"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveSecret(t *testing.T) {
	const secret = "sk-very-secret-123"
	tests := []struct {
		name    string
		ref     ir.SecretRef
		env     map[string]string
		want    string
		wantErr string
	}{
		{"bare env", ir.SecretRef{Env: []string{"KEY"}}, map[string]string{"KEY": secret}, secret, ""},
		{"expression", ir.SecretRef{Env: []string{"KEY"}, Expr: `"Bearer ${env("KEY")}"`}, map[string]string{"KEY": secret}, "Bearer " + secret, ""},
		{"two variables", ir.SecretRef{Env: []string{"A", "B"}, Expr: `"${env("A")}:${upper(env("B"))}"`}, map[string]string{"A": "x", "B": "y"}, "x:Y", ""},
		{"unset", ir.SecretRef{Env: []string{"KEY"}}, nil, "", "environment variable KEY is not set"},
		{"unset in expression", ir.SecretRef{Env: []string{"A", "B"}, Expr: `"${env("A")}${env("B")}"`}, map[string]string{"A": secret}, "", "environment variable B is not set"},
		{"failing function", ir.SecretRef{Env: []string{"KEY"}, Expr: `tonumber(env("KEY"))`}, map[string]string{"KEY": secret}, "", "secret from [KEY]"},
		{"no env", ir.SecretRef{}, nil, "", "names no environment variable"},
		// A hand-edited plan.json must not crash the run with a stack overflow.
		{"deep expression", ir.SecretRef{Env: []string{"KEY"}, Expr: strings.Repeat("(", 200_000)}, map[string]string{"KEY": secret}, "", "nests deeper than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveSecret(&tc.ref, env(tc.env))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.NotContains(t, err.Error(), secret, "errors never contain the secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSecretsNeverReachThePlan(t *testing.T) {
	t.Setenv("TINKER_API_KEY", "sk-in-the-environment")
	t.Setenv("HUB_TOKEN", "hub-token-value")
	res, diags := Compile(filepath.Join("testdata", "valid", "pipeline.hcl"), Options{Catalog: testCatalog()})
	require.Empty(t, diags)
	data, err := ir.Encode(res.Plan)
	require.NoError(t, err)
	assert.False(t, strings.Contains(string(data), "sk-in-the-environment"))
	assert.False(t, strings.Contains(string(data), "hub-token-value"))
	ref := res.Plan.Manifests["staging"].Ports["blob_store"].Config["endpoint"].Secret
	require.NotNil(t, ref)
	got, err := ResolveSecret(ref, env(map[string]string{"HUB_TOKEN": "t0k"}))
	require.NoError(t, err)
	assert.Equal(t, "Bearer t0k", got)
}
