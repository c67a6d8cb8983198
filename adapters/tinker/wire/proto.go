// Package wire encodes and decodes the protobuf messages of the Tinker
// training service (package tinker_public, proto3; field numbers from
// ../shared/reference/tinker-protocol.md §6) by hand with protowire, so no
// generated code is needed. Both the tinker adapter and its test fake use
// it; its tests check every message against a descriptor built from the
// schema with the protobuf reflection library, so the two cannot agree on
// a wrong encoding.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/cookbookc/cookbookc/adapters/ports"
)

// DType values of the proto schema.
const (
	DTypeUnspecified = 0
	DTypeFloat32     = 1
	DTypeInt64       = 2
	DTypeInt32       = 3
	DTypeBFloat16    = 4
)

// Stop reasons of the proto schema.
const (
	StopReasonStop   = 0
	StopReasonLength = 1
)

// MaskLogprob fills empty top-k slots in proto sample responses.
const MaskLogprob = -99999.0

// ContentType is the media type of protobuf bodies.
const ContentType = "application/x-protobuf"

// ForwardBackwardRequest is the proto form of a forward_backward call
// (also forward-only, with ForwardOnly set).
type ForwardBackwardRequest struct {
	ModelID      string
	SeqID        int32
	Data         []ports.Datum
	LossFn       string
	LossFnConfig map[string]float64
	ForwardOnly  bool
}

// EncodeForwardBackwardRequest returns the serialized message.
func EncodeForwardBackwardRequest(r ForwardBackwardRequest) ([]byte, error) {
	var b []byte
	b = appendString(b, 1, r.ModelID)
	if r.SeqID != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(r.SeqID)))
	}
	for i, d := range r.Data {
		db, err := encodeDatum(d)
		if err != nil {
			return nil, fmt.Errorf("datum %d: %w", i, err)
		}
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		b = protowire.AppendBytes(b, db)
	}
	b = appendString(b, 4, r.LossFn)
	b = appendDoubleMap(b, 5, r.LossFnConfig)
	if r.ForwardOnly {
		b = protowire.AppendTag(b, 6, protowire.VarintType)
		b = protowire.AppendVarint(b, 1)
	}
	return b, nil
}

func encodeDatum(d ports.Datum) ([]byte, error) {
	var b []byte
	for _, c := range d.ModelInput.Chunks {
		// Chunk { oneof { EncodedTextChunk encoded_text = 1 } }
		text := protowire.AppendTag(nil, 1, protowire.BytesType)
		text = protowire.AppendBytes(text, int32Bytes(c.Tokens))
		chunk := protowire.AppendTag(nil, 1, protowire.BytesType)
		chunk = protowire.AppendBytes(chunk, text)
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, chunk)
	}
	for _, k := range slices.Sorted(maps.Keys(d.LossFnInputs)) {
		tb, err := encodeTensor(d.LossFnInputs[k])
		if err != nil {
			return nil, fmt.Errorf("loss_fn_inputs[%q]: %w", k, err)
		}
		entry := appendString(nil, 1, k)
		entry = protowire.AppendTag(entry, 2, protowire.BytesType)
		entry = protowire.AppendBytes(entry, tb)
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, entry)
	}
	return b, nil
}

// encodeTensor writes Tensor { bytes dense = 1; DType dtype = 3; repeated
// int64 shape = 4 }. Only float32 and int64 may be written.
func encodeTensor(t ports.TensorData) ([]byte, error) {
	var dense []byte
	var dtype uint64
	switch t.DType {
	case ports.Float32:
		dense, dtype = float32Bytes(t.Floats), DTypeFloat32
	case ports.Int64:
		dense, dtype = int64Bytes(t.Ints), DTypeInt64
	default:
		return nil, fmt.Errorf("dtype %q cannot be sent (float32 or int64)", t.DType)
	}
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, dense)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, dtype)
	if len(t.Shape) > 0 {
		var packed []byte
		for _, s := range t.Shape {
			packed = protowire.AppendVarint(packed, uint64(int64(s)))
		}
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, packed)
	}
	return b, nil
}

// DecodeForwardBackwardRequest parses the serialized message.
func DecodeForwardBackwardRequest(b []byte) (ForwardBackwardRequest, error) {
	var r ForwardBackwardRequest
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 1:
			r.ModelID = string(v.bytes)
		case 2:
			r.SeqID = int32(v.varint)
		case 3:
			d, err := decodeDatum(v.bytes)
			if err != nil {
				return fmt.Errorf("datum %d: %w", len(r.Data), err)
			}
			r.Data = append(r.Data, d)
		case 4:
			r.LossFn = string(v.bytes)
		case 5:
			k, val, err := decodeDoubleEntry(v.bytes)
			if err != nil {
				return err
			}
			if r.LossFnConfig == nil {
				r.LossFnConfig = map[string]float64{}
			}
			r.LossFnConfig[k] = val
		case 6:
			r.ForwardOnly = v.varint != 0
		}
		return nil
	})
	return r, err
}

