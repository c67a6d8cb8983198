package interp_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cookbookc/cookbookc/compiler/ir"
	"github.com/cookbookc/cookbookc/interp"
	"github.com/cookbookc/cookbookc/interp/journal"
	"github.com/cookbookc/cookbookc/stdlib/stage"
)

// widePlan is a root noop stage and n noop stages that all depend on it.
func widePlan(b *testing.B, n int) *ir.Plan {
	stages := []ir.Stage{st("root", "noop", 1, map[string]ir.Value{"value": lit(nil, "string", "x"), "sleep_ms": lit(nil, "int", 0)})}
	for i := 0; i < n; i++ {
		stages = append(stages, st(fmt.Sprintf("s%05d", i), "noop", i+2, map[string]ir.Value{
			"value": ref("any", "stage.root.value"), "sleep_ms": lit(nil, "int", 0)}))
	}
	return withHashes(plan("wide", stages...))
}

// chainPlan is n noop stages, each taking the previous one's value.
func chainPlan(b *testing.B, n int) *ir.Plan {
	stages := []ir.Stage{st("c00000", "noop", 1, map[string]ir.Value{"value": lit(nil, "int", 1), "sleep_ms": lit(nil, "int", 0)})}
	for i := 1; i < n; i++ {
		stages = append(stages, st(fmt.Sprintf("c%05d", i), "noop", i+1, map[string]ir.Value{
			"value": ref("any", fmt.Sprintf("stage.c%05d.value", i-1)), "sleep_ms": lit(nil, "int", 0)}))
	}
	return withHashes(plan("chain", stages...))
}

// withHashes gives every stage a hash, as the compiler does (it computes
// them at compile time, which is not interpreter overhead).
func withHashes(p *ir.Plan) *ir.Plan {
	for i := range p.Stages {
		sum := sha256.Sum256([]byte(p.Stages[i].ID))
		p.Stages[i].Hash = hex.EncodeToString(sum[:])
	}
	return p
}

func benchRun(b *testing.B, p *ir.Plan) {
	cat := testCatalog()
	bindings := testBindings(nil, nil)
	b.ResetTimer()
	var total, cpu time.Duration
	for i := 0; i < b.N; i++ {
		runs := b.TempDir()
		start, cpu0 := time.Now(), cpuTime()
		res, err := interp.Run(context.Background(), interp.Options{Plan: p, Catalog: cat, Bindings: bindings, RunsDir: runs})
		total += time.Since(start)
		cpu += cpuTime() - cpu0
		if err != nil || res.Status != interp.StatusOK {
			b.Fatalf("run: %v %v", err, res)
		}
	}
	per := float64(b.N) * float64(len(p.Stages)) * 1000
	b.ReportMetric(float64(total.Nanoseconds())/per, "µs/stage")
	// CPU time (user+system, all threads) is less disturbed than wall time
	// on a shared machine.
	b.ReportMetric(float64(cpu.Nanoseconds())/per, "cpu-µs/stage")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWideDAG10k: 10,000 independent noop stages (after one root),
// journaling to a real run directory.
func BenchmarkWideDAG10k(b *testing.B) { benchRun(b, widePlan(b, 10000)) }

// BenchmarkChain1k: a chain of 1,000 noop stages, each waiting for the
// previous one's output.
func BenchmarkChain1k(b *testing.B) { benchRun(b, chainPlan(b, 1000)) }

// BenchmarkReferenceNoopDirect is the floor the interpreter is compared
// with: calling the noop stage directly, with its inputs already built.
func BenchmarkReferenceNoopDirect(b *testing.B) {
	k, _ := stage.Lookup("noop")
	env := &stage.Env{Inputs: stage.NewInputs(map[string]any{"value": "x", "sleep_ms": int64(0)})}
	for i := 0; i < b.N; i++ {
		if _, err := k.Impl.Run(context.Background(), env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReferenceJournalTwoLines is the journaling floor per stage: two
// JSON records (started, finished) appended to a JSONL file.
func BenchmarkReferenceJournalTwoLines(b *testing.B) {
	l, _, err := journal.OpenLog(filepath.Join(b.TempDir(), "events.jsonl"), "bench", journal.SyncBackground)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := interp.Event{Type: interp.EventStageStarted, Stage: "s00001", Kind: "noop", Hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	const pairs = 1000
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for k := 0; k < pairs; k++ {
			e.Time = time.Now()
			if err := l.Append(e); err != nil {
				b.Fatal(err)
			}
			if err := l.Append(e); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*pairs)/1000, "µs/stage")
}

// BenchmarkRunOneStage is the fixed cost of a run (run directory, plan.json
// and run.json written and fsynced, journal opened, summary.json written),
// to subtract from the DAG benchmarks: overhead per stage =
// (time(N stages) - time(1 stage)) / (N - 1).
func BenchmarkRunOneStage(b *testing.B) { benchRun(b, chainPlan(b, 1)) }
