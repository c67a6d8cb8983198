package tinker

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/adapters/tinker/wire"
)

// fwdBwdCall is one forward or forward_backward call, split into chunks.
type fwdBwdCall struct {
	modelID     string
	lossFn      string
	lossCfg     map[string]float64
	forwardOnly bool
	proto       bool
	compress    bool
	chunks      [][]ports.Datum
	// jsonChunks holds the converted datums for the JSON form.
	jsonChunks [][]jsonDatum
}

// datumBytes estimates a datum's request size the way the service's
// chunk limit counts it (../shared/reference/tinker-protocol.md §7).
func datumBytes(d ports.Datum, proto bool) int {
	n := 0
	for _, c := range d.ModelInput.Chunks {
		if proto {
			n += 4 * len(c.Tokens)
		} else {
			n += 10 * len(c.Tokens)
		}
	}
	for _, t := range d.LossFnInputs {
		switch {
		case !proto:
			n += 10 * t.Len()
		case t.DType == ports.Int64:
			n += 8 * t.Len()
		default:
			n += 4 * t.Len()
		}
	}
	return n
}

// splitChunks cuts data into chunks of at most maxLen datums and
// maxBytes estimated bytes (a single larger datum gets its own chunk).
func splitChunks(data []ports.Datum, maxLen, maxBytes int, proto bool) [][]ports.Datum {
	var out [][]ports.Datum
	var cur []ports.Datum
	size := 0
	for _, d := range data {
		b := datumBytes(d, proto)
		if len(cur) > 0 && (len(cur) >= maxLen || size+b > maxBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, d)
		size += b
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// validateDatum checks what the service would reject with a 400, so the
// error names the datum and nothing is sent.
func validateDatum(d ports.Datum) error {
	n := d.ModelInput.Len()
	if n == 0 {
		return fmt.Errorf("model input has no tokens")
	}
	for k, t := range d.LossFnInputs {
		if t.DType != ports.Float32 && t.DType != ports.Int64 {
			return fmt.Errorf("loss_fn_inputs[%q]: dtype %q cannot be sent (float32 or int64)", k, t.DType)
		}
		if len(t.Shape) == 0 && t.Len() != n {
			return fmt.Errorf("loss_fn_inputs[%q] has %d values for %d tokens", k, t.Len(), n)
		}
		for i, v := range t.Floats {
			if err := finite(fmt.Sprintf("loss_fn_inputs[%q][%d]", k, i), float64(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// finite rejects NaN and ±Inf, which JSON cannot carry and no loss can
// use. Checked before a call reserves its seq_id: a request that cannot
// be sent would otherwise hold up every later operation of the model.
func finite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s is %v; values must be finite", name, v)
	}
	return nil
}

func newFwdBwdCall(modelID string, data []ports.Datum, lossFn string, lossCfg map[string]float64, forwardOnly bool, flags serverFlags, proto bool) (*fwdBwdCall, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("no datums")
	}
	if lossFn == "" {
		return nil, fmt.Errorf("no loss function")
	}
	for k, v := range lossCfg {
		if err := finite(fmt.Sprintf("loss_fn_config[%q]", k), v); err != nil {
			return nil, err
		}
	}
	for i, d := range data {
		if err := validateDatum(d); err != nil {
			return nil, fmt.Errorf("datum %d: %w", i, err)
		}
	}
	c := &fwdBwdCall{
		modelID: modelID, lossFn: lossFn, lossCfg: lossCfg, forwardOnly: forwardOnly,
		proto: proto, compress: proto && flags.ProtoCompressFwdBwd,
		chunks: splitChunks(data, flags.FwdBwdMaxChunkLen, flags.FwdBwdMaxChunkBytes, proto),
	}
	if !proto {
		for _, chunk := range c.chunks {
			jc := make([]jsonDatum, len(chunk))
			for i, d := range chunk {
				jd, err := toJSONDatum(d)
				if err != nil {
					return nil, err
				}
				jc[i] = jd
			}
			c.jsonChunks = append(c.jsonChunks, jc)
		}
	}
	return c, nil
}

// request builds chunk i's request with its seq_id.
func (c *fwdBwdCall) request(i, seq int) (*request, error) {
	if c.proto {
		body, err := wire.EncodeForwardBackwardRequest(wire.ForwardBackwardRequest{
			ModelID: c.modelID, SeqID: int32(seq), Data: c.chunks[i],
			LossFn: c.lossFn, LossFnConfig: c.lossCfg, ForwardOnly: c.forwardOnly,
		})
		if err != nil {
			return nil, err
		}
		req := &request{Method: http.MethodPost, Path: "forward_backward", Body: body, ContentType: wire.ContentType}
		if c.compress {
			enc, err := zstd.NewWriter(nil)
			if err != nil {
				return nil, err
			}
			req.Body = enc.EncodeAll(body, nil)
			_ = enc.Close()
			req.ContentEncoding = "zstd"
		}
		return req, nil
	}
	input := jsonFwdBwdInput{Data: c.jsonChunks[i], LossFn: c.lossFn, LossFnConfig: c.lossCfg}
	key, path := "forward_backward_input", "forward_backward"
	if c.forwardOnly {
		key, path = "forward_input", "forward"
	}
	body, err := json.Marshal(map[string]any{key: input, "model_id": c.modelID, "seq_id": seq})
	if err != nil {
		return nil, err
	}
	return &request{Method: http.MethodPost, Path: path, Body: body}, nil
}

// decodeChunk decodes one chunk's result and checks it has one output
// per datum.
func (c *fwdBwdCall) decodeChunk(i int, r result) (ports.ForwardBackwardOutput, error) {
	var out ports.ForwardBackwardOutput
	var err error
	if r.isProto() {
		out, _, err = wire.DecodeForwardBackwardOutput(r.resp.Body)
	} else {
		out, err = decodeJSONFwdBwdOutput(r.resp.Body)
	}
	if err != nil {
		return out, err
	}
	if len(out.LossFnOutputs) != len(c.chunks[i]) {
		return out, fmt.Errorf("the service returned %d outputs for %d datums", len(out.LossFnOutputs), len(c.chunks[i]))
	}
	return out, nil
}

// mergeOutputs concatenates chunk outputs and reduces their metrics by
// the key's suffix: sum adds, mean and slack average weighted by datums,
// min and max take the extreme; other reductions keep the first chunk's
// value.
func mergeOutputs(parts []ports.ForwardBackwardOutput) ports.ForwardBackwardOutput {
	if len(parts) == 1 {
		return parts[0]
	}
	out := ports.ForwardBackwardOutput{Metrics: map[string]float64{}}
	total := 0
	for _, p := range parts {
		total += len(p.LossFnOutputs)
	}
	seen := map[string]bool{}
	for _, p := range parts {
		out.LossFnOutputs = append(out.LossFnOutputs, p.LossFnOutputs...)
		w := float64(len(p.LossFnOutputs)) / float64(max(total, 1))
		for k, v := range p.Metrics {
			red := k[strings.LastIndexByte(k, ':')+1:]
			cur, ok := out.Metrics[k]
			switch {
			case red == "sum":
				out.Metrics[k] = cur + v
			case red == "mean" || red == "slack":
				out.Metrics[k] = cur + w*v
			case red == "min" && ok:
				out.Metrics[k] = math.Min(cur, v)
			case red == "max" && ok:
				out.Metrics[k] = math.Max(cur, v)
			case !seen[k]:
				out.Metrics[k] = v
			}
			seen[k] = true
		}
	}
	return out
}

// submitFwdBwd queues the call's chunks (one seq_id each, consecutive)
// and returns a future for the merged output.
func (tc *trainingClient) submitFwdBwd(ctx context.Context, c *fwdBwdCall, op, reqType string) ports.Future[ports.ForwardBackwardOutput] {
	p := ports.NewPromise[ports.ForwardBackwardOutput]()
	fail := func(err error) { p.Resolve(ports.ForwardBackwardOutput{}, tc.svc.wrap(op, err)) }
	tc.q.enqueue(len(c.chunks), func(first int) error {
		pend := make([]*pending, len(c.chunks))
		for i := range c.chunks {
			req, err := c.request(i, first+i)
			if err != nil {
				return err
			}
			pend[i] = &pending{svc: tc.svc, req: req, reqType: reqType, wantProto: c.proto}
			if err := pend[i].send(ctx); err != nil {
				return fmt.Errorf("chunk %d of %d (seq_id %d): %w", i+1, len(c.chunks), first+i, err)
			}
		}
		go func() {
			parts := make([]ports.ForwardBackwardOutput, len(pend))
			for i, pe := range pend {
				r, err := pe.await(ctx)
				if err == nil {
					parts[i], err = c.decodeChunk(i, r)
					r.done()
				}
				if err != nil {
					fail(fmt.Errorf("seq_id %d: %w", first+i, err))
					return
				}
			}
			p.Resolve(mergeOutputs(parts), nil)
		}()
		return nil
	}, fail)
	return p
}
