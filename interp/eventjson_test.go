package interp

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// marshalEvent must agree with json.Marshal byte for byte.
func TestMarshalEventMatchesEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quo"te`, `back\slash`, "new\nline\ttab\r", "\x00\x01\x1f", "<html>&amp;",
		"unicode é ü 日本", "\u2028\u2029", "bad \xff utf8 \xc3", "emoji 🚀", "[REDACTED]"}
	floats := []float64{0, 1, 0.5, 12.345, 1e-7, 3.2e-9, 1e21, 123456789.123, 1e20}
	outputs := []json.RawMessage{nil, json.RawMessage(`{"value":"x"}`), json.RawMessage(`{"a": [1, 2], "b":"<"}`),
		json.RawMessage(`{"s":"é"}`), json.RawMessage(`{"q":"a\"b"}`)}
	rng := rand.New(rand.NewSource(1))
	pick := func() string { return strs[rng.Intn(len(strs))] }
	for i := 0; i < 3000; i++ {
		e := Event{
			Time: time.Unix(rng.Int63n(2e9), rng.Int63n(1e9)).UTC(), Type: pick(), RunID: pick(), Dir: pick(),
			Attempt: rng.Intn(3), Stage: pick(), Kind: pick(), Hash: pick(), Resume: rng.Intn(2) == 0,
			DurationMS: floats[rng.Intn(len(floats))], Outputs: outputs[rng.Intn(len(outputs))], Redacted: rng.Intn(2) == 0,
			Error: pick(), Reason: pick(), Status: pick(), Port: pick(), Adapter: pick(),
			Done: rng.Intn(3) - 1, Total: rng.Intn(3), Unit: pick(), Message: pick(),
		}
		want, err := json.Marshal(&e)
		require.NoError(t, err)
		got, err := marshalEvent(&e)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "event %d: %+v", i, e)
	}
}
