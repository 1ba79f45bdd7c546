#!/usr/bin/env bash
# Benchmark of the embedded engine against DuckDB on the same machine (BENCHMARKS.md, "Engine").
#   bash scripts/bench_engine.sh [ROWS] [RUNS]      # defaults: 1000000 rows, 3 runs each
# Generates the mesh once (scripts/gen_engine_bench.py), installs DuckDB from PyPI into a venv,
# builds release, then times each side RUNS times from an empty warehouse with GNU time:
# wall seconds and peak RSS. The work: load the CSV source typed by its contract, run the
# product's transform, purge rows past the 3-year retention, check the required columns and
# the quality rule, hash the email and redact the name, verify, publish.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
runs="${2:-3}"
dir="${BENCH_DIR:-/tmp/steward-engine-bench}"
mesh="$dir/mesh-$rows"
mkdir -p "$dir"
if [ ! -f "$mesh/domains/bench/sources/customers.csv" ]; then
  echo "generating $rows rows in $mesh" >&2
  python3 scripts/gen_engine_bench.py "$mesh" --rows "$rows"
fi

venv="$dir/venv"
if ! "$venv/bin/python" -c 'import duckdb' >/dev/null 2>&1; then
  echo "installing duckdb into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q duckdb
fi

swift build -c release --product steward-engine-bench >&2
export STEWARD_MASKING_SALT="bench-salt-0123456789abcdef"
asof="2026-06-30T00:00:00Z"
results="$dir/results.tsv"
: > "$results"
for i in $(seq "$runs"); do
  rm -rf "$dir/warehouse"
  /usr/bin/time -f "steward\t%e\t%M" -a -o "$results" .build/release/steward-engine-bench "$mesh" "$dir/warehouse" "$asof"
  /usr/bin/time -f "duckdb\t%e\t%M" -a -o "$results" "$venv/bin/python" scripts/bench_engine_duckdb.py "$mesh" "$dir/reference.duckdb"
done

python3 - "$results" "$rows" <<'PY'
import sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    name, wall, rss = line.split("\t")
    runs[name].append((float(wall), int(rss)))
rows = int(sys.argv[2])
best = {k: min(w for w, _ in v) for k, v in runs.items()}
print(f"\n{rows:,} rows, best of {len(runs['steward'])} runs (wall includes start-up)")
print("| engine | wall (best) | wall (all runs) | rows/s | peak RSS | vs DuckDB |")
print("|---|---|---|---|---|---|")
for k in ("steward", "duckdb"):
    v = runs[k]
    print(f"| {k} | {best[k]:.2f} s | {', '.join(f'{w:.2f}' for w, _ in v)} | {rows / best[k]:,.0f} | "
          f"{max(r for _, r in v) / 1024:.0f} MB | {best[k] / best['duckdb']:.2f}x |")
PY
