package tinker

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// JSON shapes of the service (../shared/reference/tinker-protocol.md §3, §5). Optional fields
// carry omitempty or are pointers: the service rejects null, so an
// absent value is omitted, never sent as null.

type jsonChunk struct {
	Tokens []int  `json:"tokens"`
	Type   string `json:"type"`
}

type jsonModelInput struct {
	Chunks []jsonChunk `json:"chunks"`
}

type jsonTensor struct {
	Data  any    `json:"data"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape,omitempty"`
}

type jsonDatum struct {
	LossFnInputs map[string]jsonTensor `json:"loss_fn_inputs"`
	ModelInput   jsonModelInput        `json:"model_input"`
}

type jsonFwdBwdInput struct {
	Data         []jsonDatum        `json:"data"`
	LossFn       string             `json:"loss_fn"`
	LossFnConfig map[string]float64 `json:"loss_fn_config,omitempty"`
}

func toJSONInput(in ports.ModelInput) (jsonModelInput, error) {
	out := jsonModelInput{Chunks: []jsonChunk{}}
	for _, c := range in.Chunks {
		if len(c.Tokens) == 0 {
			continue // the service rejects empty chunks with a 400
		}
		out.Chunks = append(out.Chunks, jsonChunk{Tokens: c.Tokens, Type: "encoded_text"})
	}
	if len(out.Chunks) == 0 {
		return out, errors.New("model input has no tokens")
	}
	return out, nil
}

func toJSONTensor(t ports.TensorData) (jsonTensor, error) {
	switch t.DType {
	case ports.Float32:
		return jsonTensor{Data: nonNil(t.Floats), DType: t.DType, Shape: t.Shape}, nil
	case ports.Int64:
		return jsonTensor{Data: nonNil(t.Ints), DType: t.DType, Shape: t.Shape}, nil
	}
	return jsonTensor{}, fmt.Errorf("dtype %q cannot be sent (float32 or int64)", t.DType)
}

func toJSONDatum(d ports.Datum) (jsonDatum, error) {
	in, err := toJSONInput(d.ModelInput)
	if err != nil {
		return jsonDatum{}, err
	}
	out := jsonDatum{ModelInput: in, LossFnInputs: map[string]jsonTensor{}}
	for k, t := range d.LossFnInputs {
		jt, err := toJSONTensor(t)
		if err != nil {
			return jsonDatum{}, fmt.Errorf("loss_fn_inputs[%q]: %w", k, err)
		}
		out.LossFnInputs[k] = jt
	}
	return out, nil
}

// fromJSONTensor decodes a TensorData answer. JSON numbers decode as
// float64 first; ints are checked to be whole.
func fromJSONTensor(raw json.RawMessage) (ports.TensorData, error) {
	var t struct {
		Data  []*float64 `json:"data"`
		DType string     `json:"dtype"`
		Shape []int      `json:"shape"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return ports.TensorData{}, err
	}
	out := ports.TensorData{DType: t.DType, Shape: t.Shape}
	switch t.DType {
	case ports.Int64:
		out.Ints = make([]int64, len(t.Data))
		for i, v := range t.Data {
			if v == nil || *v != math.Trunc(*v) {
				return out, fmt.Errorf("int64 tensor holds a non-integer at %d", i)
			}
			out.Ints[i] = int64(*v)
		}
	default:
		out.DType = ports.Float32
		out.Floats = make([]float32, len(t.Data))
		for i, v := range t.Data {
			if v == nil {
				out.Floats[i] = float32(math.NaN())
			} else {
				out.Floats[i] = float32(*v)
			}
		}
	}
	return out, nil
}

// decodeJSONFwdBwdOutput parses a ForwardBackwardOutput answer.
func decodeJSONFwdBwdOutput(body []byte) (ports.ForwardBackwardOutput, error) {
	var raw struct {
		Outputs []map[string]json.RawMessage `json:"loss_fn_outputs"`
		Metrics map[string]float64           `json:"metrics"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return ports.ForwardBackwardOutput{}, fmt.Errorf("decoding forward_backward output: %w", err)
	}
	out := ports.ForwardBackwardOutput{Metrics: raw.Metrics, LossFnOutputs: make([]map[string]ports.TensorData, len(raw.Outputs))}
	if out.Metrics == nil {
		out.Metrics = map[string]float64{}
	}
	for i, o := range raw.Outputs {
		out.LossFnOutputs[i] = map[string]ports.TensorData{}
		for k, v := range o {
			t, err := fromJSONTensor(v)
			if err != nil {
				return out, fmt.Errorf("loss_fn_outputs[%d][%q]: %w", i, k, err)
			}
			out.LossFnOutputs[i][k] = t
		}
	}
	return out, nil
}

