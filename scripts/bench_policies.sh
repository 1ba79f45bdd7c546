#!/usr/bin/env bash
# Benchmark of issue 3: the model view and the evaluation of the example policies over the
# generated 10,000-product mesh, from `STEWARD_TRACE=1 steward lint` (release build, parse
# cache warm). Prints the median and minimum of each phase over N runs.
#   bash scripts/bench_policies.sh [RUNS] [BINARY...]   # default 10 runs of .build/release/steward
# With several binaries the runs alternate, so a noisy machine weighs on all of them alike.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"; shift || true
mesh="${BENCH_DIR:-/tmp/steward-bench}/mesh-10000"
[ -d "$mesh/.git" ] || bash scripts/bench.sh 10000 > /dev/null
if [ $# -eq 0 ]; then
  swift build -c release --product steward >&2
  set -- "$PWD/.build/release/steward"
fi
for bin in "$@"; do "$bin" lint -C "$mesh" --rev HEAD --format json > /dev/null || true; done  # warm the caches
for _ in $(seq "$runs"); do
  for bin in "$@"; do
    # lint exits 1: the example policies find mandatory problems in the generated mesh.
    { STEWARD_TRACE=1 "$bin" lint -C "$mesh" --rev HEAD --format json --time 2026-07-01T00:00:00Z 2>&1 >/dev/null || true; } \
      | sed -n 's/^trace: \(.*\) at \([0-9]*\) ms\(, [0-9]* MB resident\)\{0,1\}$/\1\t\2/p' | BIN="$bin" python3 -c '
import os, sys
t = dict(line.rstrip("\n").split("\t") for line in sys.stdin)
parsed, view = int(t["policies parsed and checked"]), int(t["model view built"])
evaluated = next(int(v) for k, v in t.items() if k.startswith("policies evaluated"))
print(os.environ["BIN"], view - parsed, evaluated - view)'
  done
done | python3 -c '
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in sys.stdin:
    bin, view, evaluate = line.split()
    runs[bin].append((int(view), int(evaluate)))
for bin, xs in runs.items():
    for name, i in (("view", 0), ("evaluate", 1)):
        col = [x[i] for x in xs]
        print(f"{bin}: {name} median {statistics.median(col):.0f} ms, min {min(col)} ms ({len(col)} runs)")
    both = [x[0] + x[1] for x in xs]
    print(f"{bin}: view and evaluate median {statistics.median(both):.0f} ms, min {min(both)} ms")
'
