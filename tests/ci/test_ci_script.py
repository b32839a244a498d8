#!/usr/bin/env python3
"""Tests scripts/ci-gpu-regression.sh without a GPU.

The script runs in a copy of the repository layout (so the default baseline path under
results/baseline/ is under the test's control) with two stand-ins: a `--binary` that records its
argument vector, writes the report (with the GPUs and device the test chooses) or comparison it
was asked for and exits with the code the test chooses, and an `nvidia-smi` on PATH that names
a GPU. The real gpushare-bench cannot stand in here: its run needs a GPU and its `compare` is
not in this version. The --baseline-ref tests make that copy a git repository.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
SCRIPT = REPO_DIR / "scripts" / "ci-gpu-regression.sh"
TIMEOUT_S = 60

# Records argv as one JSON line per call; `--json FILE` gets a small report whose
# environment.gpus are named by STANDIN_REPORT_GPUS (a JSON list) and whose config.device is
# STANDIN_DEVICE, `compare ... -o FILE` gets STANDIN_COMPARE_TEXT and a copy of the baseline it
# was given in STANDIN_COMPARED_BASELINE; exit codes come from STANDIN_RUN_EXIT /
# STANDIN_COMPARE_EXIT.
STANDIN_BINARY = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STANDIN_CALLS"], "a", encoding="utf-8") as calls:
    calls.write(json.dumps(args) + "\\n")
def value_of(option):
    return args[args.index(option) + 1] if option in args else None
if args and args[0] == "compare":
    out = value_of("-o")
    with open(args[1], encoding="utf-8") as source, \\
            open(os.environ["STANDIN_COMPARED_BASELINE"], "w", encoding="utf-8") as copy:
        copy.write(source.read())
    if out and "STANDIN_COMPARE_TEXT" in os.environ:
        with open(out, "w", encoding="utf-8") as f:
            f.write(os.environ["STANDIN_COMPARE_TEXT"])
    sys.exit(int(os.environ.get("STANDIN_COMPARE_EXIT", "0")))
report = value_of("--json")
if report:
    with open(report, "w", encoding="utf-8") as f:
        gpus = [{{"name": name, "pci_bus_id": "00000000:{{:02X}}:00.0".format(index + 1)}}
                for index, name in enumerate(json.loads(os.environ["STANDIN_REPORT_GPUS"]))]
        json.dump({{"schema_version": "1.4.0", "stand_in": True,
                   "environment": {{"cuda_available": bool(gpus), "gpus": gpus}},
                   "config": {{"mode": "all", "device": int(os.environ["STANDIN_DEVICE"])}}}}, f)
print("stand-in run output line")
print("stand-in: tenant 1 (gemm) failed", file=sys.stderr)
sys.exit(int(os.environ.get("STANDIN_RUN_EXIT", "0")))
"""

STANDIN_NVIDIA_SMI = """#!/bin/sh
printf '%s\\n' "$*" >> "$STANDIN_SMI_CALLS"
printf '%s\\n' "$STANDIN_GPU_NAME"
"""


