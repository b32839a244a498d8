#!/usr/bin/env bash
# The main job: install, build, and run the whole suite on this machine's GPU, writing the
# report to gpushare-report.json. Extra arguments are passed to gpushare-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec build/gpushare-bench --mode all --json gpushare-report.json "$@"
