// Package noop implements the `noop` stage kind: it returns its `value`
// input unchanged as the output `value`, after waiting `sleep_ms`
// milliseconds (cancellable). It exists to test pipelines (the
// interpreter's benchmarks and crash tests use it) and to group
// dependencies.
package noop

import (
	"context"
	"fmt"
	"time"

	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Kind is the stage kind name.
const Kind = "noop"

func init() { stage.Register(Kind, stage.Func(Run)) }

// Run implements the stage.
func Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) {
	if ms := env.Inputs.Int("sleep_ms"); ms > 0 {
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, fmt.Errorf("noop: interrupted while sleeping: %w", ctx.Err())
		}
	}
	v, _ := env.Inputs.Value("value")
	return stage.Outputs{"value": v}, nil
}
