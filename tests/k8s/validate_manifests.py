#!/usr/bin/env python3
"""Validates the Kubernetes manifests `gpushare-bench k8s` emits and deploy/k8s/ holds.

Checks, in order:
  1. kubernetes-validate is installed in the project's virtual environment (GPUSHARE_VENV, or
     .venv in the repository), as scripts/setup.sh makes it;
  2. the real binary's example pods (a whole GPU, a shared GPU, a MIG device) and its device
     plugin configs wrapped in a ConfigMap (time-slicing and MPS) pass
     `kubernetes-validate --strict`, which rejects fields the API does not know;
  3. every YAML file under deploy/k8s/ (the fleet Jobs, their ConfigMaps, the results volume
     and its reader pod) passes `kubernetes-validate --strict` too, and the fleet Jobs keep
     what the schema cannot see: Indexed, one pod per node, the report named after the node
     and the completion index, every suite they name mounted from a ConfigMap key that the
     binary accepts;
  4. negative checks: a copy of the pods and a copy of the fleet Job, each with one misspelt
     field, must fail, so a passing validator is not one that accepts anything.

Every check runs even when an earlier one failed; the exit status is 1 if any failed.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    yaml = None

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


def run(command, label, env=None):
    try:
        return subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=COMMAND_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise CheckFailed(f"{label}: {command[0]} not found")
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{label}: no exit within {COMMAND_TIMEOUT_S} s: {' '.join(command)}")


def output_of(result):
    text = (result.stdout or "") + (result.stderr or "")
    return "\n".join("    " + line for line in text.strip().splitlines()[-20:])


def venv_of(repo_dir):
    return Path(os.environ.get("GPUSHARE_VENV") or Path(repo_dir) / ".venv")


def find_validator(repo_dir):
    venv = venv_of(repo_dir)
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


def deploy_manifests(repo_dir):
    directory = Path(repo_dir) / "deploy" / "k8s"
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not paths:
        raise CheckFailed(f"{directory} holds no YAML file")
    return paths


def check_fleet_job(path, documents, binary, work_dir):
    """What makes a fleet Job work that the API schema does not check."""
    jobs = [d for d in documents if d.get("kind") == "Job"]
    if len(jobs) != 1:
        raise CheckFailed(f"{path}: {len(jobs)} Jobs, expected one")
    job = jobs[0]
    name = job["metadata"]["name"]
    spec = job["spec"]
    pod = spec["template"]["spec"]
    where = f"{path.name} job/{name}"
    if spec.get("completionMode") != "Indexed":
        raise CheckFailed(f"{where}: completionMode is not Indexed")
    if spec.get("completions") != spec.get("parallelism"):
        raise CheckFailed(f"{where}: completions {spec.get('completions')} != parallelism "
                          f"{spec.get('parallelism')}: the pods would not all run at once")
    if pod.get("restartPolicy") != "Never":
        raise CheckFailed(f"{where}: restartPolicy is not Never")
    terms = (pod.get("affinity", {}).get("podAntiAffinity", {})
             .get("requiredDuringSchedulingIgnoredDuringExecution", []))
    if not any(term.get("topologyKey") == "kubernetes.io/hostname" and
               term.get("labelSelector", {}).get("matchLabels", {})
               .get("batch.kubernetes.io/job-name") == name for term in terms):
        raise CheckFailed(f"{where}: no required anti-affinity on its own pods per "
                          f"kubernetes.io/hostname: two pods could share a node")
    if not any(t.get("key") == "nvidia.com/gpu" for t in pod.get("tolerations", [])):
        raise CheckFailed(f"{where}: no toleration for the nvidia.com/gpu taint")

    container = pod["containers"][0]
    args = container.get("args", [])
    env = {e["name"]: e for e in container.get("env", [])}
    report = args[args.index("--json") + 1] if "--json" in args else ""
    if not report.startswith("/results/") or "$(NODE_NAME)" not in report or \
            "$(JOB_COMPLETION_INDEX)" not in report:
        raise CheckFailed(f"{where}: the report {report!r} is not named after the node and "
                          f"the completion index under /results/")
    if env.get("NODE_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") \
            != "spec.nodeName":
        raise CheckFailed(f"{where}: NODE_NAME does not come from spec.nodeName")
    if "JOB_COMPLETION_INDEX" not in env:
        raise CheckFailed(f"{where}: JOB_COMPLETION_INDEX is not declared")
    gpu_resources = [r for r in container.get("resources", {}).get("limits", {})
                     if r == "nvidia.com/gpu" or r.startswith("nvidia.com/mig-")]
    if len(gpu_resources) != 1:
        raise CheckFailed(f"{where}: limits must request one GPU resource, not {gpu_resources}")
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    claim = volumes.get(mounts.get("/results", ""), {}).get("persistentVolumeClaim", {})
    if claim.get("claimName") != "gpushare-results":
        raise CheckFailed(f"{where}: /results is not the gpushare-results volume")

    if "--suite" in args:
        suite_path = Path(args[args.index("--suite") + 1])
        volume = volumes.get(mounts.get(str(suite_path.parent), ""), {})
        config_map = volume.get("configMap", {}).get("name")
        maps = {d["metadata"]["name"]: d for d in documents if d.get("kind") == "ConfigMap"}
        text = maps.get(config_map, {}).get("data", {}).get(suite_path.name)
        if text is None:
            raise CheckFailed(f"{where}: --suite {suite_path} is no key of a ConfigMap in "
                              f"{path.name} mounted at {suite_path.parent}")
        check_suite(binary, work_dir / f"{name}-{suite_path.name}", text, args, where)


def check_suite(binary, suite_file, text, job_args, where):
    """The suite and the Job's options must get past the binary's own checks. There is no
    dry run: the binary reads the suite and its options before it looks for a GPU, so with
    CUDA_VISIBLE_DEVICES empty (no GPU here, or one hidden on a GPU machine) a good suite ends
    in the no-GPU error, exit 2, at once, and a bad one in an error naming the suite file or
    the option."""
    suite_file.write_text(text, encoding="utf-8")
    args = list(job_args)
    args[args.index("--suite") + 1] = str(suite_file)
    args[args.index("--json") + 1] = str(suite_file.with_suffix(".json"))
    result = run([binary, *args], where, env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    output = (result.stdout or "") + (result.stderr or "")
    rejected = f"suite {suite_file}" in output or "(see --help)" in output
    if result.returncode not in (0, 2) or rejected:
        raise CheckFailed(f"{where}: the binary rejects the suite or the options "
                          f"(exit {result.returncode}):\n{output_of(result)}")


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
    if yaml is None:
        # kubernetes-validate brings PyYAML into its virtual environment: read the manifests
        # there when this Python has none.
        python = venv_of(args.repo_dir) / "bin" / "python"
        if os.environ.get("GPUSHARE_MANIFESTS_REEXEC") or not os.access(python, os.X_OK):
            print(f"FAIL PyYAML is missing from {sys.executable} and {python}", file=sys.stderr)
            return 1
        os.environ["GPUSHARE_MANIFESTS_REEXEC"] = "1"
        os.execv(str(python), [str(python), *sys.argv])

    for name, arguments in MANIFESTS:
        try:
            path = emit(args.binary, work_dir, name, arguments)
            validate(validator, path, expect_valid=True)
            print(f"ok   {name}: gpushare-bench k8s {' '.join(arguments)}")
        except CheckFailed as failure:
            failures.append(str(failure))
            print(f"FAIL {failure}", file=sys.stderr)

    fleet_job = None
    try:
        deploy = deploy_manifests(args.repo_dir)
    except CheckFailed as failure:
        deploy = []
        failures.append(str(failure))
        print(f"FAIL {failure}", file=sys.stderr)
    for path in deploy:
        try:
            validate(validator, path, expect_valid=True)
            with open(path, encoding="utf-8") as stream:
                documents = [d for d in yaml.safe_load_all(stream) if d is not None]
            if any(d.get("kind") == "Job" for d in documents):
                check_fleet_job(path, documents, args.binary, work_dir)
                if path.name == "fleet-job.yaml":
                    fleet_job = path
            kinds = ", ".join(f"{d['kind']}/{d['metadata']['name']}" for d in documents)
            print(f"ok   deploy/k8s/{path.name}: {kinds}")
        except (CheckFailed, yaml.YAMLError, KeyError, TypeError, ValueError) as failure:
            failures.append(f"{path}: {failure}")
            print(f"FAIL {path}: {failure}", file=sys.stderr)

    try:
        if fleet_job is None:
            raise CheckFailed("deploy/k8s/fleet-job.yaml did not pass, so it has no copy to "
                              "misspell")
        text = fleet_job.read_text(encoding="utf-8")
        broken = work_dir / "fleet-job-misspelt.yaml"
        broken.write_text(text.replace("completionMode:", "completionMod:"), encoding="utf-8")
        validate(validator, broken, expect_valid=False)
        print("ok   a misspelt Job field in a copy of deploy/k8s/fleet-job.yaml is rejected")
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
