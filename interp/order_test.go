package interp_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
)

// TestParallelOneRunsStagesInPlanOrder: with --parallel 1, of the stages
// ready to run the one first in the plan starts first, so independent
// stages run in plan order and a dependent stage runs as soon as the
// plan reaches it (issue 17 gap 6: a reversed ready queue passed every
// other test).
func TestParallelOneRunsStagesInPlanOrder(t *testing.T) {
	value := func(s string) map[string]ir.Value { return map[string]ir.Value{"value": lit(t, "string", s)} }
	after := func(id string) map[string]ir.Value {
		return map[string]ir.Value{"value": ref("any", "stage."+id+".value")}
	}
	p := plan("order",
		st("first", "noop", 1, value("1")),
		st("second", "noop", 2, after("first")),
		st("third", "noop", 3, value("3")),
		st("fourth", "noop", 4, value("4")),
		st("fifth", "noop", 5, after("third")),
		st("sixth", "noop", 6, value("6")),
	)
	var mu sync.Mutex
	var started []string
	res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: testCatalog(), Bindings: testBindings(t, nil),
		RunsDir: t.TempDir(), Parallel: 1,
		Observer: interp.ObserverFunc(func(e interp.Event) {
			if e.Type == interp.EventStageStarted {
				mu.Lock()
				started = append(started, e.Stage)
				mu.Unlock()
			}
		})})
	require.NoError(t, err)
	require.Equal(t, interp.StatusOK, res.Status, "%v", res.Err)
	require.Equal(t, []string{"first", "second", "third", "fourth", "fifth", "sixth"}, started)
}
