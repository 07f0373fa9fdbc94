"""README.md stays true: its sample report is real output, its hook snippet names
the real hook, and its commands are the ones .ci/run and the examples use."""

from __future__ import annotations

import re

import pytest
import yaml
from cli_support import REPO_ROOT

from compliance import cli

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_sample_report_lines_appear_in_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    block = re.search(r"````markdown\n(.*?)\n````", README, re.S)
    assert block is not None
    assert cli.main(["audit", "examples/llama31-finetune-apache"]) == 1
    real = set(capsys.readouterr().out.splitlines())
    sample = [line for line in block.group(1).splitlines() if line and line != "…"]
    assert len(sample) > 20
    assert [line for line in sample if line not in real] == []


def test_pre_commit_snippet_uses_the_real_hook_id() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["modelcheck"]
    assert "- id: modelcheck" in README


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert test_command in README
    assert "pip\" install --quiet -e '.[test]'" in ci
    assert ci.rstrip().endswith('"$VENV/bin/pytest"')
    assert "examples/llama31-finetune-apache" in README
