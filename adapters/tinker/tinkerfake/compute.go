package tinkerfake

import (
	"fmt"
	"math"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
)

// checkFwdBwd validates a forward/backward chunk as the service would,
// before its seq_id is accepted.
func checkFwdBwd(r wire.ForwardBackwardRequest, maxLen int) error {
	if len(r.Data) == 0 {
		return fmt.Errorf("data must not be empty")
	}
	if maxLen > 0 && len(r.Data) > maxLen {
		return fmt.Errorf("chunk of %d datums exceeds fwdbwd_max_chunk_len %d", len(r.Data), maxLen)
	}
	need := map[string][]string{
		ports.LossCrossEntropy:       {"target_tokens"},
		ports.LossImportanceSampling: {"target_tokens", "logprobs", "advantages"},
		ports.LossPPO:                {"target_tokens", "logprobs", "advantages"},
		ports.LossCISPO:              {"target_tokens", "logprobs", "advantages"},
	}
	keys, ok := need[r.LossFn]
	if !ok {
		return fmt.Errorf("loss_fn %q is not supported by the fake", r.LossFn)
	}
	allowed := map[string]bool{"weights": r.LossFn == ports.LossCrossEntropy, "clip_low_threshold": true, "clip_high_threshold": true}
	for _, k := range keys {
		allowed[k] = true
	}
	for i, d := range r.Data {
		n := d.ModelInput.Len()
		for _, c := range d.ModelInput.Chunks {
			if len(c.Tokens) == 0 {
				return fmt.Errorf("datum %d: Chunk has empty tokens list", i)
			}
		}
		for _, k := range keys {
			if _, ok := d.LossFnInputs[k]; !ok {
				return fmt.Errorf("datum %d: loss_fn_inputs lacks %q for %s", i, k, r.LossFn)
			}
		}
		for k, t := range d.LossFnInputs {
			if !allowed[k] {
				return fmt.Errorf("datum %d: loss_fn_inputs has %q, which %s does not take", i, k, r.LossFn)
			}
			if len(t.Shape) > 1 {
				return fmt.Errorf("datum %d: %q is %d-D; the fake takes 1-D inputs", i, k, len(t.Shape))
			}
			if t.Len() != n {
				return fmt.Errorf("datum %d: %q has %d values for %d tokens", i, k, t.Len(), n)
			}
			wantType := ports.Float32
			if k == "target_tokens" {
				wantType = ports.Int64
			}
			if t.DType != wantType {
				return fmt.Errorf("datum %d: %q must be %s", i, k, wantType)
			}
		}
	}
	return nil
}

// forwardBackward computes a chunk's outputs with the model's current
// weights, and the gradient mass it would add.
func forwardBackward(r wire.ForwardBackwardRequest, updates int) (ports.ForwardBackwardOutput, float64) {
	out := ports.ForwardBackwardOutput{Metrics: map[string]float64{}}
	lo, hi := 0.8, 1.2
	if r.LossFn == ports.LossCISPO {
		lo, hi = 0, 4
	}
	if v, ok := r.LossFnConfig["clip_low_threshold"]; ok {
		lo = v
	}
	if v, ok := r.LossFnConfig["clip_high_threshold"]; ok {
		hi = v
	}
	var total, grad float64
	for _, d := range r.Data {
		targets := d.LossFnInputs["target_tokens"].Ints
		lps := make([]float32, len(targets))
		elem := make([]float32, len(targets))
		for i, t := range targets {
			lp := Logprob(int(t), updates)
			lps[i] = lp
			var l float64
			switch r.LossFn {
			case ports.LossCrossEntropy:
				w := float32(1)
				if ws, ok := d.LossFnInputs["weights"]; ok {
					w = ws.Floats[i]
				}
				l = -float64(w) * float64(lp)
			default:
				adv := float64(d.LossFnInputs["advantages"].Floats[i])
				ratio := math.Exp(float64(lp) - float64(d.LossFnInputs["logprobs"].Floats[i]))
				switch r.LossFn {
				case ports.LossImportanceSampling:
					l = -ratio * adv
				case ports.LossPPO:
					l = -math.Min(ratio*adv, math.Max(lo, math.Min(hi, ratio))*adv)
				case ports.LossCISPO:
					l = -math.Max(lo, math.Min(hi, ratio)) * float64(lp) * adv
				}
			}
			elem[i] = float32(l)
			total += l
			grad += math.Abs(l)
		}
		out.LossFnOutputs = append(out.LossFnOutputs, map[string]ports.TensorData{
			"logprobs":         ports.FloatTensor(lps),
			"elementwise_loss": ports.FloatTensor(elem),
		})
	}
	out.Metrics["loss:sum"] = total
	if r.ForwardOnly {
		grad = 0
	}
	return out, grad
}

