#!/usr/bin/env bash
# The Rego reference of issue 3: the nine seed policies that have targets in `lint`, written in
# Rego (bench/rego/policies.rego), evaluated by OPA over the same generated mesh as Steward,
# with the findings compared pair by pair and the times side by side.
#
#   bash bench/rego/run.sh [MESH_DIR]     # default /tmp/steward-bench/mesh-10000 (scripts/bench.sh makes it)
#
# Environment: RUNS (default 5, best of), REGO_BENCH_DIR (default /tmp/steward-bench/rego),
# REGO_VENV (default /tmp/rego-venv).
#
# Steps:
# 1. a venv with PyYAML and OPA's Go library (PyPI `opa-golib-python-bindings`: a ctypes
#    wrapper around OPA built as a Go c-shared library). Its wheels declare Python >= 3.14, but
#    the wrapper is plain ctypes and runs on this machine's 3.11, so it is installed with
#    --ignore-requires-python (the manylinux_2_34 wheel needs glibc >= 2.34; Debian 12 has 2.36).
# 2. a clone of the mesh whose policies/ are this repository's policies/*.policy, committed
#    (the mesh keeps the policies it was given when it was generated, which may be older);
#    the data is the same commit.
# 3. the input document, exported once (timed apart).
# 4. `steward lint --rev HEAD --format json` RUNS times with STEWARD_TRACE=1: the best
#    "model view built" and "policies evaluated" phases.
# 5. OPA: best of RUNS, evaluation with the document compiled into a Rego module, stored as
#    data, and given as input (JSON parse included); see opa_bench.py.
# 6. the failing (policy, target) pairs of both, per policy; exits 1 when they differ.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
mesh="${1:-/tmp/steward-bench/mesh-10000}"
work="${REGO_BENCH_DIR:-/tmp/steward-bench/rego}"
venv="${REGO_VENV:-/tmp/rego-venv}"
runs="${RUNS:-5}"
at=2026-07-01T00:00:00Z
[ -d "$mesh/.git" ] || { echo "no mesh at $mesh: run scripts/bench.sh first" >&2; exit 2; }
mkdir -p "$work"

# 1. venv
if ! "$venv/bin/python" -c "import yaml, opa_bindings" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyyaml
  "$venv/bin/pip" install -q --ignore-requires-python opa-golib-python-bindings
fi
py="$venv/bin/python"
opa_version=$(strings "$("$py" -c 'import opa_bindings, os; print(os.path.dirname(opa_bindings.__file__))')/libopabridge.so" 2>/dev/null \
  | awk '$1 == "dep" && $2 == "github.com/open-policy-agent/opa" { print $3; exit }' || true)
bindings_version=$("$py" -c 'import importlib.metadata as m; print(m.version("opa-golib-python-bindings"))')

# 2. the mesh, with this repository's policies
copy="$work/mesh"
rm -rf "$copy"
git clone -q "$mesh" "$copy"
rm -f "$copy"/policies/*.policy
mkdir -p "$copy/policies" && cp policies/*.policy "$copy/policies/"
git -C "$copy" add -A policies
if ! git -C "$copy" diff --cached --quiet; then
  git -C "$copy" -c user.name=bench -c user.email=bench@acme.example commit -qm "policies of $(git -C "$repo" rev-parse --short HEAD)"
fi
echo "mesh: $copy (clone of $mesh at $(git -C "$mesh" rev-parse --short HEAD)), $(git -C "$copy" ls-files | wc -l) files," \
  "policies of $(git -C "$repo" rev-parse --short HEAD)"

# 3. the input document
"$py" bench/rego/export_input.py "$copy" "$work/input.json" --at "$at" 2>&1 | sed 's/^/export: /'

# 4. Steward
swift build -c release --product steward --build-path .build-rego >&2
bin="$repo/.build-rego/release/steward"
view_best= eval_best= both_best=
for i in $(seq "$runs"); do
  # lint exits 1 when a mandatory policy fails, as it does here
  STEWARD_TRACE=1 "$bin" lint -C "$copy" --rev HEAD --format json --time "$at" > "$work/steward.json" 2> "$work/steward.trace" || true
  read -r view eval pairs < <(awk '
    /policies parsed and checked at/ { p = $(NF-1) }
    /model view built at/ { v = $(NF-1) }
    /policies evaluated:/ { e = $(NF-1); n = $4 }
    END { print v - p, e - v, n }' "$work/steward.trace")
  echo "steward run $i: view $view ms, evaluate $eval ms ($pairs (policy, target) pairs)"
  [ -z "$view_best" ] || [ "$view" -lt "$view_best" ] && view_best=$view
  [ -z "$eval_best" ] || [ "$eval" -lt "$eval_best" ] && eval_best=$eval
  [ -z "$both_best" ] || [ $((view + eval)) -lt "$both_best" ] && both_best=$((view + eval))
done

# 5. OPA
"$py" bench/rego/opa_bench.py "$work/input.json" --runs "$runs" --findings "$work/opa-findings.json" | tee "$work/opa.txt"
read -r opa_store opa_input opa_compiled < <(sed -n 's/^RESULT eval_ms=\([0-9]*\) eval_with_input_ms=\([0-9]*\) eval_compiled_ms=\([0-9]*\).*/\1 \2 \3/p' "$work/opa.txt")

# 6. findings
echo
status=0
"$py" bench/rego/compare.py "$work/steward.json" "$work/opa-findings.json" || status=$?

echo
echo "OPA $opa_version (opa-golib-python-bindings $bindings_version), Steward $(git -C "$repo" rev-parse --short HEAD), best of $runs:"
awk -v se="$eval_best" -v sv="$view_best" -v sb="$both_best" -v os="$opa_store" -v oc="$opa_compiled" -v oi="$opa_input" 'BEGIN {
  printf "  evaluation only:  Steward %5d ms   OPA, data compiled   %6d ms   OPA/Steward %.1fx\n", se, oc, oc / se
  printf "                                     OPA, data in store   %6d ms   OPA/Steward %.1fx\n", os, os / se
  printf "  with the model:   Steward %5d ms   OPA, input parsed    %6d ms   OPA/Steward %.1fx\n", sb, oi, oi / sb
  printf "  (Steward: model view %d ms and evaluation %d ms at best; the with-the-model row is the best sum of one run)\n", sv, se
}'
exit $status
