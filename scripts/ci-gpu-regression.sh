#!/usr/bin/env bash
# Regression gate for a self-hosted GPU runner: runs the suite on the default CUDA device,
# compares the report with the baseline committed for that GPU model and writes the comparison
# as Markdown for a pull-request comment. Options and exit codes: --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/ci-gpu-regression.sh [options]

Runs `gpushare-bench --mode all` on this machine's GPU, then
`gpushare-bench compare BASELINE CURRENT` and writes the Markdown result.

Options:
  --baseline FILE   report to compare against (default:
                    results/baseline/<gpu-slug>.json in the repository, where <gpu-slug> is
                    the name of the GPU the run measured, taken from its report
                    (environment.gpus[config.device].name; nvidia-smi's GPU 0 only when the
                    report names none), lowercased, every run of characters other than a-z
                    and 0-9 turned into one '-': "NVIDIA H100 80GB HBM3"
                    -> nvidia-h100-80gb-hbm3)
  --baseline-ref REF
                    read the baseline from the commit REF (`git show REF:PATH`, PATH being
                    the --baseline path relative to the repository root, or the default
                    above) into DIR/baseline.json instead of from the working tree, so that a
                    pull request cannot change or delete the baseline it is judged against;
                    for example origin/main
  --suite FILE      suite to run instead of the embedded default suite
  --threshold PCT   regression threshold in percent passed to compare (default 5)
  --metric GLOB     only compare metrics matching GLOB (repeatable; passed to compare)
  --out DIR         where current.json, run.log and comparison.md go (default ci-artifacts)
  --binary PATH     the gpushare-bench binary (default build/gpushare-bench in the
                    repository, built with scripts/build.sh when it is missing)
  -h, --help        this text

Files in DIR:
  current.json      this run's report (kept also when the run fails)
  baseline.json     the baseline read from REF (--baseline-ref only)
  run.log           the run's stdout and stderr
  comparison.md     the comparison, or a note saying why there is none

Exit codes:
  0    no regression; also when there is no baseline yet (first run on a GPU model), with
       --baseline-ref when REF has none: comparison.md then says how to adopt current.json
       as the baseline
  1    compare found a regression, or the run itself failed a check
  2    usage error, no binary, REF not a commit, no GPU name to pick the default baseline by,
       or a run or compare that refused its input (no GPU or driver, bad suite, reports
       from different environments)
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
baseline_ref=""
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
    --baseline | --baseline-ref | --suite | --threshold | --metric | --out | --binary)
      (($# >= 2)) || usage_error "$option needs a value"
      value=$2
      shift 2
      ;;
    --baseline=* | --baseline-ref=* | --suite=* | --threshold=* | --metric=* | --out=* | \
      --binary=*)
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
    --baseline-ref) baseline_ref=$value ;;
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

# A ref that names no commit would otherwise show up only after a run of many minutes.
if [[ -n $baseline_ref ]]; then
  git -C "$repo_dir" rev-parse --quiet --verify "$baseline_ref^{commit}" >/dev/null ||
    usage_error "--baseline-ref '$baseline_ref' is not a commit in $repo_dir (fetched?)"
  # git show takes a path from the repository root.
  if [[ $baseline == "$repo_dir"/* ]]; then
    baseline=${baseline#"$repo_dir"/}
  fi
  [[ $baseline != /* ]] ||
    usage_error "--baseline $baseline: with --baseline-ref it must be a path in the repository"
fi

mkdir -p -- "$out_dir"
current=$out_dir/current.json
comparison=$out_dir/comparison.md
run_log=$out_dir/run.log
baseline_copy=$out_dir/baseline.json
# Files of an earlier run in the same directory must not pass for this run's.
rm -f -- "$current" "$comparison" "$run_log" "$baseline_copy"

gpu_name=""
heading() {
  echo "## gpushare-bench GPU regression check"
  echo
  echo "GPU: ${gpu_name:-unknown (neither the report nor nvidia-smi named it)}"
  echo
}

# The GPU the run measured, from its report: CUDA numbers devices fastest first within
# CUDA_VISIBLE_DEVICES, so device 0 need not be nvidia-smi's GPU 0 (PCI order). Prints nothing
# when the report is missing or names no GPU.
report_gpu_name() {
  [[ -f $current ]] && command -v python3 >/dev/null 2>&1 || return 0
  python3 - "$current" <<'EOF' 2>/dev/null || true
import json, sys
with open(sys.argv[1], encoding="utf-8") as stream:
    report = json.load(stream)
device = report["config"]["device"]
gpus = report["environment"]["gpus"]
if isinstance(device, int) and 0 <= device < len(gpus):
    print(str(gpus[device]["name"]).strip())
EOF
}

# Only when the report names no GPU: nvidia-smi's GPU 0, which is the measured one on a
# machine with one GPU.
nvidia_smi_gpu_name() {
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  local name
  name=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 2>/dev/null | head -n 1 || true)
  printf '%s\n' "${name%$'\r'}"
}

find_gpu_name() {
  gpu_name=$(report_gpu_name)
  if [[ -z $gpu_name ]]; then
    gpu_name=$(nvidia_smi_gpu_name)
  fi
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
find_gpu_name

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

# The GPU's name picks the default baseline.
if [[ -z $baseline ]]; then
  slug=$(printf '%s' "$gpu_name" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-')
  slug=${slug#-}
  slug=${slug%-}
  if [[ -z $slug ]]; then
    {
      heading
      echo "**No baseline could be picked**: neither the report nor nvidia-smi gave a GPU name"
      echo "to find \`results/baseline/<gpu-slug>.json\` by, so nothing was compared. Pass"
      echo "\`--baseline FILE\` to the script."
    } >"$comparison"
    usage_error "no GPU name ('$gpu_name') to pick the default baseline by: pass --baseline FILE"
  fi
  baseline=results/baseline/$slug.json
  if [[ -z $baseline_ref ]]; then
    baseline=$repo_dir/$baseline
  fi
fi

# With a ref, the baseline is the one committed there, whatever the checkout holds.
baseline_found=true
if [[ -n $baseline_ref ]]; then
  baseline_name=$baseline
  where=" in \`$baseline_ref\`"
  if git -C "$repo_dir" cat-file -e "$baseline_ref:$baseline" 2>/dev/null; then
    git -C "$repo_dir" show "$baseline_ref:$baseline" >"$baseline_copy"
    say "baseline: $baseline from $baseline_ref"
    baseline=$baseline_copy
  else
    baseline_found=false
  fi
else
  baseline_name=$baseline
  if [[ $baseline == "$repo_dir"/* ]]; then
    baseline_name=${baseline#"$repo_dir"/}
  fi
  where=""
  [[ -f $baseline ]] || baseline_found=false
fi

if [[ $baseline_found == false ]]; then
  {
    heading
    echo "**No baseline yet**: \`$baseline_name\` does not exist$where, so nothing was"
    echo "compared and this check passes. To adopt this run as the baseline, take"
    echo "\`current.json\` from the artifacts and commit it:"
    echo
    echo '```sh'
    echo "mkdir -p \"$(dirname -- "$baseline_name")\""
    echo "cp current.json \"$baseline_name\""
    echo "git add \"$baseline_name\""
    echo '```'
  } >"$comparison"
  say "no baseline $baseline_name${where//\`/}: nothing compared (exit 0)."
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