def write_executable(path, text):
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class CiRegressionScriptTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="gpushare-ci-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        # A repository of its own: the script finds results/baseline/ next to its scripts/.
        self.repo = self.tmp / "repo"
        (self.repo / "scripts").mkdir(parents=True)
        shutil.copy2(SCRIPT, self.repo / "scripts" / SCRIPT.name)
        self.bin_dir = self.tmp / "bin"
        self.bin_dir.mkdir()
        self.binary = self.tmp / "gpushare-bench-standin"
        write_executable(self.binary, STANDIN_BINARY.format(python=sys.executable))
        write_executable(self.bin_dir / "nvidia-smi", STANDIN_NVIDIA_SMI)
        self.calls = self.tmp / "calls.jsonl"
        self.smi_calls = self.tmp / "smi-calls.txt"
        self.out = self.tmp / "out"
        self.compared_baseline = self.tmp / "compared-baseline.json"

    def run_script(self, *arguments, gpu_name="NVIDIA H100 80GB HBM3",
                   report_gpus=("NVIDIA H100 80GB HBM3",), device=0, **standin):
        """gpu_name is what nvidia-smi says; report_gpus and device what the report says."""
        env = dict(os.environ)
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["STANDIN_CALLS"] = str(self.calls)
        env["STANDIN_SMI_CALLS"] = str(self.smi_calls)
        env["STANDIN_GPU_NAME"] = gpu_name
        env["STANDIN_REPORT_GPUS"] = json.dumps(list(report_gpus))
        env["STANDIN_DEVICE"] = str(device)
        env["STANDIN_COMPARED_BASELINE"] = str(self.compared_baseline)
        for key, value in standin.items():
            env[f"STANDIN_{key.upper()}"] = str(value)
        command = [str(self.repo / "scripts" / SCRIPT.name), *arguments]
        return subprocess.run(command, capture_output=True, text=True, env=env,
                              cwd=self.tmp, timeout=TIMEOUT_S, check=False)

    def default_args(self, *extra):
        return ["--binary", str(self.binary), "--out", str(self.out), *extra]

    def recorded_calls(self):
        if not self.calls.exists():
            return []
        return [json.loads(line) for line in self.calls.read_text(encoding="utf-8").splitlines()]

    def comparison(self):
        return (self.out / "comparison.md").read_text(encoding="utf-8")

    def assert_exit(self, result, code):
        self.assertEqual(result.returncode, code,
                         f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")

    def test_without_baseline_passes_and_says_how_to_adopt_one(self):
        # nvidia-smi's GPU 0 is another card: the name and the slug come from the report.
        result = self.run_script(*self.default_args(), gpu_name="Tesla T4")
        self.assert_exit(result, 0)
        calls = self.recorded_calls()
        self.assertEqual(calls, [["--mode", "all", "--json", str(self.out / "current.json"),
                                  "--quiet"]], "the run only; compare needs a baseline")
        self.assertTrue((self.out / "current.json").is_file())
        text = self.comparison()
        self.assertIn("No baseline yet", text)
        self.assertIn("results/baseline/nvidia-h100-80gb-hbm3.json", text)
        self.assertIn('cp current.json "results/baseline/nvidia-h100-80gb-hbm3.json"', text)
        self.assertIn("NVIDIA H100 80GB HBM3", text)
        self.assertIn("adopt this run as the baseline", result.stderr)

    def test_regression_found_by_compare_is_the_exit_code_and_its_markdown_is_kept(self):
        baseline = self.tmp / "base.json"
        baseline.write_text("{}", encoding="utf-8")
        suite = self.tmp / "small.suite"
        suite.write_text("[run]\nmode = streams\n", encoding="utf-8")
        markdown = "# stand-in comparison\n\n| metric | change |\n|---|---|\n| x | +9 % |\n"
        result = self.run_script(*self.default_args("--baseline", str(baseline), "--suite",
                                                    str(suite), "--threshold", "7.5",
                                                    "--metric", "runs.*.slowdown"),
                                 compare_exit=1, compare_text=markdown)
        self.assert_exit(result, 1)
        current = str(self.out / "current.json")
        self.assertEqual(self.recorded_calls(), [
            ["--mode", "all", "--suite", str(suite), "--json", current, "--quiet"],
            ["compare", str(baseline), current, "--threshold", "7.5", "--metric",
             "runs.*.slowdown", "-o", str(self.out / "comparison.md")],
        ])
        self.assertEqual(self.comparison(), markdown)

    def test_no_regression_exits_0(self):
        baseline = self.tmp / "base.json"
        baseline.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args("--baseline", str(baseline)),
                                 compare_exit=0, compare_text="no regression\n")
        self.assert_exit(result, 0)
        self.assertEqual(self.recorded_calls()[1][:4],
                         ["compare", str(baseline), str(self.out / "current.json"),
                          "--threshold"])
        self.assertEqual(self.recorded_calls()[1][4], "5", "default threshold")

    def test_compare_that_writes_nothing_still_leaves_a_note(self):
        baseline = self.tmp / "base.json"
        baseline.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args("--baseline", str(baseline)), compare_exit=2)
        self.assert_exit(result, 2)
        self.assertIn("compare wrote no comparison", self.comparison())
        self.assertIn("exit code 2", self.comparison())

    def test_failed_run_keeps_its_report_and_exit_code(self):
        baseline = self.tmp / "base.json"
        baseline.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args("--baseline", str(baseline)), run_exit=3)
        self.assert_exit(result, 3)
        self.assertEqual(len(self.recorded_calls()), 1, "nothing is compared after a failed run")
        report = json.loads((self.out / "current.json").read_text(encoding="utf-8"))
        self.assertTrue(report["stand_in"])
        self.assertIn("GPU: NVIDIA H100 80GB HBM3", self.comparison(), "named by the report")
        text = self.comparison()
        self.assertIn("exit code 3", text)
        self.assertIn("a tenant failed or timed out", text)
        self.assertIn("current.json", text)
        self.assertIn("stand-in: tenant 1 (gemm) failed", text, "the log's tail is quoted")
        self.assertIn("stand-in: tenant 1 (gemm) failed",
                      (self.out / "run.log").read_text(encoding="utf-8"))

    def test_default_baseline_is_named_after_the_gpu_the_report_measured(self):
        # CUDA device 1 of the run is not nvidia-smi's GPU 0: the report decides.
        slug = "nvidia-a100-sxm4-80gb-mig-1g-10gb"
        baseline = self.repo / "results" / "baseline" / f"{slug}.json"
        baseline.parent.mkdir(parents=True)
        baseline.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args(), gpu_name="Tesla T4",
                                 report_gpus=["NVIDIA L4", "  NVIDIA A100-SXM4-80GB (MIG 1g.10gb) "],
                                 device=1, compare_exit=0, compare_text="ok\n")
        self.assert_exit(result, 0)
        self.assertEqual(self.recorded_calls()[1][1], str(baseline))
        self.assertFalse(self.smi_calls.exists(), "nvidia-smi is not asked when the report names "
                                                  "the GPU")

    def test_nvidia_smi_names_the_gpu_only_when_the_report_has_none(self):
        baseline = self.repo / "results" / "baseline" / "nvidia-h100-80gb-hbm3.json"
        baseline.parent.mkdir(parents=True)
        baseline.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args(), report_gpus=[], compare_exit=0,
                                 compare_text="ok\n")
        self.assert_exit(result, 0)
        self.assertEqual(self.recorded_calls()[1][1], str(baseline))
        smi_args = self.smi_calls.read_text(encoding="utf-8").split()
        self.assertIn("--query-gpu=name", smi_args)
        self.assertIn("--format=csv,noheader", smi_args)
        self.assertEqual(smi_args[smi_args.index("-i") + 1], "0")

    def test_without_gpu_name_a_baseline_must_be_given(self):
        result = self.run_script(*self.default_args(), gpu_name="", report_gpus=[])
        self.assert_exit(result, 2)
        self.assertIn("--baseline", result.stderr)
        self.assertEqual(len(self.recorded_calls()), 1, "the run, and no compare")
        self.assertIn("No baseline could be picked", self.comparison())

    def test_explicit_baseline_needs_no_gpu_name(self):
        baseline = self.tmp / "base.json"
        baseline.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args("--baseline", str(baseline)), gpu_name="",
                                 report_gpus=[], compare_exit=0, compare_text="ok\n")
        self.assert_exit(result, 0)
        self.assertEqual(self.recorded_calls()[1][1], str(baseline))

    # --baseline-ref: the baseline comes from a commit, not from the (pull request's) checkout.

    def git(self, *arguments):
        if shutil.which("git") is None:
            self.skipTest("git is not installed")
        subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                        "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-C",
                        str(self.repo), *arguments],
                       check=True, capture_output=True, text=True, timeout=TIMEOUT_S)

    def commit_baseline(self, relative_path, text):
        """A repository whose main branch holds the baseline, then a working tree (the pull
        request) that has changed it."""
        path = self.repo / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.git("init", "--quiet")
        self.git("add", ".")
        self.git("commit", "--quiet", "-m", "baseline")
        path.write_text('{"edited": "by the pull request"}', encoding="utf-8")
        return path

    def test_baseline_ref_reads_the_committed_baseline_not_the_checkout(self):
        committed = '{"committed": true}'
        self.commit_baseline("results/baseline/nvidia-h100-80gb-hbm3.json", committed)
        result = self.run_script(*self.default_args("--baseline-ref", "main"), compare_exit=0,
                                 compare_text="ok\n")
        self.assert_exit(result, 0)
        copy = self.out / "baseline.json"
        self.assertEqual(self.recorded_calls()[1][1], str(copy))
        self.assertEqual(copy.read_text(encoding="utf-8"), committed)
        self.assertEqual(self.compared_baseline.read_text(encoding="utf-8"), committed)

    def test_baseline_ref_with_explicit_baseline_path(self):
        committed = '{"explicit": true}'
        path = self.commit_baseline("results/custom/base.json", committed)
        path.unlink()  # deleted by the pull request
        for baseline in ("results/custom/base.json", str(path)):
            with self.subTest(baseline=baseline):
                result = self.run_script(*self.default_args("--baseline", baseline,
                                                            "--baseline-ref", "main"),
                                         gpu_name="", report_gpus=[], compare_exit=0,
                                         compare_text="ok\n")
                self.assert_exit(result, 0)
                self.assertEqual(self.compared_baseline.read_text(encoding="utf-8"), committed)

    def test_baseline_missing_in_ref_passes_and_names_the_ref(self):
        # The pull request adds a baseline; the base branch has none, so it is not used.
        self.git("init", "--quiet")
        self.git("commit", "--quiet", "--allow-empty", "-m", "empty")
        added = self.repo / "results" / "baseline" / "nvidia-h100-80gb-hbm3.json"
        added.parent.mkdir(parents=True)
        added.write_text("{}", encoding="utf-8")
        result = self.run_script(*self.default_args("--baseline-ref", "main"))
        self.assert_exit(result, 0)
        self.assertEqual(len(self.recorded_calls()), 1, "nothing compared")
        self.assertFalse((self.out / "baseline.json").exists())
        text = self.comparison()
        self.assertIn("No baseline yet", text)
        self.assertIn("`results/baseline/nvidia-h100-80gb-hbm3.json` does not exist in `main`",
                      text)
        self.assertIn("in main", result.stderr)

    def test_baseline_ref_that_is_no_commit_is_a_usage_error(self):
        self.git("init", "--quiet")
        self.git("commit", "--quiet", "--allow-empty", "-m", "empty")
        result = self.run_script(*self.default_args("--baseline-ref", "origin/no-such-branch"))
        self.assert_exit(result, 2)
        self.assertIn("is not a commit", result.stderr)
        self.assertEqual(self.recorded_calls(), [], "nothing runs")

    def test_stale_files_of_an_earlier_run_are_removed(self):
        self.out.mkdir()
        (self.out / "comparison.md").write_text("stale\n", encoding="utf-8")
        result = self.run_script(*self.default_args())
        self.assert_exit(result, 0)
        self.assertNotIn("stale", self.comparison())

    def test_usage_errors_exit_2(self):
        for arguments, message in [
            (["--threshold", "five"], "not a percentage"),
            (["--frobnicate"], "unknown argument"),
            (["--out"], "needs a value"),
            (["--suite", str(self.tmp / "missing.suite")], "no such file"),
            (["--binary", str(self.tmp / "missing-binary"), "--out", str(self.out)],
             "not an executable"),
        ]:
            with self.subTest(arguments=arguments):
                full = arguments if "--binary" in arguments else self.default_args(*arguments)
                result = self.run_script(*full)
                self.assert_exit(result, 2)
                self.assertIn(message, result.stderr)
        self.assertEqual(self.recorded_calls(), [])

    def test_help_documents_the_exit_codes(self):
        result = self.run_script("--help")
        self.assert_exit(result, 0)
        for text in ("--baseline FILE", "--baseline-ref REF", "--threshold PCT", "Exit codes:",
                     "130"):
            self.assertIn(text, result.stdout)

    def test_script_is_clean_bash(self):
        syntax = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True,
                                timeout=TIMEOUT_S, check=False)
        self.assertEqual(syntax.returncode, 0, syntax.stderr)
        shellcheck = shutil.which("shellcheck")
        if shellcheck is None:
            self.skipTest("shellcheck is not installed")
        lint = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
