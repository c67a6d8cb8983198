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

// noop writes nothing to its stage directory (Dirless).
func init() { stage.Register(stage.Kind{Schema: &Schema, Impl: stage.Func(Run), Dirless: true}) }

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
