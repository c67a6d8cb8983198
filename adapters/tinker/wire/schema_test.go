package wire

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// schema builds the tinker_public.proto descriptor (../shared/reference/tinker-protocol.md §6)
// with the protobuf library, independently of the hand-written codec, so
// the tests can check our bytes against the library's encoder/decoder.
func schema(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	type F = descriptorpb.FieldDescriptorProto
	opt := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
	rep := descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	f := func(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type, label descriptorpb.FieldDescriptorProto_Label, typeName string) *F {
		fd := &F{Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(), Label: label.Enum(), JsonName: proto.String(name)}
		if typeName != "" {
			fd.TypeName = proto.String(".tinker_public." + typeName)
		}
		return fd
	}
	oneof := func(fd *F, idx int32) *F { fd.OneofIndex = proto.Int32(idx); return fd }
	proto3opt := func(fd *F, idx int32) *F {
		fd.OneofIndex = proto.Int32(idx)
		fd.Proto3Optional = proto.Bool(true)
		return fd
	}
	const (
		tString = descriptorpb.FieldDescriptorProto_TYPE_STRING
		tBytes  = descriptorpb.FieldDescriptorProto_TYPE_BYTES
		tInt32  = descriptorpb.FieldDescriptorProto_TYPE_INT32
		tInt64  = descriptorpb.FieldDescriptorProto_TYPE_INT64
		tUint32 = descriptorpb.FieldDescriptorProto_TYPE_UINT32
		tBool   = descriptorpb.FieldDescriptorProto_TYPE_BOOL
		tDouble = descriptorpb.FieldDescriptorProto_TYPE_DOUBLE
		tMsg    = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
		tEnum   = descriptorpb.FieldDescriptorProto_TYPE_ENUM
	)
	mapEntry := func(name string, valType descriptorpb.FieldDescriptorProto_Type, valTypeName string) *descriptorpb.DescriptorProto {
		return &descriptorpb.DescriptorProto{
			Name:    proto.String(name),
			Field:   []*F{f("key", 1, tString, opt, ""), f("value", 2, valType, opt, valTypeName)},
			Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
		}
	}
	msg := func(name string, fields []*F, nested []*descriptorpb.DescriptorProto, oneofs ...string) *descriptorpb.DescriptorProto {
		m := &descriptorpb.DescriptorProto{Name: proto.String(name), Field: fields, NestedType: nested}
		for _, o := range oneofs {
			m.OneofDecl = append(m.OneofDecl, &descriptorpb.OneofDescriptorProto{Name: proto.String(o)})
		}
		return m
	}
	enumVal := func(name string, n int32) *descriptorpb.EnumValueDescriptorProto {
		return &descriptorpb.EnumValueDescriptorProto{Name: proto.String(name), Number: proto.Int32(n)}
	}
	file := &descriptorpb.FileDescriptorProto{
		Name:    proto.String("tinker_public.proto"),
		Package: proto.String("tinker_public"),
		Syntax:  proto.String("proto3"),
		EnumType: []*descriptorpb.EnumDescriptorProto{
			{Name: proto.String("DType"), Value: []*descriptorpb.EnumValueDescriptorProto{
				enumVal("DTYPE_UNSPECIFIED", 0), enumVal("DTYPE_FLOAT32", 1), enumVal("DTYPE_INT64", 2),
				enumVal("DTYPE_INT32", 3), enumVal("DTYPE_BFLOAT16", 4)}},
			{Name: proto.String("StopReason"), Value: []*descriptorpb.EnumValueDescriptorProto{
				enumVal("STOP_REASON_STOP", 0), enumVal("STOP_REASON_LENGTH", 1)}},
		},
		MessageType: []*descriptorpb.DescriptorProto{
			msg("ForwardBackwardRequest", []*F{
				f("model_id", 1, tString, opt, ""), f("seq_id", 2, tInt32, opt, ""),
				f("data", 3, tMsg, rep, "Datum"), f("loss_fn", 4, tString, opt, ""),
				f("loss_fn_config", 5, tMsg, rep, "ForwardBackwardRequest.LossFnConfigEntry"),
				f("forward_only", 6, tBool, opt, ""),
			}, []*descriptorpb.DescriptorProto{mapEntry("LossFnConfigEntry", tDouble, "")}),
			msg("Datum", []*F{
				f("model_input", 1, tMsg, rep, "Chunk"),
				f("loss_fn_inputs", 2, tMsg, rep, "Datum.LossFnInputsEntry"),
			}, []*descriptorpb.DescriptorProto{mapEntry("LossFnInputsEntry", tMsg, "Tensor")}),
			msg("Chunk", []*F{oneof(f("encoded_text", 1, tMsg, opt, "EncodedTextChunk"), 0)}, nil, "chunk"),
			msg("EncodedTextChunk", []*F{f("tokens", 1, tBytes, opt, "")}, nil),
			msg("Tensor", []*F{
				oneof(f("dense", 1, tBytes, opt, ""), 0),
				f("dtype", 3, tEnum, opt, "DType"), f("shape", 4, tInt64, rep, ""),
			}, nil, "encoding"),
			msg("ForwardBackwardOutput", []*F{
				f("loss_fn_output_type", 1, tString, opt, ""),
				f("loss_fn_outputs", 2, tMsg, rep, "ArrayRecord"),
				f("metrics", 3, tMsg, rep, "ForwardBackwardOutput.MetricsEntry"),
			}, []*descriptorpb.DescriptorProto{mapEntry("MetricsEntry", tDouble, "")}),
			msg("ArrayRecord", []*F{
				f("type_tag", 1, tString, opt, ""),
				f("fields", 2, tMsg, rep, "ArrayRecord.FieldsEntry"),
				f("num_datums", 3, tInt64, opt, ""),
			}, []*descriptorpb.DescriptorProto{mapEntry("FieldsEntry", tMsg, "BatchedTensor")}),
			msg("BatchedTensor", []*F{
				f("data", 1, tBytes, opt, ""), f("offsets", 2, tBytes, opt, ""),
				f("dtype", 3, tEnum, opt, "DType"), f("trailing_shape", 4, tInt64, rep, ""),
			}, nil),
			msg("SampleResponse", []*F{
				f("sequences", 1, tMsg, rep, "SampledSequence"),
				proto3opt(f("prompt_logprobs", 2, tBytes, opt, ""), 0),
				proto3opt(f("topk_prompt_logprobs", 3, tMsg, opt, "TopkPromptLogprobs"), 1),
				f("prompt_cache_hit_tokens", 4, tInt32, opt, ""),
			}, nil, "_prompt_logprobs", "_topk_prompt_logprobs"),
			msg("SampledSequence", []*F{
				f("stop_reason", 1, tEnum, opt, "StopReason"), f("tokens", 2, tBytes, opt, ""),
				proto3opt(f("logprobs", 3, tBytes, opt, ""), 0),
			}, nil, "_logprobs"),
			msg("TopkPromptLogprobs", []*F{
				f("token_ids", 1, tBytes, opt, ""), f("logprobs", 2, tBytes, opt, ""),
				f("k", 3, tUint32, opt, ""), f("prompt_length", 4, tUint32, opt, ""),
			}, nil),
		},
	}
	fd, err := protodesc.NewFile(file, nil)
	if err != nil {
		t.Fatalf("building schema: %v", err)
	}
	return fd
}

// dyn returns an empty dynamic message of the named type.
func dyn(t *testing.T, fd protoreflect.FileDescriptor, name string) *dynamicpb.Message {
	t.Helper()
	md := fd.Messages().ByName(protoreflect.Name(name))
	if md == nil {
		t.Fatalf("no message %s", name)
	}
	return dynamicpb.NewMessage(md)
}