// samplingRequest is a parsed asample body.
type samplingRequest struct {
	prompt      ports.ModelInput
	n           int
	maxTokens   int
	seed        int64
	stopTokens  map[int]bool
	stopStrings []string
	promptLP    bool
	topK        int
}

// sample generates deterministic completions from the weights' state.
func sample(req samplingRequest, w weights) ports.SampleResponse {
	prompt := req.prompt.Tokens()
	sum := 0
	for _, t := range prompt {
		sum += t
	}
	var out ports.SampleResponse
	for i := 0; i < req.n; i++ {
		seq := ports.SampledSequence{StopReason: ports.StopReasonLength, Tokens: []int{}, Logprobs: []float32{}}
		var text strings.Builder
		for j := 0; j < req.maxTokens; j++ {
			tok := SampleToken(sum, i, j, w.Updates, req.seed)
			seq.Tokens = append(seq.Tokens, tok)
			seq.Logprobs = append(seq.Logprobs, Logprob(tok, w.Updates))
			text.WriteByte(byte(tok))
			if req.stopTokens[tok] || hasStopSuffix(text.String(), req.stopStrings) {
				seq.StopReason = ports.StopReasonStop
				break
			}
		}
		out.Sequences = append(out.Sequences, seq)
	}
	if req.promptLP {
		out.PromptLogprobs = make([]float32, len(prompt))
		out.PromptLogprobs[0] = float32(math.NaN())
		for i := 1; i < len(prompt); i++ {
			out.PromptLogprobs[i] = Logprob(prompt[i], w.Updates)
		}
	}
	if req.topK > 0 {
		out.TopKPromptLogprobs = make([][]ports.TokenLogprob, len(prompt))
		for i := 1; i < len(prompt); i++ {
			for k := 0; k < req.topK; k++ {
				t := (prompt[i] + k) % ports.ByteVocabSize
				out.TopKPromptLogprobs[i] = append(out.TopKPromptLogprobs[i], ports.TokenLogprob{Token: t, Logprob: Logprob(t, w.Updates)})
			}
		}
	}
	return out
}

func hasStopSuffix(text string, stops []string) bool {
	for _, s := range stops {
		if s != "" && strings.HasSuffix(text, s) {
			return true
		}
	}
	return false
}

// jsonFwdBwd is the JSON answer form of a ForwardBackwardOutput.
func jsonFwdBwd(out ports.ForwardBackwardOutput) map[string]any {
	outputs := make([]map[string]any, len(out.LossFnOutputs))
	for i, o := range out.LossFnOutputs {
		outputs[i] = map[string]any{}
		for k, t := range o {
			outputs[i][k] = map[string]any{"data": t.Floats, "dtype": t.DType, "shape": []int{t.Len()}}
		}
	}
	return map[string]any{"loss_fn_output_type": "ArrayRecord", "loss_fn_outputs": outputs, "metrics": out.Metrics}
}

// jsonSample is the JSON answer form of a SampleResponse; NaN becomes
// null (JSON has no NaN), as the service's first prompt logprob is.
func jsonSample(r ports.SampleResponse) map[string]any {
	seqs := make([]map[string]any, len(r.Sequences))
	for i, s := range r.Sequences {
		seqs[i] = map[string]any{"stop_reason": s.StopReason, "tokens": s.Tokens, "logprobs": s.Logprobs}
	}
	out := map[string]any{"sequences": seqs, "type": "sample"}
	if r.PromptLogprobs != nil {
		lps := make([]any, len(r.PromptLogprobs))
		for i, v := range r.PromptLogprobs {
			if math.IsNaN(float64(v)) {
				lps[i] = nil
			} else {
				lps[i] = v
			}
		}
		out["prompt_logprobs"] = lps
	}
	if r.TopKPromptLogprobs != nil {
		rows := make([]any, len(r.TopKPromptLogprobs))
		for i, row := range r.TopKPromptLogprobs {
			if row == nil {
				continue
			}
			pairs := make([][2]any, len(row))
			for j, p := range row {
				pairs[j] = [2]any{p.Token, p.Logprob}
			}
			rows[i] = pairs
		}
		out["topk_prompt_logprobs"] = rows
	}
	return out
}
