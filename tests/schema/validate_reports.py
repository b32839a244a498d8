#!/usr/bin/env python3
"""Validates JSON reports against report/schema/report.schema.json.

Checks, in order:
  1. the schema itself is a valid draft 2020-12 schema;
  2. the full synthetic report written by the unit tests (JsonWriterSchema.*) validates;
  3. the real tool, with every GPU hidden (CUDA_VISIBLE_DEVICES=""), exits with code 2 and
     still writes a report that validates, says cuda_available is false and lists an error;
  4. negative checks: copies of the sample with schema_version removed, with a tenant id that
     is a string, with a spin_trace segment cut to [start, end], with a timeslice_probe
     without its note, with a memory_hold whose bytes_held is a string, and with an isolation
     cell whose verdict, a claim whose holds, or a cell tenant whose role is not one of the
     schema's words, must fail validation (the schema is not vacuous).

Every check runs even when an earlier one failed; the exit status is 1 if any failed.
"""

import argparse
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

COMMAND_TIMEOUT_S = 60


class CheckFailed(Exception):
    """One check did not pass; the message says what and where."""


def load_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise CheckFailed(f"{path}: file was not written")
    except json.JSONDecodeError as error:
        raise CheckFailed(f"{path}: not valid JSON: {error}")


def describe_errors(validator, document, limit=20):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    lines = [f"  at {error.json_path}: {error.message}" for error in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more")
    return errors, lines


def validate(validator, document, label):
    errors, lines = describe_errors(validator, document)
    if errors:
        raise CheckFailed(f"{label} does not match the schema:\n" + "\n".join(lines))


def run_command(command, env, label):
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise CheckFailed(f"{label}: {command[0]} not found")
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{label}: no exit within {COMMAND_TIMEOUT_S} s: {' '.join(command)}")


def output_tail(result, lines=15):
    text = (result.stdout or "") + (result.stderr or "")
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def check_schema(schema_path):
    schema = load_json(schema_path)
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # SchemaError carries the reason in its message
        raise CheckFailed(f"{schema_path}: not a valid draft 2020-12 schema: {error}")
    return schema


def check_sample(validator, unit_tests, work_dir):
    sample = work_dir / "sample-report.json"
    if sample.exists():
        sample.unlink()
    env = dict(os.environ, GPUSHARE_SCHEMA_SAMPLE_DIR=str(work_dir))
    result = run_command([str(unit_tests), "--gtest_filter=JsonWriterSchema.*"], env,
                         "sample writer")
    if result.returncode != 0:
        raise CheckFailed(f"{unit_tests} --gtest_filter=JsonWriterSchema.* exited with "
                          f"{result.returncode}:\n{output_tail(result)}")
    if "[  PASSED  ] 1 test" not in result.stdout:
        raise CheckFailed("the unit-test binary ran no JsonWriterSchema test:\n"
                          + output_tail(result))
    document = load_json(sample)
    validate(validator, document, str(sample))
    return sample, document


def check_no_device(validator, binary, work_dir, arguments, name):
    report = work_dir / f"{name}.json"
    if report.exists():
        report.unlink()
    # An empty CUDA_VISIBLE_DEVICES hides every GPU, so the no-device path runs here even on a
    # machine that has one.
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    command = [str(binary), *arguments, "--json", str(report)]
    result = run_command(command, env, "no-device run")
    if result.returncode != 2:
        raise CheckFailed(f"{' '.join(command)} with CUDA_VISIBLE_DEVICES=\"\" exited with "
                          f"{result.returncode}, expected 2 (environment error):\n"
                          f"{output_tail(result)}")
    document = load_json(report)
    validate(validator, document, str(report))
    problems = []
    if document.get("environment", {}).get("cuda_available") is not False:
        problems.append("environment.cuda_available is not false")
    if not document.get("errors"):
        problems.append("errors[] is empty")
    if problems:
        raise CheckFailed(f"{report}: " + "; ".join(problems))
    return report, document


def check_tenant_run(validator, binary, work_dir, arguments, name, expected_exit, env=None):
    report = work_dir / f"{name}.json"
    if report.exists():
        report.unlink()
    command = [str(binary), *arguments, "--quiet", "--json", str(report)]
    result = run_command(command, {**os.environ, **(env or {})}, name)
    if result.returncode != expected_exit:
        raise CheckFailed(f"{' '.join(command)} exited with {result.returncode}, expected "
                          f"{expected_exit}:\n{output_tail(result)}")
    document = load_json(report)
    validate(validator, document, str(report))
    tenants = document["runs"][0]["tenants"]
    return f"{report} validates ({len(tenants)} tenants, exit {expected_exit})"


def check_negative(validator, sample_document, label, mutate):
    broken = copy.deepcopy(sample_document)
    mutate(broken)
    errors, _ = describe_errors(validator, broken)
    if not errors:
        raise CheckFailed(f"negative check '{label}': the schema accepted a broken report")
    return errors[0]


def remove_schema_version(document):
    del document["schema_version"]


def tenant_id_as_string(document):
    runs = document.get("runs") or []
    if not runs or not runs[0].get("tenants"):
        raise CheckFailed("the sample report has no runs[0].tenants[0] to break")
    runs[0]["tenants"][0]["id"] = str(runs[0]["tenants"][0]["id"])


def first_spin_trace(document):
    for run in document.get("runs") or []:
        for tenant in run.get("tenants") or []:
            trace = (tenant.get("shared") or {}).get("spin_trace")
            if trace and trace.get("segments"):
                return trace
    raise CheckFailed("the sample report has no shared spin_trace with segments to break")


def segment_without_flags(document):
    trace = first_spin_trace(document)
    trace["segments"][0] = trace["segments"][0][:2]


def probe_without_note(document):
    for run in document.get("runs") or []:
        if "timeslice_probe" in run:
            del run["timeslice_probe"]["note"]
            return
    raise CheckFailed("the sample report has no timeslice_probe to break")


def memory_hold_held_as_text(document):
    for run in document.get("runs") or []:
        for tenant in run.get("tenants") or []:
            hold = (tenant.get("shared") or {}).get("memory_hold")
            if hold:
                hold["bytes_held"] = str(hold["bytes_held"])
                return
    raise CheckFailed("the sample report has no shared memory_hold to break")


def first_isolation(document):
    for run in document.get("runs") or []:
        isolation = run.get("isolation")
        if isolation and isolation.get("cells") and isolation.get("claims"):
            return isolation
    raise CheckFailed("the sample report has no isolation run with cells and claims to break")


def verdict_outside_enum(document):
    first_isolation(document)["cells"][0]["verdict"] = "mostly"


def holds_outside_enum(document):
    first_isolation(document)["claims"][0]["holds"] = "probably"


def role_outside_enum(document):
    for cell in first_isolation(document)["cells"]:
        if cell.get("tenants"):
            cell["tenants"][0]["role"] = "bystander"
            return
    raise CheckFailed("the sample report has no isolation cell with tenants to break")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, type=Path, help="gpushare-bench")
    parser.add_argument("--unit-tests", required=True, type=Path, help="gpushare_unit_tests")
    parser.add_argument("--schema", required=True, type=Path, help="report.schema.json")
    parser.add_argument("--work-dir", required=True, type=Path, help="scratch directory")
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)

    failures = []

    def attempt(name, action):
        try:
            message = action()
            print(f"PASS {name}: {message}")
        except CheckFailed as failure:
            failures.append(name)
            print(f"FAIL {name}: {failure}")

    try:
        schema = check_schema(args.schema)
    except CheckFailed as failure:
        print(f"FAIL schema: {failure}")
        return 1
    print(f"PASS schema: {args.schema} is a valid draft 2020-12 schema")
    validator = Draft202012Validator(schema)

    sample_holder = {}

    def sample_check():
        path, document = check_sample(validator, args.unit_tests, args.work_dir)
        sample_holder["document"] = document
        runs = ", ".join(f"{run['mode']} ({run['status']})" for run in document["runs"])
        return f"{path} validates (schema_version {document['schema_version']}; runs: {runs})"

    def no_device_check(arguments, name):
        def action():
            path, document = check_no_device(validator, args.binary, args.work_dir, arguments,
                                             name)
            first = document["errors"][0]
            return (f"{path} validates; exit 2, cuda_available false, "
                    f"error [{first.get('where')}] {first.get('message')}")
        return action

    def negative(label, mutate):
        def action():
            if "document" not in sample_holder:
                raise CheckFailed("skipped: needs the sample report, which failed above")
            error = check_negative(validator, sample_holder["document"], label, mutate)
            return f"rejected as expected (at {error.json_path}: {error.message})"
        return action

    attempt("sample report", sample_check)
    attempt("no-device report (--mode streams)",
            no_device_check(["--mode", "streams"], "no-device-streams"))
    attempt("no-device report (probe)", no_device_check(["probe"], "no-device-probe"))
    host_tenants = ["--duration", "0.02", "--repetitions", "2"]
    attempt("timeslice report (host-sleep tenants)",
            lambda: check_tenant_run(validator, args.binary, args.work_dir,
                                     ["--mode", "timeslice", "--workload", "host-sleep:us=200",
                                      "--tenants", "8", *host_tenants],
                                     "timeslice-host", 0))
    attempt("mps report (host-sleep tenants, real daemon)",
            lambda: check_tenant_run(validator, args.binary, args.work_dir,
                                     ["--mode", "mps", "--workload", "host-sleep:us=200",
                                      "--tenants", "8", *host_tenants],
                                     "mps-host", 0))
    # --mode mig against the nvidia-smi stand-in, which plays back outputs recorded on an A100.
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    standin = ["--nvidia-smi", str(fixtures / "nvidia-smi-standin")]
    state = args.work_dir / "mig-standin-state.json"
    if state.exists():
        state.unlink()
    mig_env = {"GPUSHARE_SMI_FIXTURES": str(fixtures / "nvidia-smi"),
               "GPUSHARE_SMI_STATE": str(state)}
    attempt("mig report (existing instances, nvidia-smi stand-in)",
            lambda: check_tenant_run(validator, args.binary, args.work_dir,
                                     ["--mode", "mig", *standin, "--workload",
                                      "host-sleep:us=200", *host_tenants],
                                     "mig-existing-host", 0, mig_env))
    attempt("mig report (applied geometry, nvidia-smi stand-in)",
            lambda: check_tenant_run(validator, args.binary, args.work_dir,
                                     ["--mode", "mig", *standin, "--mig-geometry",
                                      "3g.20gb,3g.20gb", "--mig-apply", "--workload",
                                      "host-sleep:us=200", *host_tenants],
                                     "mig-applied-host", 0, mig_env))
    attempt("report with a crashed tenant",
            lambda: check_tenant_run(validator, args.binary, args.work_dir,
                                     ["--mode", "timeslice", "--workload", "host-sleep:us=200",
                                      "--workload", "host-crash:after=2", *host_tenants],
                                     "crash-host", 3))
    attempt("negative: schema_version removed",
            negative("schema_version removed", remove_schema_version))
    attempt("negative: runs[0].tenants[0].id is a string",
            negative("tenant id is a string", tenant_id_as_string))
    attempt("negative: a spin_trace segment without its gap flags",
            negative("spin_trace segment without flags", segment_without_flags))
    attempt("negative: a timeslice_probe without its note",
            negative("timeslice_probe without note", probe_without_note))
    attempt("negative: a memory_hold whose bytes_held is a string",
            negative("memory_hold bytes_held as a string", memory_hold_held_as_text))
    attempt("negative: an isolation cell whose verdict is not isolated/partial/none/untested",
            negative("isolation verdict outside the enum", verdict_outside_enum))
    attempt("negative: a claim whose holds is not yes/no/untested",
            negative("claim holds outside the enum", holds_outside_enum))
    attempt("negative: a cell tenant whose role is not victim/aggressor/probe",
            negative("tenant role outside the enum", role_outside_enum))

    if failures:
        print(f"schema validation failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print("all report checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
