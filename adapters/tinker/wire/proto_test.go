package wire

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

func sampleRequest() ForwardBackwardRequest {
	return ForwardBackwardRequest{
		ModelID: "sess:train:0",
		SeqID:   7,
		Data: []ports.Datum{
			{
				ModelInput: ports.ModelInput{Chunks: []ports.Chunk{{Tokens: []int{1, 2, 300}}, {Tokens: []int{4}}}},
				LossFnInputs: map[string]ports.TensorData{
					"target_tokens": ports.IntTensor([]int64{2, 300, 4, 5}),
					"weights":       {DType: ports.Float32, Shape: []int{4}, Floats: []float32{0, 1, 1, 0.5}},
				},
			},
			{
				ModelInput:   ports.TokensInput([]int{9}),
				LossFnInputs: map[string]ports.TensorData{"target_tokens": ports.IntTensor([]int64{10})},
			},
		},
		LossFn:       "ppo",
		LossFnConfig: map[string]float64{"clip_low_threshold": 0.8, "clip_high_threshold": 1.2},
		ForwardOnly:  true,
	}
}

// TestForwardBackwardRequestMatchesSchema decodes our bytes with the
// protobuf library against the schema and checks every field.
func TestForwardBackwardRequestMatchesSchema(t *testing.T) {
	fd := schema(t)
	b, err := EncodeForwardBackwardRequest(sampleRequest())
	require.NoError(t, err)
	m := dyn(t, fd, "ForwardBackwardRequest")
	require.NoError(t, proto.Unmarshal(b, m))
	get := func(m protoreflect.Message, name string) protoreflect.Value {
		return m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(name)))
	}
	assert.Equal(t, "sess:train:0", get(m, "model_id").String())
	assert.EqualValues(t, 7, get(m, "seq_id").Int())
	assert.Equal(t, "ppo", get(m, "loss_fn").String())
	assert.True(t, get(m, "forward_only").Bool())
	cfg := get(m, "loss_fn_config").Map()
	assert.Equal(t, 2, cfg.Len())
	assert.Equal(t, 0.8, cfg.Get(protoreflect.ValueOfString("clip_low_threshold").MapKey()).Float())

	data := get(m, "data").List()
	require.Equal(t, 2, data.Len())
	d0 := data.Get(0).Message()
	chunks := get(d0, "model_input").List()
	require.Equal(t, 2, chunks.Len())
	text := get(chunks.Get(0).Message(), "encoded_text").Message()
	tokens, err := readInt32s(get(text, "tokens").Bytes())
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 300}, tokens)
	inputs := get(d0, "loss_fn_inputs").Map()
	w := inputs.Get(protoreflect.ValueOfString("weights").MapKey()).Message()
	assert.EqualValues(t, DTypeFloat32, get(w, "dtype").Enum())
	floats, err := readFloat32s(get(w, "dense").Bytes())
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 1, 1, 0.5}, floats)
	assert.EqualValues(t, 4, get(w, "shape").List().Get(0).Int())
	tt := inputs.Get(protoreflect.ValueOfString("target_tokens").MapKey()).Message()
	assert.EqualValues(t, DTypeInt64, get(tt, "dtype").Enum())
	ints, err := readInt64s(get(tt, "dense").Bytes())
	require.NoError(t, err)
	assert.Equal(t, []int64{2, 300, 4, 5}, ints)

	// And the library's own encoding decodes with ours to the same request.
	lib, err := proto.Marshal(m)
	require.NoError(t, err)
	back, err := DecodeForwardBackwardRequest(lib)
	require.NoError(t, err)
	assert.Equal(t, sampleRequest(), back)
}

func TestForwardBackwardRequestRejectsUnsendableDType(t *testing.T) {
	r := sampleRequest()
	r.Data[0].LossFnInputs["x"] = ports.TensorData{DType: "bfloat16"}
	_, err := EncodeForwardBackwardRequest(r)
	assert.ErrorContains(t, err, `dtype "bfloat16"`)
}

// TestForwardBackwardOutputFromLibrary builds a response with the
// protobuf library, in the forms the service may use (several records,
// int32 and bfloat16 data, a trailing shape, "module:Class" type), and
// decodes it with ours.
func TestForwardBackwardOutputFromLibrary(t *testing.T) {
	fd := schema(t)
	out := dyn(t, fd, "ForwardBackwardOutput")
	set := func(m protoreflect.Message, name string, v protoreflect.Value) {
		m.Set(m.Descriptor().Fields().ByName(protoreflect.Name(name)), v)
	}
	mut := func(m protoreflect.Message, name string) protoreflect.Value {
		return m.Mutable(m.Descriptor().Fields().ByName(protoreflect.Name(name)))
	}
	set(out, "loss_fn_output_type", protoreflect.ValueOfString("tinker.losses:ArrayRecord"))
	mut(out, "metrics").Map().Set(protoreflect.ValueOfString("loss:sum").MapKey(), protoreflect.ValueOfFloat64(3.5))

	addRecord := func(n int, key string, data []byte, offsets []int64, dtype int32, trailing ...int64) {
		rec := mut(out, "loss_fn_outputs").List().NewElement()
		set(rec.Message(), "num_datums", protoreflect.ValueOfInt64(int64(n)))
		bt := mut(rec.Message(), "fields").Map().Mutable(protoreflect.ValueOfString(key).MapKey()).Message()
		set(bt, "data", protoreflect.ValueOfBytes(data))
		set(bt, "offsets", protoreflect.ValueOfBytes(int64Bytes(offsets)))
		set(bt, "dtype", protoreflect.ValueOfEnum(protoreflect.EnumNumber(dtype)))
		for _, s := range trailing {
			mut(bt, "trailing_shape").List().Append(protoreflect.ValueOfInt64(s))
		}
		mut(out, "loss_fn_outputs").List().Append(rec)
	}
	addRecord(2, "logprobs", float32Bytes([]float32{-1, -2, -3}), []int64{0, 8, 12}, DTypeFloat32)
	// bfloat16 -1.5 is 0xBFC0.
	addRecord(1, "logprobs", []byte{0xC0, 0xBF, 0xC0, 0xBF}, []int64{0, 4}, DTypeBFloat16)
	addRecord(1, "ids", int32Bytes([]int{1, 2, 3, 4}), []int64{0, 16}, DTypeInt32, 2)

	b, err := proto.Marshal(out)
	require.NoError(t, err)
	got, typ, err := DecodeForwardBackwardOutput(b)
	require.NoError(t, err)
	assert.Equal(t, "ArrayRecord", typ)
	assert.Equal(t, map[string]float64{"loss:sum": 3.5}, got.Metrics)
	require.Len(t, got.LossFnOutputs, 4)
	assert.Equal(t, []float32{-1, -2}, got.LossFnOutputs[0]["logprobs"].Floats)
	assert.Equal(t, []float32{-3}, got.LossFnOutputs[1]["logprobs"].Floats)
	assert.Equal(t, []float32{-1.5, -1.5}, got.LossFnOutputs[2]["logprobs"].Floats)
	assert.Equal(t, ports.TensorData{DType: ports.Int64, Shape: []int{2, 2}, Ints: []int64{1, 2, 3, 4}}, got.LossFnOutputs[3]["ids"])
}

