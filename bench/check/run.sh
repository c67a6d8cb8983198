#!/usr/bin/env bash
# Measures the checker against its reference, in one run on one machine:
#   1. BenchmarkParseLarge (raw hclsyntax parse of a generated 1,000-stage
#      recipe) vs BenchmarkCheckLarge (full check of the same recipe),
#      interleaved -count times, reported as the ratio check/parse;
#   2. the wall time of `cookbookc check examples/sl_basic.hcl` against
#      `cookbookc version` (process start-up), with hyperfine when
#      installed, else a timed loop.
# Usage: bench/check/run.sh [COUNT]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-5}

out=$(mktemp)
go test ./compiler/ -run '^$' -bench 'Large$' -benchmem -count "$count" | tee "$out"
awk '
  /^BenchmarkParseLarge/ { p[np++] = $3 }
  /^BenchmarkCheckLarge/ { c[nc++] = $3 }
  function median(a, n,   i, j, t) {
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
  }
  END {
    mp = median(p, np); mc = median(c, nc)
    printf "median parse %.1f ms, median check %.1f ms, check/parse = %.2f (goal <= 3)\n", mp / 1e6, mc / 1e6, mc / mp
  }' "$out"
rm -f "$out"

bin=$(mktemp -d)/cookbookc
go build -o "$bin" ./cmd/cookbookc
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs 50 -N "$bin check examples/sl_basic.hcl" "$bin version"
else
  for cmd in "check examples/sl_basic.hcl" "version"; do
    start=$(date +%s%N)
    for _ in $(seq 50); do "$bin" $cmd >/dev/null 2>&1; done
    end=$(date +%s%N)
    echo "cookbookc $cmd: $(( (end - start) / 50000000 )) ms mean over 50 runs"
  done
fi
