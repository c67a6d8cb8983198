package tinkerfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const key = "tml-fake-test"

// post sends a raw JSON request and returns status and decoded body.
func post(t *testing.T, s *Server, path, body string, hdr map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/"+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

// newModel creates a session and a model with raw requests.
func newModel(t *testing.T, s *Server) string {
	t.Helper()
	code, sess := post(t, s, "create_session", `{"tags":[],"sdk_version":"x","type":"create_session"}`, nil)
	require.Equal(t, 200, code)
	code, fut := post(t, s, "create_model", fmt.Sprintf(`{"session_id":%q,"model_seq_id":0,"base_model":"m","lora_config":{"rank":4,"train_unembed":true,"train_mlp":true,"train_attn":true},"type":"create_model"}`, sess["session_id"]), map[string]string{"X-Idempotency-Key": "k0"})
	require.Equal(t, 200, code, "%v", fut)
	code, res := post(t, s, "retrieve_future", fmt.Sprintf(`{"request_id":%q,"allow_metadata_only":true}`, fut["request_id"]), nil)
	require.Equal(t, 200, code)
	return res["model_id"].(string)
}

func optim(id string, seq int) string {
	return fmt.Sprintf(`{"adam_params":{"learning_rate":0.1,"beta1":0.9,"beta2":0.95,"eps":1e-8,"weight_decay":0,"grad_clip_norm":0},"model_id":%q,"seq_id":%d,"type":"optim_step"}`, id, seq)
}

func TestFakeChecks(t *testing.T) {
	s := Start(Options{APIKey: key})
	defer s.Close()
	id := newModel(t, s)

	code, body := post(t, s, "optim_step", optim(id, 1), map[string]string{"X-API-Key": "tml-wrong"})
	assert.Equal(t, 401, code, "%v", body)

	code, body = post(t, s, "create_session", `{"tags":[],"sdk_version":"x","project_id":null,"type":"create_session"}`, nil)
	assert.Equal(t, 400, code)
	assert.Contains(t, body["detail"], "null is not accepted for $.project_id")

	code, body = post(t, s, "optim_step", optim(id, 2), map[string]string{"X-Idempotency-Key": "a"})
	assert.Equal(t, 400, code)
	assert.Contains(t, body["detail"], "seq_id 2 out of order")

	code, first := post(t, s, "optim_step", optim(id, 1), map[string]string{"X-Idempotency-Key": "a"})
	require.Equal(t, 200, code)
	code, again := post(t, s, "optim_step", optim(id, 1), map[string]string{"X-Idempotency-Key": "a"})
	require.Equal(t, 200, code)
	assert.Equal(t, first["request_id"], again["request_id"], "a re-sent request maps to the first")
	code, _ = post(t, s, "optim_step", optim(id, 1), map[string]string{"X-Idempotency-Key": "b"})
	assert.Equal(t, 409, code, "a different request may not reuse a seq_id")

	code, body = post(t, s, "forward_backward", fmt.Sprintf(`{"forward_backward_input":{"data":[{"model_input":{"chunks":[{"tokens":[],"type":"encoded_text"}]},"loss_fn_inputs":{}}],"loss_fn":"cross_entropy"},"model_id":%q,"seq_id":2}`, id), nil)
	assert.Equal(t, 400, code)
	assert.Contains(t, body["detail"], "empty tokens list")

	code, res := post(t, s, "retrieve_future", fmt.Sprintf(`{"request_id":%q,"allow_metadata_only":true}`, first["request_id"]), nil)
	require.Equal(t, 200, code)
	assert.Contains(t, res, "metrics")
	applied := s.Applied(id)
	require.Len(t, applied, 1, "applied once despite the re-send")
	assert.Equal(t, AppliedOp{ModelID: id, SeqID: 1, Type: "optim_step", LearningRate: 0.1, Updates: 1}, applied[0])
}

func TestFakeFaultRules(t *testing.T) {
	s := Start(Options{APIKey: key, Faults: []FaultRule{{Kind: Fault500, Path: "healthz", Every: 2, Limit: 2}}})
	defer s.Close()
	var codes []int
	for i := 0; i < 6; i++ {
		resp, err := http.Get(s.URL + "/api/v1/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	assert.Equal(t, []int{200, 500, 200, 500, 200, 200}, codes, "every 2nd, at most twice")
	assert.Equal(t, 2, s.FaultsInjected()[Fault500])
	assert.Equal(t, []int{2}, s.RuleFirings())
}

func TestLogprobFallsWithUpdates(t *testing.T) {
	for tok := 0; tok < 20; tok++ {
		assert.Less(t, Logprob(tok, 0), Logprob(tok, 5))
		assert.Less(t, Logprob(tok, 5), float32(0))
	}
}
