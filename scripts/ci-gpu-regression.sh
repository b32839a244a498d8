#!/usr/bin/env bash
# Regression gate for a self-hosted GPU runner: runs the suite on GPU 0, compares the report
# with the baseline committed for this GPU model and writes the comparison as Markdown for a
# pull-request comment. Options and exit codes: --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/ci-gpu-regression.sh [options]

Runs `gpushare-bench --mode all` on this machine's GPU, then
`gpushare-bench compare BASELINE CURRENT` and writes the Markdown result.

Options:
  --baseline FILE   report to compare against (default:
                    results/baseline/<gpu-slug>.json in the repository, where <gpu-slug> is
                    the name nvidia-smi gives GPU 0, lowercased, every run of characters
                    other than a-z and 0-9 turned into one '-': "NVIDIA H100 80GB HBM3"
                    -> nvidia-h100-80gb-hbm3)
  --suite FILE      suite to run instead of the embedded default suite
  --threshold PCT   regression threshold in percent passed to compare (default 5)
  --metric GLOB     only compare metrics matching GLOB (repeatable; passed to compare)
  --out DIR         where current.json, run.log and comparison.md go (default ci-artifacts)
  --binary PATH     the gpushare-bench binary (default build/gpushare-bench in the
                    repository, built with scripts/build.sh when it is missing)
  -h, --help        this text

Files in DIR:
  current.json      this run's report (kept also when the run fails)
  run.log           the run's stdout and stderr
  comparison.md     the comparison, or a note saying why there is none

Exit codes:
  0    no regression; also when there is no baseline yet (first run on a GPU model):
       comparison.md then says how to adopt current.json as the baseline
  1    compare found a regression, or the run itself failed a check
  2    usage error, no binary, no GPU name from nvidia-smi, or a run or compare that
       refused its input (no GPU or driver, bad suite, reports from different environments)
  3    a tenant failed or timed out during the run
  130  interrupted
  Any other non-zero code is gpushare-bench's own, passed through.
EOF
}

say() { echo "ci-gpu-regression: $*" >&2; }
usage_error() {
  say "$* (see --help)"
  exit 2
}

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
baseline=""
suite=""
threshold=5
out_dir=ci-artifacts
binary=""
metrics=()

while (($# > 0)); do
  option=$1
  case $option in
    -h | --help)
      usage
      exit 0
      ;;
    --baseline | --suite | --threshold | --metric | --out | --binary)
      (($# >= 2)) || usage_error "$option needs a value"
      value=$2
      shift 2
      ;;
    --baseline=* | --suite=* | --threshold=* | --metric=* | --out=* | --binary=*)
      value=${option#*=}
      option=${option%%=*}
      shift
      ;;
    *)
      usage_error "unknown argument '$option'"
      ;;
  esac
  [[ -n $value ]] || usage_error "$option needs a non-empty value"
  case $option in
    --baseline) baseline=$value ;;
    --suite) suite=$value ;;
    --threshold) threshold=$value ;;
    --metric) metrics+=("$value") ;;
    --out) out_dir=$value ;;
    --binary) binary=$value ;;
  esac
done

# compare validates the threshold too, but only after a run of many minutes: fail at once.
[[ $threshold =~ ^[0-9]+([.][0-9]+)?$ ]] ||
  usage_error "--threshold '$threshold' is not a percentage (a number such as 5 or 2.5)"
if [[ -n $suite && ! -f $suite ]]; then
  usage_error "--suite $suite: no such file"
fi

if [[ -z $binary ]]; then
  binary=$repo_dir/build/gpushare-bench
  if [[ ! -x $binary ]]; then
    say "$binary is missing: building it with scripts/build.sh"
    "$repo_dir/scripts/build.sh"
  fi
fi
[[ -x $binary ]] || usage_error "--binary $binary: not an executable file"

# The GPU's name picks the default baseline and heads the Markdown. Only GPU 0 counts: the
# suite runs on the default device.
gpu_name=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 2>/dev/null | head -n 1 || true)
  gpu_name=${gpu_name%$'\r'}
