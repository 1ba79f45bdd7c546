#!/usr/bin/env bash
# Benchmark: load and lint a generated mesh of N products from a commit (release build),
# without and with the parse cache (docs/parse-cache.md).
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
load="$bin lint -C $out --rev HEAD --format json --no-policies"
full="$bin lint -C $out --rev HEAD --format json --time 2026-07-01T00:00:00Z"

echo "mesh: $n products at $(git -C "$out" rev-parse --short HEAD), $(git -C "$out" ls-files | wc -l) files"
# Loading alone (issue 2): cold (no parse cache), the first run (which writes the cache), then
# warm. The generated mesh has no model errors, so a failing load is real.
STEWARD_PARSE_CACHE=off /usr/bin/time -f "load, cold (STEWARD_PARSE_CACHE=off): %e s wall, %U s user, %M KB peak RSS" $load > /dev/null
rm -rf "$out/.git/steward/parse-cache"
/usr/bin/time -f "load, first run (writes the parse cache): %e s wall, %U s user, %M KB peak RSS" $load > /dev/null
/usr/bin/time -f "load, parse cache warm: %e s wall, %U s user, %M KB peak RSS" $load > /dev/null
# With the policies (issue 3): lint exits 1, the example policies find mandatory problems.
/usr/bin/time -f "lint with policies, parse cache warm: %e s wall, %U s user, %M KB peak RSS" $full > /dev/null || true
STEWARD_TRACE=1 $full 2>&1 >/dev/null | grep -E "policies|view" || true
if command -v hyperfine >/dev/null 2>&1; then
  STEWARD_PARSE_CACHE=off hyperfine --warmup 1 --runs 5 --style basic -n "load, cold" "$load"
  hyperfine --warmup 1 --runs 10 --style basic -n "load, parse cache warm" "$load"
  hyperfine --warmup 1 --runs 5 -i --style basic -n "lint with policies, warm" "$full"
fi
