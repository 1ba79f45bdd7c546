#!/usr/bin/env bash
# Benchmark: `steward history` of one product over 10,000 commits of the 10,000-product mesh,
# against `git log --follow` on the same repository (release build).
#   bash scripts/bench_history.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out="${BENCH_DIR:-/tmp/steward-bench}/history-10000"
if [ ! -d "$out/.git" ]; then
  echo "generating 10,000 products and 10,000 commits in $out" >&2
  python3 scripts/gen_mesh.py "$out" --products 10000 --commits 10000 --policies policies >&2
fi
swift build -c release --product steward >&2
bin="$PWD/.build/release/steward"
# The generator edits this product every 500th commit: 20 changes plus its creation.
product=$(git -C "$out" log --reverse --format=%s | sed -n 501p | cut -d: -f1)
domain=${product%%.*}; name=${product#*.}
contract="domains/$domain/contracts/$name.odcs.yaml"
echo "history of $product over $(git -C "$out" rev-list --count HEAD) commits"
t() { /usr/bin/time -f "$1: %e s wall, %M KB peak RSS" "${@:2}" > /dev/null; }
t "git log --follow (contract file)" git -C "$out" log --follow --format=%H -- "$contract"
t "steward history --no-verdict" "$bin" history -C "$out" "$product" --no-verdict
rm -rf "$out/.git/steward"
t "steward history, verdicts cold" "$bin" history -C "$out" "$product"
t "steward history, verdicts cached" "$bin" history -C "$out" "$product"
# steward log: the newest 100 commits of the mesh (each a one-product change), then all of them
# without verdicts.
rm -rf "$out/.git/steward"
t "steward log --limit 100, verdicts cold" "$bin" log -C "$out" --limit 100
t "steward log --limit 100, verdicts cached" "$bin" log -C "$out" --limit 100
t "steward log --limit 100 --no-verdict" "$bin" log -C "$out" --limit 100 --no-verdict
t "steward log --no-verdict (all $(git -C "$out" rev-list --count HEAD) commits)" "$bin" log -C "$out" --no-verdict
t "git log --stat (reference, all commits)" git -C "$out" log --stat
