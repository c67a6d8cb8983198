package noop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/stdlib/stage"
)

func TestPassthroughAndCancellableSleep(t *testing.T) {
	k, ok := stage.Lookup(Kind)
	require.True(t, ok)
	require.True(t, k.Dirless, "noop needs no stage directory")
	impl := k.Impl
	out, err := impl.Run(context.Background(), &stage.Env{Inputs: stage.NewInputs(map[string]any{"value": []any{"a", int64(2)}})})
	require.NoError(t, err)
	require.Equal(t, stage.Outputs{"value": []any{"a", int64(2)}}, out)

	out, err = impl.Run(context.Background(), &stage.Env{Inputs: stage.NewInputs(nil)})
	require.NoError(t, err)
	require.Contains(t, out, "value", "the output exists even without a value")

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err = impl.Run(ctx, &stage.Env{Inputs: stage.NewInputs(map[string]any{"sleep_ms": int64(60_000)})})
	require.True(t, errors.Is(err, context.Canceled))
	require.Less(t, time.Since(start), 10*time.Second)
}