func TestForwardBackwardOutputRoundTrip(t *testing.T) {
	in := ports.ForwardBackwardOutput{
		LossFnOutputs: []map[string]ports.TensorData{
			{"logprobs": ports.FloatTensor([]float32{-0.5, -0.25})},
			{"logprobs": ports.FloatTensor([]float32{-4})},
		},
		Metrics: map[string]float64{"loss:sum": 4.75},
	}
	b, err := EncodeForwardBackwardOutput(in, "ArrayRecord")
	require.NoError(t, err)
	// The library must accept our bytes too.
	require.NoError(t, proto.Unmarshal(b, dyn(t, schema(t), "ForwardBackwardOutput")))
	got, _, err := DecodeForwardBackwardOutput(b)
	require.NoError(t, err)
	assert.Equal(t, in, got)
}

func TestDecodeRejectsBadOffsets(t *testing.T) {
	fd := schema(t)
	out := dyn(t, fd, "ForwardBackwardOutput")
	b, err := EncodeForwardBackwardOutput(ports.ForwardBackwardOutput{
		LossFnOutputs: []map[string]ports.TensorData{{"logprobs": ports.FloatTensor([]float32{1})}},
	}, "")
	require.NoError(t, err)
	require.NoError(t, proto.Unmarshal(b, out))
	rec := out.Get(out.Descriptor().Fields().ByName("loss_fn_outputs")).List().Get(0).Message()
	rec.Set(rec.Descriptor().Fields().ByName("num_datums"), protoreflect.ValueOfInt64(3))
	bad, err := proto.Marshal(out)
	require.NoError(t, err)
	_, _, err = DecodeForwardBackwardOutput(bad)
	assert.ErrorContains(t, err, "offsets for 3 datums")
}

func TestSampleResponseRoundTripThroughLibrary(t *testing.T) {
	nan := float32(math.NaN())
	in := ports.SampleResponse{
		Sequences: []ports.SampledSequence{
			{Tokens: []int{5, 6}, Logprobs: []float32{-1, -2}, StopReason: ports.StopReasonLength},
			{Tokens: []int{7}, StopReason: ports.StopReasonStop},
		},
		PromptLogprobs: []float32{nan, -3},
		TopKPromptLogprobs: [][]ports.TokenLogprob{
			nil,
			{{Token: 3, Logprob: -0.1}, {Token: 4, Logprob: -2.5}},
		},
	}
	b := EncodeSampleResponse(in)
	m := dyn(t, schema(t), "SampleResponse")
	require.NoError(t, proto.Unmarshal(b, m))
	seqs := m.Get(m.Descriptor().Fields().ByName("sequences")).List()
	require.Equal(t, 2, seqs.Len())
	s0 := seqs.Get(0).Message()
	assert.EqualValues(t, StopReasonLength, s0.Get(s0.Descriptor().Fields().ByName("stop_reason")).Enum())
	s1 := seqs.Get(1).Message()
	assert.False(t, s1.Has(s1.Descriptor().Fields().ByName("logprobs")), "absent logprobs stay absent")

	lib, err := proto.Marshal(m)
	require.NoError(t, err)
	got, err := DecodeSampleResponse(lib)
	require.NoError(t, err)
	require.Len(t, got.PromptLogprobs, 2)
	assert.True(t, math.IsNaN(float64(got.PromptLogprobs[0])))
	assert.Equal(t, float32(-3), got.PromptLogprobs[1])
	got.PromptLogprobs, in.PromptLogprobs = nil, nil
	assert.Equal(t, in, got)
}

func TestDecodeGarbageFailsCleanly(t *testing.T) {
	for _, b := range [][]byte{{0xff}, {0x0a, 0x05, 0x01}, {0x1a, 0x02, 0x0a, 0x7f}} {
		_, err := DecodeForwardBackwardRequest(b)
		assert.Error(t, err, "%x", b)
		_, _, err = DecodeForwardBackwardOutput(b)
		assert.Error(t, err, "%x", b)
	}
}
