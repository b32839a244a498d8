#!/usr/bin/env bash
# Install, build and run every test. GPU tests (ctest label "gpu") skip with their reason on
# machines without a usable GPU; the reasons are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
status=0
ctest --preset release -j "$(nproc)" || status=$?
log=build/Testing/Temporary/LastTest.log
if [[ -f $log ]]; then
  # gtest prints the skip reason on the line after "<file>:<line>: Skipped".
  reasons=$(grep -A1 -E '^[^ ]+:[0-9]+: Skipped$' "$log" | grep -vE ': Skipped$|^--$' | sort | uniq -c || true)
  if [[ -n $reasons ]]; then
    echo "Skipped tests, by reason:"
    echo "$reasons"
  fi
fi
exit "$status"
