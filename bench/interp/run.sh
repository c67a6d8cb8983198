#!/usr/bin/env bash
# Measures the interpreter's overhead per stage, journaling included, in
# one run on one machine:
#   BenchmarkWideDAG10k   one root + 10,000 noop stages depending on it
#   BenchmarkChain1k      1,000 noop stages, each using the previous output
#   BenchmarkRunOneStage  the fixed cost of a run (run dir, plan.json,
#                         run.json, journal, summary), subtracted below
#   BenchmarkReferenceJournalTwoLines  the floor: two JSON lines appended
# Runs write real run directories under $TMPDIR. Reports the median of
# -count runs, wall-clock and CPU (user+system) microseconds per stage, and
# the ratio of the per-stage overhead to the journaling floor.
# Usage: bench/interp/run.sh [COUNT]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-5}

out=$(mktemp)
go test ./interp/ -run '^$' -bench 'WideDAG10k|Chain1k|RunOneStage|ReferenceJournalTwoLines' -benchtime 3x -count "$count" | tee "$out"
awk '
  function median(a, n,   i, j, t) {
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
  }
  /^BenchmarkWideDAG10k/  { w[nw++] = $3; wc[nwc++] = $5 }
  /^BenchmarkChain1k/     { c[nc++] = $3; cc[ncc++] = $5 }
  /^BenchmarkRunOneStage/ { f[nf++] = $3 }
  /^BenchmarkReferenceJournalTwoLines/ { j[nj++] = $5 * 1000 }
  END {
    fixed = median(f, nf); wide = median(w, nw); chain = median(c, nc); floor = median(j, nj)
    pw = (wide - fixed) / 10000 / 1000; pc = (chain - fixed) / 999 / 1000
    printf "fixed cost per run: %.1f ms\n", fixed / 1e6
    printf "wide DAG (10,000): %.1f us/stage wall, %.1f us/stage CPU\n", pw, median(wc, nwc)
    printf "chain (1,000):     %.1f us/stage wall, %.1f us/stage CPU\n", pc, median(cc, ncc)
    printf "journaling floor (2 lines): %.1f us; wide/floor = %.1f, chain/floor = %.1f (goal: < 50 us/stage)\n", floor / 1000, pw / (floor / 1000), pc / (floor / 1000)
  }' "$out"
rm -f "$out"
