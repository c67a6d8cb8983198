package stage

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckpointRecordJSON(t *testing.T) {
	periodic := CheckpointRecord{Name: "000020", StatePath: "local://s/000020", SamplerPath: "local://w/000020", Epoch: 1, Batch: 4, Step: 20, Renderer: "role_colon"}
	final := CheckpointRecord{Name: "final", StatePath: "tinker://a", SamplerPath: "tinker://b", Epoch: 2, Batch: 0, Step: 32, Final: true, Renderer: "llama3"}
	// The bytes are those of the map[string]any records of earlier
	// versions (encoding/json sorts map keys), so run directories are
	// unchanged.
	for _, tc := range []struct {
		rec CheckpointRecord
		old map[string]any
	}{
		{periodic, map[string]any{"name": "000020", "state_path": "local://s/000020", "sampler_path": "local://w/000020", "epoch": 1, "batch": 4, "step": 20, "renderer": "role_colon"}},
		{final, map[string]any{"name": "final", "state_path": "tinker://a", "sampler_path": "tinker://b", "epoch": 2, "batch": 0, "step": 32, "final": true, "renderer": "llama3"}},
	} {
		got, err := json.Marshal(tc.rec)
		require.NoError(t, err)
		want, err := json.Marshal(tc.old)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
		var back CheckpointRecord
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, tc.rec, back)
	}

	withExtra := CheckpointRecord{Name: "x", Step: 3, Extra: map[string]any{"elapsed_tokens": 1200.0}}
	data, err := json.Marshal(withExtra)
	require.NoError(t, err)
	require.Equal(t, `{"batch":0,"elapsed_tokens":1200,"epoch":0,"name":"x","step":3}`, string(data))
	var back CheckpointRecord
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, withExtra, back)

	_, err = json.Marshal(CheckpointRecord{Name: "x", Extra: map[string]any{"step": 1}})
	require.ErrorContains(t, err, `extra key "step" is a field of the record`)
	for _, bad := range []string{`{"name":"x","step":1.5}`, `{"name":3}`, `{"final":"yes"}`, `[1]`} {
		require.Error(t, json.Unmarshal([]byte(bad), &back), bad)
	}
}
