#!/usr/bin/env python3
"""Checks the example GPU workflow (.github/workflows/gpu-regression.yml) without running it.

The file must be valid YAML and keep what makes it work on a GPU runner: the triggers, a
self-hosted GPU runner, a concurrency group that never cancels a measurement, the regression
script under a machine-wide lock (so two runs never share the GPU) with the baseline read from
the pull request's base branch, the artifacts uploaded also after a failure, and the comparison
posted on pull requests. And what keeps the runner safe from a pull request's code: no
credentials persisted by the checkout, and no scripts/setup.sh (which may sudo apt-get), also
not through scripts/build.sh.

PyYAML comes from Debian's python3-yaml or, where that is missing, from the virtual environment
scripts/setup.sh fills (kubernetes-validate depends on it): the script re-runs itself there.
"""

import argparse
import os
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    yaml = None


def reexec_in_venv(repo_dir):
    venv = Path(os.environ.get("GPUSHARE_VENV") or Path(repo_dir) / ".venv")
    python = venv / "bin" / "python"
    if os.environ.get("GPUSHARE_WORKFLOW_CHECK_REEXEC") or not os.access(python, os.X_OK):
        print(f"FAIL PyYAML is missing: install python3-yaml or run scripts/setup.sh (it fills "
              f"{venv}, where kubernetes-validate brings PyYAML)", file=sys.stderr)
        sys.exit(1)
    os.environ["GPUSHARE_WORKFLOW_CHECK_REEXEC"] = "1"
    os.execv(str(python), [str(python), *sys.argv])


def check(workflow_path):
    """Returns the list of problems found in the workflow."""
    problems = []
    with open(workflow_path, encoding="utf-8") as stream:
        workflow = yaml.safe_load(stream)
    if not isinstance(workflow, dict):
        return [f"{workflow_path}: not a YAML mapping"]

    # YAML 1.1 reads a bare `on` key as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    if not isinstance(triggers, dict):
        problems.append("`on` must be a mapping of triggers")
        triggers = {}
    for trigger in ("pull_request", "workflow_dispatch"):
        if trigger not in triggers:
            problems.append(f"`on` lacks {trigger}")

    concurrency = workflow.get("concurrency")
    if not isinstance(concurrency, dict) or not concurrency.get("group"):
        problems.append("no workflow-level concurrency group: two runs could share one GPU")
    else:
        if concurrency.get("cancel-in-progress") is not False:
            problems.append("concurrency must not cancel a run in progress")
        # One group for the whole repository would let any push cancel another pull
        # request's pending run (GitHub keeps one pending run per group).
        if "github.ref" not in str(concurrency.get("group")):
            problems.append("the concurrency group is not per ref: pushes to different pull "
                            "requests would cancel each other's pending runs")

    if (workflow.get("permissions") or {}).get("pull-requests") != "write":
        problems.append("permissions lack pull-requests: write (needed for the comment)")

    jobs = workflow.get("jobs") or {}
    if not jobs:
        problems.append("no jobs")
    for name, job in jobs.items():
        runs_on = job.get("runs-on")
        labels = [runs_on] if isinstance(runs_on, str) else list(runs_on or [])
        for label in ("self-hosted", "gpu"):
            if label not in labels:
                problems.append(f"job {name}: runs-on {labels} lacks {label}")
        steps = job.get("steps") or []
        runs = [step.get("run", "") for step in steps]
        uses = {step.get("uses", "").split("@")[0]: step for step in steps if step.get("uses")}

        checkout = uses.get("actions/checkout")
        if checkout is None:
            problems.append(f"job {name}: no actions/checkout step")
        else:
            checkout_with = checkout.get("with") or {}
            if checkout_with.get("persist-credentials") is not False:
                problems.append(f"job {name}: actions/checkout must set persist-credentials: "
                                f"false (the token would stay in .git/config for the PR's code)")
            fetches_base = checkout_with.get("fetch-depth") == 0 or \
                any("git fetch" in run and "base_ref" in run for run in runs)
            if not fetches_base:
                problems.append(f"job {name}: the base branch is not fetched (fetch-depth: 0 or "
                                f"git fetch origin <base_ref>), so there is no baseline to read")
        for step in steps:
            run = step.get("run", "")
            if "setup.sh" in run or "build.sh" in run:
                problems.append(f"job {name}: step {step.get('name', run)!r} runs scripts/setup.sh "
                                f"(scripts/build.sh calls it): it may sudo apt-get from PR code")

        script_steps = [step for step in steps
                        if "scripts/ci-gpu-regression.sh" in step.get("run", "")]
        if not script_steps:
            problems.append(f"job {name}: scripts/ci-gpu-regression.sh is never run")
        for step in script_steps:
            text = step.get("run", "") + str(step.get("env") or {})
            if "--baseline-ref" not in text or "github.base_ref" not in text:
                problems.append(f"job {name}: the script is not given --baseline-ref "
                                f"origin/<base_ref>: a pull request could edit its own baseline")
            if not any(line.strip().startswith("flock ") and "ci-gpu-regression.sh" in line
                       for line in step.get("run", "").splitlines()):
                problems.append(f"job {name}: the script does not run under flock: runs of "
                                f"different groups could share the GPU")

        upload = uses.get("actions/upload-artifact")
        if upload is None:
            problems.append(f"job {name}: no actions/upload-artifact step")
        else:
            if "ci-artifacts" not in str((upload.get("with") or {}).get("path", "")):
                problems.append(f"job {name}: the upload does not include ci-artifacts/")
            if "cancelled()" not in str(upload.get("if", "")) and \
                    "always()" not in str(upload.get("if", "")):
                problems.append(f"job {name}: the upload is skipped after a failed step")

        comment = uses.get("marocchino/sticky-pull-request-comment")
        if comment is None:
            problems.append(f"job {name}: the comparison is not posted on the pull request")
        elif "ci-artifacts/comparison.md" != (comment.get("with") or {}).get("path"):
            problems.append(f"job {name}: the comment does not post ci-artifacts/comparison.md")

        for action, step in uses.items():
            version = step["uses"].partition("@")[2]
            if not version:
                problems.append(f"job {name}: {action} is not pinned to a version")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo-dir", required=True, help="the repository")
    args = parser.parse_args()
    if yaml is None:
        reexec_in_venv(args.repo_dir)

    workflow = Path(args.repo_dir) / ".github" / "workflows" / "gpu-regression.yml"
    try:
        problems = check(workflow)
    except (OSError, yaml.YAMLError) as failure:
        problems = [f"{workflow}: {failure}"]
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok   {workflow.name}: valid YAML with the triggers, runner, concurrency, checkout, "
          f"build, locked script with the base branch's baseline, upload and comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
