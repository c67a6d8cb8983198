package local

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cookbookc/cookbookc/adapters/local/engine"
	"github.com/cookbookc/cookbookc/adapters/ports"
)

// lossInputs lists the loss_fn_inputs keys each loss reads (required
// first, then optional). Keys a loss does not read are rejected, as the
// service does.
var lossInputs = map[engine.LossKind]struct{ required, optional []string }{
	engine.CrossEntropy:       {[]string{"target_tokens", "weights"}, nil},
	engine.ImportanceSampling: {[]string{"target_tokens", "logprobs", "advantages"}, nil},
	engine.PPO:                {[]string{"target_tokens", "logprobs", "advantages"}, []string{"clip_low_threshold", "clip_high_threshold"}},
	engine.CISPO:              {[]string{"target_tokens", "logprobs", "advantages"}, []string{"clip_low_threshold", "clip_high_threshold"}},
}

// parseLoss resolves a loss name and its loss_fn_config.
func parseLoss(name string, cfg map[string]float64) (engine.Loss, error) {
	kind, err := engine.ParseLoss(name)
	if err != nil {
		return engine.Loss{}, err
	}
	loss := engine.DefaultLoss(kind)
	for k, v := range cfg {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return engine.Loss{}, fmt.Errorf("loss_fn_config[%q] is %v; it must be finite", k, v)
		}
		switch {
		case k == "clip_low_threshold" && (kind == engine.PPO || kind == engine.CISPO):
			loss.ClipLow = v
		case k == "clip_high_threshold" && (kind == engine.PPO || kind == engine.CISPO):
			loss.ClipHigh = v
		default:
			return engine.Loss{}, fmt.Errorf("loss_fn_config key %q is not used by %s", k, name)
		}
	}
	if loss.ClipLow > loss.ClipHigh {
		return engine.Loss{}, fmt.Errorf("clip_low_threshold %v is above clip_high_threshold %v", loss.ClipLow, loss.ClipHigh)
	}
	return loss, nil
}

func floats(t ports.TensorData) []float32 {
	if t.DType == ports.Int64 {
		out := make([]float32, len(t.Ints))
		for i, v := range t.Ints {
			out[i] = float32(v)
		}
		return out
	}
	return t.Floats
}

// toBatch packs data into an engine batch, checking every datum's inputs.
func toBatch(data []ports.Datum, loss engine.Loss, lossName string) (*engine.Batch, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("no data")
	}
	spec := lossInputs[loss.Kind]
	b := &engine.Batch{K: 0}
	for i, d := range data {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("datum %d: "+format, append([]any{i}, args...)...)
		}
		for key := range d.LossFnInputs {
			if !slices.Contains(spec.required, key) && !slices.Contains(spec.optional, key) {
				return nil, fail("loss_fn_inputs key %q is not an input of %s (it reads %s)", key, lossName, strings.Join(append(append([]string(nil), spec.required...), spec.optional...), ", "))
			}
		}
		for _, key := range spec.required {
			if _, ok := d.LossFnInputs[key]; !ok {
				return nil, fail("%s needs loss_fn_inputs[%q]", lossName, key)
			}
		}
		tokens := d.ModelInput.Tokens()
		n := len(tokens)
		if n == 0 {
			return nil, fail("empty model_input")
		}
		tt := d.LossFnInputs["target_tokens"]
		k := 1
		if len(tt.Shape) == 2 {
			k = tt.Shape[1]
		}
		if len(tt.Shape) > 2 || (len(tt.Shape) >= 1 && tt.Shape[0] != n) || tt.Len() != n*k {
			return nil, fail("target_tokens has shape %v (%d values) for %d input tokens", tt.Shape, tt.Len(), n)
		}
		if b.K == 0 {
			b.K = k
		} else if b.K != k {
			return nil, fail("target_tokens has %d targets per position, earlier datums %d", k, b.K)
		}
		b.SeqStart = append(b.SeqStart, len(b.Tokens))
		for j, t := range tokens {
			if !tokenID(int64(t)) {
				return nil, fail("model_input token %d at position %d is not a token id", t, j)
			}
			b.Tokens = append(b.Tokens, int32(t))
		}
		if tt.DType != ports.Int64 {
			return nil, fail("target_tokens must be int64, got %s", tt.DType)
		}
		for j, t := range tt.Ints {
			if !tokenID(t) {
				return nil, fail("target_tokens[%d] = %d is not a token id", j, t)
			}
			b.Targets = append(b.Targets, int32(t))
		}
		vec := func(key string, want int, broadcast bool) ([]float32, error) {
			t, ok := d.LossFnInputs[key]
			if !ok {
				return nil, nil
			}
			v := floats(t)
			if broadcast && len(v) == 1 && want > 1 {
				out := make([]float32, want)
				for j := range out {
					out[j] = v[0]
				}
				return out, nil
			}
			if len(v) != want {
				return nil, fail("%s has %d values, want %d", key, len(v), want)
			}
			return v, nil
		}
		if loss.Kind == engine.CrossEntropy {
			w, err := vec("weights", n*k, false)
			if err != nil {
				return nil, err
			}
			b.Weights = append(b.Weights, w...)
			continue
		}
		for _, f := range []struct {
			key string
			dst *[]float32
		}{{"logprobs", &b.SamplerLogprobs}, {"advantages", &b.Advantages}, {"clip_low_threshold", &b.ClipLow}, {"clip_high_threshold", &b.ClipHigh}} {
			v, err := vec(f.key, n, strings.HasPrefix(f.key, "clip"))
			if err != nil {
				return nil, err
			}
			if v == nil && strings.HasPrefix(f.key, "clip") {
				// Per-position thresholds are all-or-nothing across the
				// batch: fill this datum with the config value.
				if *f.dst == nil && !anyHas(data, f.key) {
					continue
				}
				v = make([]float32, n)
				for j := range v {
					if f.key == "clip_low_threshold" {
						v[j] = float32(loss.ClipLow)
					} else {
						v[j] = float32(loss.ClipHigh)
					}
				}
			}
			*f.dst = append(*f.dst, v...)
		}
	}
	b.SeqStart = append(b.SeqStart, len(b.Tokens))
	return b, nil
}

// tokenID reports whether t fits the engine's int32 token ids; larger
// values would wrap around to a valid-looking id. The engine checks the
// vocabulary itself.
func tokenID(t int64) bool { return t >= 0 && t <= math.MaxInt32 }

func anyHas(data []ports.Datum, key string) bool {
	for _, d := range data {
		if _, ok := d.LossFnInputs[key]; ok {
			return true
		}
	}
	return false
}

// outputs splits the engine's logprobs into one loss_fn_outputs entry per
// datum, shaped like its target_tokens.
func outputs(b *engine.Batch, res *engine.Result) ports.ForwardBackwardOutput {
	out := ports.ForwardBackwardOutput{Metrics: map[string]float64{"loss:sum": res.LossSum}}
	for s := 0; s+1 < len(b.SeqStart); s++ {
		lo, hi := b.SeqStart[s]*b.K, b.SeqStart[s+1]*b.K
		t := ports.FloatTensor(append([]float32(nil), res.Logprobs[lo:hi]...))
		if b.K > 1 {
			t.Shape = []int{b.SeqStart[s+1] - b.SeqStart[s], b.K}
		}
		out.LossFnOutputs = append(out.LossFnOutputs, map[string]ports.TensorData{"logprobs": t})
	}
	return out
}
