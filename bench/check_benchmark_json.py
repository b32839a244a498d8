#!/usr/bin/env python3
"""Smoke test of the microbenchmarks: runs every registered benchmark briefly and checks that
each one produced a result. A benchmark named BM_gpu_* (it needs a CUDA device) may instead be
skipped, but only with a reason; any other benchmark must be measured. Timings are never
compared with anything: how fast is a question for a proper run, not for CI."""

import argparse
import json
import math
import os
import subprocess
import sys

GPU_PREFIX = "BM_gpu_"

# Benchmarks the harness promises (histogram record, barrier release skew, JSON write of a
# large run, telemetry sample cost). Without this list a benchmark that stopped being
# registered would vanish from the listing and from the check with it. A name without
# arguments is satisfied by the benchmark under any arguments.
REQUIRED = [
    "BM_histogram_record",
    "BM_barrier_release_skew",
    "BM_json_write_large_run",
    "BM_telemetry_sample_round_without_nvml/gpus:1",
    "BM_telemetry_sample_round_without_nvml/gpus:2",
    "BM_telemetry_sample_round_without_nvml/gpus:8",
    "BM_telemetry_summarize_gpu/readings:1200",
]


def missing_required(listed):
    return [required for required in REQUIRED
            if not any(name == required or name.startswith(required + "/") for name in listed)]


def run(command, timeout):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL: {command[0]} did not finish within {timeout} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True, help="the gpushare_microbench executable")
    parser.add_argument("--work-dir", required=True, help="where the JSON output is written")
    # Google Benchmark 1.7 reads this flag as plain seconds; 1.8 and later also accept "0.01s".
    parser.add_argument("--min-time", default="0.01", help="--benchmark_min_time value")
    parser.add_argument("--timeout", type=float, default=100.0, help="seconds for the whole run")
    args = parser.parse_args()

    listed = run([args.binary, "--benchmark_list_tests=true"], 30)
    if listed.returncode != 0:
        sys.exit(f"FAIL: listing benchmarks exited {listed.returncode}\n{listed.stderr}")
    expected = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
    if not expected:
        sys.exit("FAIL: the binary lists no benchmarks")
    missing = missing_required(expected)
    if missing:
        sys.exit("FAIL: required benchmarks are not registered: " + ", ".join(missing))

    os.makedirs(args.work_dir, exist_ok=True)
    out_path = os.path.join(args.work_dir, "microbench.json")
    if os.path.exists(out_path):
        os.remove(out_path)
    command = [args.binary, f"--benchmark_min_time={args.min_time}",
               f"--benchmark_out={out_path}", "--benchmark_out_format=json"]
    result = run(command, args.timeout)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)} exited {result.returncode}")
    try:
        with open(out_path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        sys.exit(f"FAIL: no readable JSON in {out_path}: {error}")

    # run_name is the registered name; name may carry an aggregate suffix with repetitions.
    by_name = {}
    for entry in document.get("benchmarks", []):
        by_name.setdefault(entry.get("run_name", entry.get("name")), []).append(entry)

    problems = []
    measured_cpu, measured_gpu, skipped = 0, 0, {}
    for name in expected:
        is_gpu = name.startswith(GPU_PREFIX)
        entries = by_name.get(name)
        if not entries:
            problems.append(f"{name}: no result")
            continue
        for entry in entries:
            if entry.get("error_occurred"):
                reason = str(entry.get("error_message", "")).strip()
                if not is_gpu:
                    problems.append(f"{name}: failed: {reason or '(no message)'}")
                elif not reason:
                    problems.append(f"{name}: skipped without a reason")
                else:
                    skipped.setdefault(reason, []).append(name)
                continue
            iterations = entry.get("iterations", 0)
            times = [entry.get("real_time"), entry.get("cpu_time")]
            if not isinstance(iterations, int) or iterations <= 0:
                problems.append(f"{name}: {iterations!r} iterations")
            elif not all(isinstance(t, (int, float)) and math.isfinite(t) and t >= 0
                         for t in times):
                problems.append(f"{name}: times {times!r}")
            elif is_gpu:
                measured_gpu += 1
            else:
                measured_cpu += 1

    print(f"measured: {measured_cpu} CPU, {measured_gpu} GPU; "
          f"skipped: {sum(len(names) for names in skipped.values())} GPU")
    for reason, names in skipped.items():
        print(f"  skipped ({len(names)}): {reason}")
    if measured_cpu == 0:
        problems.append("no CPU benchmark was measured")
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
