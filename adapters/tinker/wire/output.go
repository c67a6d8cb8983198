package wire

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// EncodeForwardBackwardOutput serializes out as one ArrayRecord holding
// every datum (the service's response form; used by the test fake).
// Every datum must carry the same output keys.
func EncodeForwardBackwardOutput(out ports.ForwardBackwardOutput, outputType string) ([]byte, error) {
	b := appendString(nil, 1, outputType)
	if n := len(out.LossFnOutputs); n > 0 {
		rec := appendString(nil, 1, "ArrayRecord")
		for _, key := range slices.Sorted(maps.Keys(out.LossFnOutputs[0])) {
			bt, err := encodeBatched(out.LossFnOutputs, key)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", key, err)
			}
			entry := appendString(nil, 1, key)
			entry = protowire.AppendTag(entry, 2, protowire.BytesType)
			entry = protowire.AppendBytes(entry, bt)
			rec = protowire.AppendTag(rec, 2, protowire.BytesType)
			rec = protowire.AppendBytes(rec, entry)
		}
		rec = protowire.AppendTag(rec, 3, protowire.VarintType)
		rec = protowire.AppendVarint(rec, uint64(n))
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, rec)
	}
	return appendDoubleMap(b, 3, out.Metrics), nil
}

// encodeBatched writes BatchedTensor { bytes data = 1; bytes offsets = 2;
// DType dtype = 3; repeated int64 trailing_shape = 4 } for one key of
// every datum; offsets are byte offsets, num_datums+1 of them.
func encodeBatched(outputs []map[string]ports.TensorData, key string) ([]byte, error) {
	var data []byte
	offsets := make([]int64, 0, len(outputs)+1)
	offsets = append(offsets, 0)
	var dtype uint64
	var trailing []int
	for i, o := range outputs {
		t, ok := o[key]
		if !ok {
			return nil, fmt.Errorf("datum %d has no %q", i, key)
		}
		switch t.DType {
		case ports.Float32:
			data, dtype = append(data, float32Bytes(t.Floats)...), DTypeFloat32
		case ports.Int64:
			data, dtype = append(data, int64Bytes(t.Ints)...), DTypeInt64
		default:
			return nil, fmt.Errorf("dtype %q", t.DType)
		}
		if i == 0 && len(t.Shape) > 1 {
			trailing = t.Shape[1:]
		}
		offsets = append(offsets, int64(len(data)))
	}
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, data)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, int64Bytes(offsets))
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, dtype)
	if len(trailing) > 0 {
		var packed []byte
		for _, s := range trailing {
			packed = protowire.AppendVarint(packed, uint64(s))
		}
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, packed)
	}
	return b, nil
}

// DecodeForwardBackwardOutput parses a serialized ForwardBackwardOutput.
// The datums of several ArrayRecords are concatenated; the returned type
// name has any "module:" prefix removed.
func DecodeForwardBackwardOutput(b []byte) (ports.ForwardBackwardOutput, string, error) {
	out := ports.ForwardBackwardOutput{Metrics: map[string]float64{}}
	var outputType string
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 1:
			outputType = string(v.bytes)
			if i := strings.LastIndexByte(outputType, ':'); i >= 0 {
				outputType = outputType[i+1:]
			}
		case 2:
			datums, err := decodeArrayRecord(v.bytes)
			if err != nil {
				return err
			}
			out.LossFnOutputs = append(out.LossFnOutputs, datums...)
		case 3:
			k, val, err := decodeDoubleEntry(v.bytes)
			if err != nil {
				return err
			}
			out.Metrics[k] = val
		}
		return nil
	})
	return out, outputType, err
}

type batched struct {
	data     []byte
	offsets  []int64
	dtype    int
	trailing []int
}

func decodeArrayRecord(b []byte) ([]map[string]ports.TensorData, error) {
	fields := map[string]batched{}
	var n int
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 2:
			var key string
			var bt batched
			err := eachField(v.bytes, func(en protowire.Number, _ protowire.Type, ev field) error {
				switch en {
				case 1:
					key = string(ev.bytes)
				case 2:
					var err error
					bt, err = decodeBatched(ev.bytes)
					return err
				}
				return nil
			})
			if err != nil {
				return err
			}
			fields[key] = bt
		case 3:
			n = int(int64(v.varint))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("num_datums %d", n)
	}
	out := make([]map[string]ports.TensorData, n)
	for i := range out {
		out[i] = map[string]ports.TensorData{}
	}
	for key, bt := range fields {
		if len(bt.offsets) != n+1 {
			return nil, fmt.Errorf("field %q: %d offsets for %d datums", key, len(bt.offsets), n)
		}
		for i := 0; i < n; i++ {
			lo, hi := bt.offsets[i], bt.offsets[i+1]
			if lo < 0 || hi < lo || hi > int64(len(bt.data)) {
				return nil, fmt.Errorf("field %q: bad offsets [%d,%d) of %d bytes", key, lo, hi, len(bt.data))
			}
			t, err := tensorFromBytes(bt.data[lo:hi], bt.dtype)
			if err != nil {
				return nil, fmt.Errorf("field %q datum %d: %w", key, i, err)
			}
			if len(bt.trailing) > 0 {
				inner := 1
				for _, s := range bt.trailing {
					inner *= s
				}
				if inner == 0 || t.Len()%inner != 0 {
					return nil, fmt.Errorf("field %q datum %d: %d values do not fit trailing shape %v", key, i, t.Len(), bt.trailing)
				}
				t.Shape = append([]int{t.Len() / inner}, bt.trailing...)
			}
			out[i][key] = t
		}
	}
	return out, nil
}

