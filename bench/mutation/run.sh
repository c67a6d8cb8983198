#!/usr/bin/env bash
# Mutation score of the critical packages (issue 17), measured with
# gremlins (github.com/go-gremlins/gremlins, pinned below). It is a tool,
# not a dependency: it is installed into a cache directory, not go.mod.
# Not in CI: gremlins runs a package's tests once per mutant, minutes to
# an hour per package. Run it before resolving an issue that touches these
# packages and record the scores in bench/mutation/README.md.
#
# Usage: bench/mutation/run.sh [TARGET...]  (in that order; default: every target)
#   MUTATION_WORKERS  mutants tested at once (default 1: the machine is shared)
#   MUTATION_OUT      directory for the reports (default: a new temporary one)
#
# Score = (killed + timed out) / (killed + timed out + lived). A timed-out
# mutant made its package's tests hang or run 10x longer than usual, which
# go test reports as a failure; gremlins' own "efficacy" leaves them out,
# and both are printed. Mutants no test covers are counted apart.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=v0.6.0
gobin=${XDG_CACHE_HOME:-$HOME/.cache}/cookbookc/gremlins-$version
gremlins=$gobin/gremlins
if [[ ! -x $gremlins ]]; then
  echo "installing gremlins $version into $gobin" >&2
  GOBIN=$gobin go install "github.com/go-gremlins/gremlins/cmd/gremlins@$version"
fi

# name|directory|files to mutate (empty: every non-test file of the
# directory itself; subdirectories are other packages and left out)
targets=(
  "renderers|stdlib/renderers|"
  "datum|stdlib/datum|"
  "scorers|stdlib/scorers|"
  "compiler-types|compiler|stage.go values.go"
  "journal|interp/journal|"
  "tinker-sequencing|adapters/tinker|queue.go future.go http.go retry.go"
  "engine-loss-optim|adapters/local/engine|loss.go adam.go"
)

# gremlins times each mutant's tests against a first coverage run; a
# cached test result would make that baseline ~0 s and every mutant "time
# out", so the go test cache is bypassed.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-count=1"

# The targets named on the command line, in that order (default: all).
selected=()
for name in "$@"; do
  found=false
  for t in "${targets[@]}"; do
    if [[ ${t%%|*} == "$name" ]]; then
      selected+=("$t")
      found=true
    fi
  done
  $found || { echo "unknown target $name (targets: $(printf '%s ' "${targets[@]%%|*}"))" >&2; exit 2; }
done
((${#selected[@]})) || selected=("${targets[@]}")

out=${MUTATION_OUT:-$(mktemp -d -t mutation.XXXXXX)}
mkdir -p "$out"
workers=${MUTATION_WORKERS:-1}
summary=()
for t in "${selected[@]}"; do
  IFS='|' read -r name dir files <<<"$t"
  # Exclude every Go file under dir except the ones to mutate (gremlins
  # matches -E against paths relative to dir).
  excludes=()
  while IFS= read -r f; do
    rel=${f#"$dir"/}
    keep=false
    if [[ -z $files ]]; then
      [[ $rel != */* ]] && keep=true
    else
      for k in $files; do [[ $rel == "$k" ]] && keep=true; done
    fi
    $keep || excludes+=(-E "^${rel//./\\.}\$")
  done < <(find "$dir" -name '*.go' ! -name '*_test.go' | sort)
  echo "== $name ($dir${files:+: $files})" >&2
  start=$(date +%s)
  "$gremlins" unleash --workers "$workers" --timeout-coefficient 10 \
    -o "$out/$name.json" "${excludes[@]}" "$dir" >"$out/$name.txt" 2>&1 || true
  secs=$(($(date +%s) - start))
  read -r killed lived notcov < <(sed -n 's/^Killed: \([0-9]*\), Lived: \([0-9]*\), Not covered: \([0-9]*\).*/\1 \2 \3/p' "$out/$name.txt")
  timedout=$(sed -n 's/^Timed out: \([0-9]*\),.*/\1/p' "$out/$name.txt")
  notviable=$(sed -n 's/.*Not viable: \([0-9]*\),.*/\1/p' "$out/$name.txt")
  if [[ -z ${killed:-} ]]; then
    echo "gremlins failed on $name; see $out/$name.txt" >&2
    summary+=("$(printf '%-18s %s' "$name" "FAILED (see $out/$name.txt)")")
    continue
  fi
  detected=$((killed + timedout))
  tested=$((detected + lived))
  score=$(awk -v d="$detected" -v n="$tested" 'BEGIN { printf "%.1f", n ? 100 * d / n : 100 }')
  efficacy=$(awk -v k="$killed" -v l="$lived" 'BEGIN { printf "%.1f", (k + l) ? 100 * k / (k + l) : 100 }')
  summary+=("$(printf '%-18s %6s%% %6d %6d %6d %6d %8d %8d %9s%% %6ds' "$name" "$score" "$killed" "$timedout" "$lived" "$notcov" "$notviable" "$tested" "$efficacy" "$secs")")
  grep -E '^ *LIVED ' "$out/$name.txt" | sed -E "s|^ *LIVED ([A-Z_]+) at (.*)|  lived: $dir/\2 \1|" >&2 || true
done

printf '\n%-18s %7s %6s %6s %6s %6s %8s %8s %10s %7s\n' target score killed timeout lived notcov notviable tested efficacy time
printf '%s\n' "${summary[@]}"
echo "reports: $out"
