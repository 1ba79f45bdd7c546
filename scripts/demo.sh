#!/usr/bin/env bash
# The demo on the example mesh (embedded engine): lint it with its policies, run the policy
# tests, show a product, draw the lineage, check a prepared pull request, merge it, then plan,
# apply, status and the audit log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product steward
steward=".build/release/steward"

echo "== steward lint (the example mesh in this repository)"
"$steward" lint
echo
echo "== steward show product journey.customer_journey"
"$steward" show product journey.customer_journey
echo "== steward graph (Mermaid)"
"$steward" graph
echo
echo "== steward policy list"
"$steward" policy list
echo
echo "== steward policy test --coverage"
"$steward" policy test --coverage
echo
echo "== a pull request: Eve adds a mobile number to customer_360 and renames country"
echo "   (examples/changes/customer-mobile.patch, on a branch of a scratch clone)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/mesh"
git -C "$work/mesh" checkout -q -b add-mobile
git -C "$work/mesh" apply "$PWD/examples/changes/customer-mobile.patch"
git -C "$work/mesh" -c user.name=Eve -c user.email=eve@acme.example commit -qam "customer_360: add mobile, rename country"
echo
echo "== steward diff --base main"
"$steward" diff -C "$work/mesh" --base main || true   # exits 1: the change breaks consumers
echo
echo "== steward check --base main --explain"
"$steward" check -C "$work/mesh" --base main --explain || true   # exits 1: mandatory findings
echo
echo "== steward check --record: CI keeps the verdict in the audit log (refs/steward/audit)"
"$steward" check -C "$work/mesh" --base main --record --format markdown > /dev/null || true
echo
echo "== the change is merged; steward log shows the pull request once, with its verdict"
git -C "$work/mesh" checkout -q main
git -C "$work/mesh" -c user.name=Ada -c user.email=ada@acme.example merge -q --no-ff -m "Merge add-mobile" add-mobile
"$steward" log -C "$work/mesh" --limit 2
echo
echo "== steward check --at main --policies-from main~1: would the rules before the merge have allowed it?"
"$steward" check -C "$work/mesh" --at main --policies-from main~1 --format markdown | head -12 || true
echo
echo "== steward plan --rev main~1: what an apply of the mesh before the merge would materialize"
"$steward" plan -C "$work/mesh" --rev main~1
echo
echo "== steward apply --rev main~1: the embedded engine materializes every product (sample data of 2026-06-30)"
# The masking secret comes from the environment; a demo value here, a real secret in production.
export STEWARD_MASKING_SALT="${STEWARD_MASKING_SALT:-demo-salt-not-a-secret-0123456789}"
"$steward" apply -C "$work/mesh" --rev main~1 --as-of 2026-06-30T00:00:00Z
echo
echo "== steward apply --rev main~1 again: nothing changed, nothing to do"
"$steward" apply -C "$work/mesh" --rev main~1 --as-of 2026-06-30T00:00:00Z
echo
echo "== steward apply: the merged pull request changed customer_360's contract, not its transform;"
echo "   the engine refuses to publish it, keeps v1, and blocks its consumers (exit 1)"
"$steward" apply -C "$work/mesh" --as-of 2026-06-30T00:00:00Z || true
echo
echo "== steward status: what is applied, what failed, what is stale"
"$steward" status -C "$work/mesh" || true   # exit 1: a failed product
echo
echo "== steward audit log / verify"
"$steward" audit log -C "$work/mesh"
"$steward" audit verify -C "$work/mesh"
