package stage

import (
	"context"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/adapters/ports"
	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/lang/schema"
)

var testKind = &schema.StageKind{
	Name: "test_kind",
	Inputs: Join([]schema.Field{
		{Name: "name", Type: schema.String, Default: "a", Enum: []string{"a", "b"}, Doc: "x"},
		{Name: "count", Type: schema.Int, Default: int64(3), Min: schema.AtLeast(1), Doc: "x"},
		{Name: "rate", Type: schema.Number, Min: schema.Above(0), Doc: "x"},
		{Name: "data", Type: schema.Dataset, Doc: "x"},
		{Name: "from", Type: schema.Checkpoint, Doc: "x"},
		{Name: "stops", Type: schema.ListOf(schema.String), Doc: "x"},
		{Name: "weights", Type: schema.MapOf(schema.Number), Doc: "x"},
		{Name: "anything", Type: schema.Any, Doc: "x"},
	}, AdamFields()),
}

type testConfig struct {
	Name     string             `input:"name"`
	Count    int                `input:"count"`
	Rate     *float64           `input:"rate"`
	Data     ir.Dataset         `input:"data"`
	From     *ports.Checkpoint  `input:"from"`
	Stops    []string           `input:"stops"`
	Weights  map[string]float64 `input:"weights"`
	Anything any                `input:"anything"`
	Adam
}

func TestDecode(t *testing.T) {
	var cfg testConfig
	require.NoError(t, Decode(NewInputs(map[string]any{
		"rate": 0.5, "data": ir.Dataset{Name: "d"}, "from": ports.Checkpoint{StatePath: "s"},
		"stops": []any{"x", "y"}, "weights": map[string]any{"a": int64(2)}, "anything": []any{int64(1)},
		"adam_beta1": 0.8,
	}), testKind, &cfg))
	rate := 0.5
	require.Equal(t, testConfig{
		Name: "a", Count: 3, Rate: &rate, Data: ir.Dataset{Name: "d"}, From: &ports.Checkpoint{StatePath: "s"},
		Stops: []string{"x", "y"}, Weights: map[string]float64{"a": 2}, Anything: []any{int64(1)},
		Adam: Adam{Beta1: 0.8, Beta2: 0.95, Eps: 1e-8},
	}, cfg, "defaults fill unset inputs; embedded groups decode too")

	var unset testConfig
	require.NoError(t, Decode(NewInputs(nil), testKind, &unset))
	require.Nil(t, unset.Rate, "an unset input without default leaves a pointer nil")
	require.Nil(t, unset.From)

	for _, tc := range []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"name": "c"}, `input "name": "c" is not one of a, b`},
		{map[string]any{"count": int64(0)}, `input "count": 0 is out of range: it must be >= 1`},
		{map[string]any{"rate": 0.0}, `input "rate": 0 is out of range: it must be > 0`},
		{map[string]any{"count": 1.5}, `input "count": a float64 cannot be decoded into int`},
		{map[string]any{"stops": []any{"x", int64(1)}}, `input "stops": element 1: a int64 cannot be decoded into string`},
		{map[string]any{"surprise": 1}, `input "surprise": test_kind has no such input`},
	} {
		var cfg testConfig
		require.EqualError(t, Decode(NewInputs(tc.in), testKind, &cfg), tc.want)
	}
}

func TestCheckConfig(t *testing.T) {
	require.NoError(t, CheckConfig(testKind, reflect.TypeFor[testConfig]()))
	type wrong struct {
		Name     int                `input:"name"`  // wrong type
		Rate     float64            `input:"rates"` // names no input
		Data     ir.Dataset         `input:"data"`
		From     ports.Checkpoint   `input:"from"`
		Stops    []int              `input:"stops"` // wrong element type
		Weights  map[string]float64 `input:"weights"`
		Anything any                `input:"anything"`
		Adam
		// count has no field
	}
	err := CheckConfig(testKind, reflect.TypeFor[wrong]())
	require.Error(t, err)
	for _, want := range []string{
		`test_kind: input "name" is string, but field Name is int`,
		`test_kind: input "count" (int) has no field tagged input:"count"`,
		`test_kind: input "rate" (number) has no field tagged input:"rate"`,
		`test_kind: field Rate names no input "rates"`,
		`test_kind: input "stops" is list(string), but field Stops is []int`,
	} {
		require.ErrorContains(t, err, want)
	}
	type untagged struct {
		Name string
	}
	require.ErrorContains(t, CheckConfig(testKind, reflect.TypeFor[untagged]()), "field Name of stage.untagged has no input tag")
}

func TestDefineDecodesBeforeRun(t *testing.T) {
	var got testConfig
	k := Define(testKind, func(_ context.Context, _ *Env, cfg testConfig) (Outputs, error) {
		got = cfg
		return Outputs{}, nil
	})
	require.True(t, k.Implemented())
	require.Equal(t, reflect.TypeFor[testConfig](), k.Config)
	_, err := k.Impl.Run(context.Background(), &Env{Inputs: NewInputs(map[string]any{"name": "b"})})
	require.NoError(t, err)
	require.Equal(t, "b", got.Name)
	_, err = k.Impl.Run(context.Background(), &Env{Inputs: NewInputs(map[string]any{"name": "z"})})
	require.ErrorContains(t, err, "is not one of")

	d := Declare[testConfig](testKind)
	require.False(t, d.Implemented())
	require.Equal(t, reflect.TypeFor[testConfig](), d.Config)
}
