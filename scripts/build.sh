#!/usr/bin/env bash
# Installs what is missing, then configures and builds into build/ (binary: build/gpushare-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake --preset release
fi
cmake --build --preset release -j "$(nproc)"
