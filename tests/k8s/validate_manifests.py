#!/usr/bin/env python3
"""Validates the Kubernetes manifests `gpushare-bench k8s` emits with kubernetes-validate.

Checks, in order:
  1. kubernetes-validate is installed in the project's virtual environment (GPUSHARE_VENV, or
     .venv in the repository), as scripts/setup.sh makes it;
  2. the real binary's example pods (a whole GPU, a shared GPU, a MIG device) and its device
     plugin configs wrapped in a ConfigMap (time-slicing and MPS) pass
     `kubernetes-validate --strict`, which rejects fields the API does not know;
  3. negative check: a copy of the pods with one misspelt field must fail, so a passing
     validator is not one that accepts anything.

Every check runs even when an earlier one failed; the exit status is 1 if any failed.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

COMMAND_TIMEOUT_S = 120

# (file name, arguments after `gpushare-bench k8s`)
MANIFESTS = [
    ("pods-gpu.yaml", ["pods", "--resource", "nvidia.com/gpu", "--count", "2"]),
    ("pods-gpu-shared.yaml",
     ["pods", "--resource", "nvidia.com/gpu.shared", "--count", "3", "--namespace", "gpu-jobs"]),
    ("pods-mig.yaml", ["pods", "--resource", "nvidia.com/mig-1g.10gb", "--count", "7"]),
    ("configmap-timeslicing.yaml",
     ["device-plugin", "--sharing", "timeslicing", "--replicas", "4",
      "--fail-requests-greater-than-one", "--configmap", "gpushare-timeslicing"]),
    ("configmap-mps.yaml",
     ["device-plugin", "--sharing", "mps", "--replicas", "2", "--rename-by-default",
      "--configmap", "gpushare-mps", "--namespace", "kube-system", "--config-key", "mps"]),
]


class CheckFailed(Exception):
    """One check did not pass; the message says what and where."""


def run(command, label):
    try:
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise CheckFailed(f"{label}: {command[0]} not found")
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{label}: no exit within {COMMAND_TIMEOUT_S} s: {' '.join(command)}")


def output_of(result):
    text = (result.stdout or "") + (result.stderr or "")
    return "\n".join("    " + line for line in text.strip().splitlines()[-20:])


def find_validator(repo_dir):
    venv = Path(os.environ.get("GPUSHARE_VENV") or Path(repo_dir) / ".venv")
    validator = venv / "bin" / "kubernetes-validate"
    if not os.access(validator, os.X_OK):
        raise CheckFailed(
            f"{validator} is missing: kubernetes-validate is installed by scripts/setup.sh into "
            f"the virtual environment {venv} (GPUSHARE_VENV overrides where); run "
            f"scripts/setup.sh, then this test again")
    return str(validator)


def emit(binary, work_dir, name, arguments):
    path = work_dir / name
    result = run([binary, "k8s", *arguments, "-o", str(path)], name)
    if result.returncode != 0 or not path.is_file():
        raise CheckFailed(f"gpushare-bench k8s {' '.join(arguments)} failed "
                          f"(exit {result.returncode}):\n{output_of(result)}")
    return path


def validate(validator, path, expect_valid):
    result = run([validator, "--strict", "--quiet", str(path)], path.name)
    if expect_valid and result.returncode != 0:
        raise CheckFailed(f"{path} does not validate:\n{output_of(result)}")
    if not expect_valid and result.returncode == 0:
        raise CheckFailed(f"{path} has a misspelt field but kubernetes-validate --strict accepts "
                          f"it: the check proves nothing")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the gpushare-bench binary")
    parser.add_argument("--repo-dir", required=True, help="the repository (holds .venv)")
    parser.add_argument("--work-dir", required=True, help="scratch directory for the manifests")
    args = parser.parse_args()

    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    try:
        validator = find_validator(args.repo_dir)
    except CheckFailed as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        return 1

    for name, arguments in MANIFESTS:
        try:
            path = emit(args.binary, work_dir, name, arguments)
            validate(validator, path, expect_valid=True)
            print(f"ok   {name}: gpushare-bench k8s {' '.join(arguments)}")
        except CheckFailed as failure:
            failures.append(str(failure))
            print(f"FAIL {failure}", file=sys.stderr)

    try:
        source = work_dir / "pods-gpu.yaml"
        broken = work_dir / "pods-misspelt.yaml"
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        if "restartPolicy:" not in text:
            raise CheckFailed(f"{source} has no restartPolicy to misspell")
        broken.write_text(text.replace("restartPolicy:", "restartPolicyy:"), encoding="utf-8")
        validate(validator, broken, expect_valid=False)
        print("ok   a misspelt pod field is rejected")
    except CheckFailed as failure:
        failures.append(str(failure))
        print(f"FAIL {failure}", file=sys.stderr)

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all manifests validate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