func decodeBatched(b []byte) (batched, error) {
	var bt batched
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 1:
			bt.data = v.bytes
		case 2:
			offs, err := readInt64s(v.bytes)
			if err != nil {
				return err
			}
			bt.offsets = offs
		case 3:
			bt.dtype = int(v.varint)
		case 4:
			vals, err := readRepeatedVarint(typ, v)
			if err != nil {
				return err
			}
			for _, s := range vals {
				bt.trailing = append(bt.trailing, int(int64(s)))
			}
		}
		return nil
	})
	return bt, err
}

// EncodeSampleResponse serializes r (the service's response form; used by
// the test fake). Top-k lists shorter than the longest are padded with
// MaskLogprob slots, as the service does.
func EncodeSampleResponse(r ports.SampleResponse) []byte {
	var b []byte
	for _, s := range r.Sequences {
		var sb []byte
		if s.StopReason == ports.StopReasonLength {
			sb = protowire.AppendTag(sb, 1, protowire.VarintType)
			sb = protowire.AppendVarint(sb, StopReasonLength)
		}
		sb = protowire.AppendTag(sb, 2, protowire.BytesType)
		sb = protowire.AppendBytes(sb, int32Bytes(s.Tokens))
		if s.Logprobs != nil {
			sb = protowire.AppendTag(sb, 3, protowire.BytesType)
			sb = protowire.AppendBytes(sb, float32Bytes(s.Logprobs))
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, sb)
	}
	if r.PromptLogprobs != nil {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, float32Bytes(r.PromptLogprobs))
	}
	if r.TopKPromptLogprobs != nil {
		k := 0
		for _, row := range r.TopKPromptLogprobs {
			k = max(k, len(row))
		}
		n := len(r.TopKPromptLogprobs)
		ids := make([]int, 0, n*k)
		lps := make([]float32, 0, n*k)
		for _, row := range r.TopKPromptLogprobs {
			for j := 0; j < k; j++ {
				if j < len(row) {
					ids, lps = append(ids, row[j].Token), append(lps, row[j].Logprob)
				} else {
					ids, lps = append(ids, 0), append(lps, MaskLogprob)
				}
			}
		}
		tb := protowire.AppendTag(nil, 1, protowire.BytesType)
		tb = protowire.AppendBytes(tb, int32Bytes(ids))
		tb = protowire.AppendTag(tb, 2, protowire.BytesType)
		tb = protowire.AppendBytes(tb, float32Bytes(lps))
		tb = protowire.AppendTag(tb, 3, protowire.VarintType)
		tb = protowire.AppendVarint(tb, uint64(k))
		tb = protowire.AppendTag(tb, 4, protowire.VarintType)
		tb = protowire.AppendVarint(tb, uint64(n))
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		b = protowire.AppendBytes(b, tb)
	}
	return b
}

// DecodeSampleResponse parses a serialized SampleResponse. Masked top-k
// slots are dropped; a prompt position whose slots are all masked (the
// first) becomes a nil list.
func DecodeSampleResponse(b []byte) (ports.SampleResponse, error) {
	var r ports.SampleResponse
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 1:
			s := ports.SampledSequence{StopReason: ports.StopReasonStop}
			err := eachField(v.bytes, func(sn protowire.Number, _ protowire.Type, sv field) error {
				var err error
				switch sn {
				case 1:
					if sv.varint == StopReasonLength {
						s.StopReason = ports.StopReasonLength
					}
				case 2:
					s.Tokens, err = readInt32s(sv.bytes)
				case 3:
					s.Logprobs, err = readFloat32s(sv.bytes)
				}
				return err
			})
			if err != nil {
				return err
			}
			r.Sequences = append(r.Sequences, s)
		case 2:
			lp, err := readFloat32s(v.bytes)
			if err != nil {
				return err
			}
			r.PromptLogprobs = lp
		case 3:
			topk, err := decodeTopK(v.bytes)
			if err != nil {
				return err
			}
			r.TopKPromptLogprobs = topk
		}
		return nil
	})
	return r, err
}

func decodeTopK(b []byte) ([][]ports.TokenLogprob, error) {
	var ids []int
	var lps []float32
	var k, n uint64
	err := eachField(b, func(num protowire.Number, _ protowire.Type, v field) error {
		var err error
		switch num {
		case 1:
			ids, err = readInt32s(v.bytes)
		case 2:
			lps, err = readFloat32s(v.bytes)
		case 3:
			k = v.varint
		case 4:
			n = v.varint
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if uint64(len(ids)) != n*k || len(lps) != len(ids) {
		return nil, fmt.Errorf("top-k: %d ids and %d logprobs for %d×%d", len(ids), len(lps), n, k)
	}
	out := make([][]ports.TokenLogprob, n)
	for i := range out {
		var row []ports.TokenLogprob
		for j := 0; j < int(k); j++ {
			idx := i*int(k) + j
			if lps[idx] <= MaskLogprob {
				continue
			}
			row = append(row, ports.TokenLogprob{Token: ids[idx], Logprob: lps[idx]})
		}
		out[i] = row
	}
	return out, nil
}
