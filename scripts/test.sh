#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
# The policy front end's mutation fuzz at full size: 300,000 mutated policies through the
# lexer, parser and checker, in a release build (about 25 s; the debug run above does 30,000).
swift build -c release --build-tests -Xswiftc -enable-testing --build-path .build-release-tests
STEWARD_FUZZ_ITERATIONS=300000 swift test -c release --skip-build --build-path .build-release-tests --filter FuzzTests
