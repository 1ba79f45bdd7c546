#!/usr/bin/env bash
# Installs what Steward needs to build on Debian/Ubuntu (Swift itself must be installed):
# libgit2, libyaml and SQLite (used through their C APIs), pkg-config, git (tests build real repositories), python3
# and its jsonschema module (tests validate the SARIF report and the OpenLineage events against their schemas).
set -euo pipefail

need=()
dpkg -s libgit2-dev >/dev/null 2>&1 || need+=(libgit2-dev)
dpkg -s libyaml-dev >/dev/null 2>&1 || need+=(libyaml-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need+=(libsqlite3-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v git >/dev/null 2>&1 || need+=(git)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The SARIF report and the OpenLineage events are validated against their official schemas with Python's jsonschema
# (CheckReporterTests tries python3, then /usr/bin/python3, where Debian's package lands).
python3 -c 'import jsonschema' >/dev/null 2>&1 || /usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 \
  || dpkg -s python3-jsonschema >/dev/null 2>&1 || need+=(python3-jsonschema)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

command -v swift >/dev/null 2>&1 || {
  echo "setup: swift is not on PATH; install Swift 6 first (https://www.swift.org/install/)" >&2
  exit 2
}
