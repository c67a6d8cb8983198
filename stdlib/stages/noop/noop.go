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

func init() { stage.Register(Kind, Impl{}) }

// Impl is the stage implementation.
type Impl struct{}

// Run implements stage.Impl.
func (Impl) Run(ctx context.Context, env *stage.Env) (stage.Outputs, error) { return Run(ctx, env) }

// UsesDir tells the interpreter that noop writes nothing to its stage
// directory, so it need not create one (a mkdir costs more than the whole
// rest of a noop stage on some disks).
func (Impl) UsesDir() bool { return false }

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
