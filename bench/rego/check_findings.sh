#!/usr/bin/env bash
# Steward and the Rego reference must find the same failing (policy, target) pairs, also where
# the benchmark mesh has none: a generated mesh, broken on purpose by mutate_mesh.py so that
# every one of the nine policies fails somewhere (and edge cases pass), linted by Steward and
# evaluated by OPA, then compared. No timing.
#
#   bash bench/rego/check_findings.sh [PRODUCTS]     # default 1000
#
# Uses the venv and the release build that run.sh sets up (run it first).
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-1000}"
work="${REGO_BENCH_DIR:-/tmp/steward-bench/rego}"
venv="${REGO_VENV:-/tmp/rego-venv}"
py="$venv/bin/python"
at=2026-07-01T00:00:00Z
mesh="$work/mutated-$n"
"$py" -c "import yaml, opa_bindings" || { echo "no venv at $venv: run bench/rego/run.sh first" >&2; exit 2; }
swift build -c release --product steward --build-path .build-rego >&2
python3 scripts/gen_mesh.py "$mesh" --products "$n" --force >&2
mkdir -p "$mesh/policies" && cp policies/*.policy "$mesh/policies/"
"$py" bench/rego/mutate_mesh.py "$mesh"
git -C "$mesh" add -A
git -C "$mesh" -c user.name=bench -c user.email=bench@acme.example commit -qm "policies; violations on purpose"
.build-rego/release/steward lint -C "$mesh" --rev HEAD --format json --time "$at" > "$work/mutated-steward.json" || true
"$py" bench/rego/export_input.py "$mesh" "$work/mutated-input.json" --at "$at"
"$py" bench/rego/opa_bench.py "$work/mutated-input.json" --once --findings "$work/mutated-opa.json"
"$py" bench/rego/compare.py "$work/mutated-steward.json" "$work/mutated-opa.json"