fi
if [[ -z $baseline ]]; then
  [[ -n $gpu_name ]] ||
    usage_error "nvidia-smi did not name GPU 0, so there is no default baseline: pass --baseline FILE"
  slug=$(printf '%s' "$gpu_name" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-')
  slug=${slug#-}
  slug=${slug%-}
  [[ -n $slug ]] || usage_error "GPU name '$gpu_name' has no letters or digits: pass --baseline FILE"
  baseline=$repo_dir/results/baseline/$slug.json
fi

mkdir -p -- "$out_dir"
current=$out_dir/current.json
comparison=$out_dir/comparison.md
run_log=$out_dir/run.log
# Files of an earlier run in the same directory must not pass for this run's.
rm -f -- "$current" "$comparison" "$run_log"

heading() {
  echo "## gpushare-bench GPU regression check"
  echo
  echo "GPU: ${gpu_name:-unknown (nvidia-smi gave no name)}"
  echo
}

exit_meaning() {
  case $1 in
    1) echo "a check failed (a correctness check, or a rate above its calibrated limit)" ;;
    2) echo "usage, configuration or environment error (no GPU, no driver, bad suite)" ;;
    3) echo "a tenant failed or timed out" ;;
    130) echo "interrupted" ;;
    *) echo "see the log" ;;
  esac
}

run_args=(--mode all)
if [[ -n $suite ]]; then
  run_args+=(--suite "$suite")
fi
run_args+=(--json "$current" --quiet)

say "running $binary ${run_args[*]}"
# Both streams go to the log as well as to the CI log, so the Markdown note can quote the end.
set +e
"$binary" "${run_args[@]}" 2>&1 | tee -- "$run_log"
run_status=${PIPESTATUS[0]}
set -e

if ((run_status != 0)); then
  {
    heading
    echo "**The benchmark run failed** with exit code $run_status ($(exit_meaning "$run_status")),"
    echo "so nothing was compared."
    echo
    if [[ -f $current ]]; then
      echo "What it measured before failing is in \`current.json\` among the artifacts."
    else
      echo "It wrote no report."
    fi
    echo
    echo "The end of its output:"
    echo
    echo '```text'
    tail -n 20 -- "$run_log"
    echo '```'
  } >"$comparison"
  say "the run failed with exit code $run_status; see $comparison"
  exit "$run_status"
fi

if [[ ! -f $baseline ]]; then
  baseline_name=$baseline
  if [[ $baseline == "$repo_dir"/* ]]; then
    baseline_name=${baseline#"$repo_dir"/}
  fi
  {
    heading
    echo "**No baseline yet**: \`$baseline_name\` does not exist, so nothing was compared and"
    echo "this check passes. To adopt this run as the baseline, take \`current.json\` from the"
    echo "artifacts and commit it:"
    echo
    echo '```sh'
    echo "mkdir -p \"$(dirname -- "$baseline_name")\""
    echo "cp current.json \"$baseline_name\""
    echo "git add \"$baseline_name\""
    echo '```'
  } >"$comparison"
  say "no baseline at $baseline: nothing compared (exit 0)."
  say "to adopt this run as the baseline: cp $current $baseline_name, then commit it"
  exit 0
fi

compare_args=(compare "$baseline" "$current" --threshold "$threshold")
for metric in ${metrics[@]+"${metrics[@]}"}; do
  compare_args+=(--metric "$metric")
done
compare_args+=(-o "$comparison")

say "running $binary ${compare_args[*]}"
set +e
"$binary" "${compare_args[@]}"
compare_status=$?
set -e

if [[ ! -s $comparison ]]; then
  {
    heading
    echo "**compare wrote no comparison** (exit code $compare_status): see the job log."
  } >"$comparison"
fi
case $compare_status in
  0) say "no regression against $baseline" ;;
  1) say "regression against $baseline: see $comparison" ;;
  *) say "compare failed with exit code $compare_status: see $comparison" ;;
esac
exit "$compare_status"
