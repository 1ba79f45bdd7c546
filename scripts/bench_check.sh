#!/usr/bin/env bash
# Benchmark: `steward check` of a one-product change on the generated 10,000-product mesh
# (issue 4), release build: the scoped check with its caches warm, on its first run (as on a
# fresh clone), with every cache off, and `--all`.
#   bash scripts/bench_check.sh
# The change: the first contract's `version` edited on a branch of a clone of the mesh that
# scripts/bench.sh generates (it is generated here if absent).
set -euo pipefail
cd "$(dirname "$0")/.."
root="${BENCH_DIR:-/tmp/steward-bench}"
mesh="$root/mesh-10000"
[ -d "$mesh/.git" ] || bash scripts/bench.sh 10000 > /dev/null
swift build -c release --product steward >&2
bin="$PWD/.build/release/steward"
work="$root/check-10000"
if [ ! -d "$work/.git" ] || [ "$(git -C "$work" rev-parse main)" != "$(git -C "$mesh" rev-parse HEAD)" ]; then
  rm -rf "$work"
  git clone -q "$mesh" "$work"
  git -C "$work" checkout -q -B main "$(git -C "$mesh" rev-parse HEAD)"
  git -C "$work" checkout -q -b change
  contract=$(git -C "$work" ls-files 'domains/*/contracts/*.odcs.yaml' | awk 'NR == 1')  # reads all: head would end git with SIGPIPE
  sed -i 's/^version: .*/version: 9.9.9/' "$work/$contract"
  git -C "$work" -c user.name=bench -c user.email=bench@acme.example commit -qam "one contract's version"
fi
cd "$work"
args="check --base main --time 2026-07-01T00:00:00Z --format json"
echo "change: $(git log -1 --format=%s), $(git diff --stat main HEAD | tail -1)"
[ "$(git rev-parse HEAD)" != "$(git rev-parse main)" ] || { echo "no change to check" >&2; exit 1; }
# check exits 1: the example policies find mandatory problems in the generated mesh.
$bin $args > /dev/null || true    # fills the caches for this build
/usr/bin/time -f "scoped, caches warm: %e s wall, %M KB peak RSS" $bin $args > /dev/null || true
rm -rf .git/steward
/usr/bin/time -f "scoped, first run (writes the caches): %e s wall, %M KB peak RSS" $bin $args > /dev/null || true
STEWARD_PARSE_CACHE=off /usr/bin/time -f "scoped, every cache off: %e s wall, %M KB peak RSS" $bin $args > /dev/null || true
$bin $args --all > /dev/null || true
/usr/bin/time -f "--all, parse cache warm: %e s wall, %M KB peak RSS" $bin $args --all > /dev/null || true
STEWARD_TRACE=1 $bin $args 2>&1 >/dev/null | grep -E "scope|readers|loaded|diff|view|evaluated" || true
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N -i --warmup 3 --runs 20 --style basic -n "scoped, caches warm" "$bin $args"
  hyperfine -i --runs 10 --style basic --prepare "rm -rf $work/.git/steward" -n "scoped, first run" "$bin $args"
  STEWARD_PARSE_CACHE=off hyperfine -N -i --runs 10 --style basic -n "scoped, every cache off" "$bin $args"
  hyperfine -N -i --warmup 1 --runs 8 --style basic -n "all, parse cache warm" "$bin $args --all"
fi