type jsonAdam struct {
	LearningRate float64 `json:"learning_rate"`
	Beta1        float64 `json:"beta1"`
	Beta2        float64 `json:"beta2"`
	Eps          float64 `json:"eps"`
	WeightDecay  float64 `json:"weight_decay"`
	GradClipNorm float64 `json:"grad_clip_norm"`
}

type jsonLoRA struct {
	Rank         int    `json:"rank"`
	Seed         *int64 `json:"seed,omitempty"`
	TrainUnembed bool   `json:"train_unembed"`
	TrainMLP     bool   `json:"train_mlp"`
	TrainAttn    bool   `json:"train_attn"`
}

type jsonSamplingParams struct {
	MaxTokens   *int    `json:"max_tokens,omitempty"`
	Seed        *int64  `json:"seed,omitempty"`
	Stop        any     `json:"stop,omitempty"`
	Temperature float64 `json:"temperature"`
	TopK        int     `json:"top_k"`
	TopP        float64 `json:"top_p"`
}

func toJSONSamplingParams(p ports.SamplingParams) (jsonSamplingParams, error) {
	out := jsonSamplingParams{Temperature: p.Temperature, TopK: p.TopK, TopP: p.TopP, Seed: p.Seed}
	if p.MaxTokens > 0 {
		mt := p.MaxTokens
		out.MaxTokens = &mt
	}
	if out.TopK == 0 {
		out.TopK = -1
	}
	if out.TopP <= 0 {
		out.TopP = 1
	}
	switch {
	case len(p.StopStrings) > 0 && len(p.StopTokens) > 0:
		return out, errors.New("the service takes stop strings or stop tokens, not both")
	case len(p.StopStrings) > 0:
		out.Stop = p.StopStrings
	case len(p.StopTokens) > 0:
		out.Stop = p.StopTokens
	}
	return out, nil
}

// decodeJSONSampleResponse parses a SampleResponse answer; a null prompt
// logprob (position 0) becomes NaN.
func decodeJSONSampleResponse(body []byte) (ports.SampleResponse, error) {
	var raw struct {
		Sequences []struct {
			StopReason string     `json:"stop_reason"`
			Tokens     []int      `json:"tokens"`
			Logprobs   []*float64 `json:"logprobs"`
		} `json:"sequences"`
		PromptLogprobs []*float64         `json:"prompt_logprobs"`
		TopK           [][][2]json.Number `json:"topk_prompt_logprobs"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return ports.SampleResponse{}, fmt.Errorf("decoding sample response: %w", err)
	}
	var out ports.SampleResponse
	for _, s := range raw.Sequences {
		seq := ports.SampledSequence{Tokens: nonNil(s.Tokens), StopReason: s.StopReason, Logprobs: floats(s.Logprobs)}
		if seq.StopReason != ports.StopReasonLength {
			seq.StopReason = ports.StopReasonStop
		}
		out.Sequences = append(out.Sequences, seq)
	}
	out.PromptLogprobs = floats(raw.PromptLogprobs)
	if raw.TopK != nil {
		out.TopKPromptLogprobs = make([][]ports.TokenLogprob, len(raw.TopK))
		for i, row := range raw.TopK {
			for _, pair := range row {
				id, err1 := pair[0].Int64()
				lp, err2 := pair[1].Float64()
				if err1 != nil || err2 != nil {
					return out, fmt.Errorf("topk_prompt_logprobs[%d]: bad pair %v", i, pair)
				}
				out.TopKPromptLogprobs[i] = append(out.TopKPromptLogprobs[i], ports.TokenLogprob{Token: int(id), Logprob: float32(lp)})
			}
		}
	}
	return out, nil
}

func floats(v []*float64) []float32 {
	if v == nil {
		return nil
	}
	out := make([]float32, len(v))
	for i, x := range v {
		if x == nil {
			out[i] = float32(math.NaN())
		} else {
			out[i] = float32(*x)
		}
	}
	return out
}

// tinkerPath checks the tinker://<run>/{weights,sampler_weights}/<name>
// form and returns the run id.
func tinkerPath(p string) (run, kind, name string, err error) {
	rest, ok := strings.CutPrefix(p, "tinker://")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[2] == "" ||
		(parts[1] != "weights" && parts[1] != "sampler_weights") {
		return "", "", "", fmt.Errorf("%q is not a tinker://<run>/weights/<name> or tinker://<run>/sampler_weights/<name> path", p)
	}
	return parts[0], parts[1], parts[2], nil
}
