#!/usr/bin/env bash
# Benchmark: load and lint a generated mesh of N products from a commit (release build).
#   bash scripts/bench.sh [N]          # default N=10000
# Prints wall time and peak memory (GNU time), then hyperfine's statistics when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
out="${BENCH_DIR:-/tmp/steward-bench}/mesh-$n"
if [ ! -d "$out/.git" ]; then
  echo "generating a mesh of $n products in $out" >&2
  python3 scripts/gen_mesh.py "$out" --products "$n" >&2
fi
# The example mesh's global policies, so lint also evaluates them over every product; copied
# again (and committed) whenever policies/ has changed since the mesh was given them.
policy_texts() { (cd "$1" 2>/dev/null && for f in *.policy; do [ -f "$f" ] && echo "== $f" && cat "$f"; done) || true; }
if [ "$(policy_texts policies)" != "$(policy_texts "$out/policies")" ]; then
  rm -f "$out"/policies/*.policy
  mkdir -p "$out/policies" && cp policies/*.policy "$out/policies/"
  git -C "$out" add -A policies >&2
  git -C "$out" -c user.name=bench -c user.email=bench@acme.example commit -qm "the example mesh's global policies" >&2
fi
swift build -c release --product steward >&2
bin="$PWD/.build/release/steward"
cmd="$bin lint -C $out --rev HEAD --format json"

echo "mesh: $n products at $(git -C "$out" rev-parse --short HEAD), $(git -C "$out" ls-files | wc -l) files"
# lint exits 1 when the mesh has errors; the generated mesh has none, so any failure is real.
/usr/bin/time -f "lint --rev HEAD: %e s wall, %U s user, %M KB peak RSS" $cmd > /dev/null
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs 10 --style basic "$cmd"
fi
