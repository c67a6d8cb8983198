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

	"github.com/cookbookc/cookbookc/lang/schema"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// Kind is the stage kind name.
const Kind = "noop"

// Schema declares noop (SPEC.md §5).
var Schema = schema.StageKind{
	Name:    Kind,
	Summary: "Does nothing and passes its value through; for testing pipelines and grouping dependencies.",
	Inputs: []schema.Field{
		{Name: "value", Type: schema.Any, Doc: "Any value; returned as the output `value`."},
		{Name: "sleep_ms", Type: schema.Int, Default: int64(0), Min: schema.AtLeast(0), Doc: "Wait this long (cancellable) before finishing."},
	},
	Outputs: []schema.Output{{Name: "value", Type: schema.Any, Doc: "The input value."}},
}

// Config is noop's decoded inputs.
type Config struct {
	Value   any   `input:"value"`
	SleepMS int64 `input:"sleep_ms"`
}

// noop writes nothing to its stage directory (Dirless).
func init() {
	k := stage.Define(&Schema, run)
	k.Dirless = true
	stage.Register(k)
}

// run implements the stage.
func run(ctx context.Context, env *stage.Env, cfg Config) (stage.Outputs, error) {
	if cfg.SleepMS > 0 {
		t := time.NewTimer(time.Duration(cfg.SleepMS) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, fmt.Errorf("noop: interrupted while sleeping: %w", ctx.Err())
		}
	}
	return stage.Outputs{"value": cfg.Value}, nil
}
