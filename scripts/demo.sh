#!/usr/bin/env bash
# The demo on the example mesh (embedded engine): lint it, show a product, draw the lineage.
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