func decodeDatum(b []byte) (ports.Datum, error) {
	d := ports.Datum{LossFnInputs: map[string]ports.TensorData{}}
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 1:
			var tokens []int
			found := false
			err := eachField(v.bytes, func(n protowire.Number, _ protowire.Type, cv field) error {
				if n != 1 {
					return fmt.Errorf("chunk kind %d is not supported (encoded_text only)", n)
				}
				found = true
				return eachField(cv.bytes, func(tn protowire.Number, _ protowire.Type, tv field) error {
					if tn == 1 {
						ints, err := readInt32s(tv.bytes)
						if err != nil {
							return err
						}
						tokens = ints
					}
					return nil
				})
			})
			if err != nil {
				return err
			}
			if !found {
				return errors.New("empty chunk")
			}
			d.ModelInput.Chunks = append(d.ModelInput.Chunks, ports.Chunk{Tokens: tokens})
		case 2:
			var key string
			var t ports.TensorData
			err := eachField(v.bytes, func(n protowire.Number, _ protowire.Type, ev field) error {
				switch n {
				case 1:
					key = string(ev.bytes)
				case 2:
					var err error
					t, err = decodeTensor(ev.bytes)
					return err
				}
				return nil
			})
			if err != nil {
				return err
			}
			d.LossFnInputs[key] = t
		}
		return nil
	})
	return d, err
}

func decodeTensor(b []byte) (ports.TensorData, error) {
	var dense []byte
	var dtype uint64
	var shape []int
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v field) error {
		switch num {
		case 1:
			dense = v.bytes
		case 2:
			return errors.New("sparse tensors are not supported")
		case 3:
			dtype = v.varint
		case 4:
			vals, err := readRepeatedVarint(typ, v)
			if err != nil {
				return err
			}
			for _, s := range vals {
				shape = append(shape, int(int64(s)))
			}
		}
		return nil
	})
	if err != nil {
		return ports.TensorData{}, err
	}
	t, err := tensorFromBytes(dense, int(dtype))
	t.Shape = shape
	return t, err
}

// tensorFromBytes converts raw little-endian values to a TensorData,
// widening bfloat16 to float32 and int32 to int64.
func tensorFromBytes(raw []byte, dtype int) (ports.TensorData, error) {
	switch dtype {
	case DTypeFloat32:
		f, err := readFloat32s(raw)
		return ports.TensorData{DType: ports.Float32, Floats: f}, err
	case DTypeBFloat16:
		if len(raw)%2 != 0 {
			return ports.TensorData{}, fmt.Errorf("bfloat16 data of %d bytes", len(raw))
		}
		f := make([]float32, len(raw)/2)
		for i := range f {
			f[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
		return ports.TensorData{DType: ports.Float32, Floats: f}, nil
	case DTypeInt64:
		v, err := readInt64s(raw)
		return ports.TensorData{DType: ports.Int64, Ints: v}, err
	case DTypeInt32:
		v32, err := readInt32s(raw)
		v := make([]int64, len(v32))
		for i, x := range v32 {
			v[i] = int64(x)
		}
		return ports.TensorData{DType: ports.Int64, Ints: v}, err
	}
	return ports.TensorData{}, fmt.Errorf("unknown dtype %d", dtype)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b // proto3 default: omitted
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendDoubleMap(b []byte, num protowire.Number, m map[string]float64) []byte {
	// Sorted keys: identical requests encode to identical bytes.
	for _, k := range slices.Sorted(maps.Keys(m)) {
		entry := appendString(nil, 1, k)
		entry = protowire.AppendTag(entry, 2, protowire.Fixed64Type)
		entry = protowire.AppendFixed64(entry, math.Float64bits(m[k]))
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendBytes(b, entry)
	}
	return b
}

func decodeDoubleEntry(b []byte) (string, float64, error) {
	var k string
	var v float64
	err := eachField(b, func(num protowire.Number, typ protowire.Type, f field) error {
		switch num {
		case 1:
			k = string(f.bytes)
		case 2:
			if typ != protowire.Fixed64Type {
				return fmt.Errorf("map value of wire type %d, want double", typ)
			}
			v = math.Float64frombits(f.fixed64)
		}
		return nil
	})
	return k, v, err
}
