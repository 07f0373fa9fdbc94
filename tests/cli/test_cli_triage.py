"""`audit --select/--ignore/--baseline/--write-baseline` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import EXAMPLES

from compliance import cli

EXAMPLE = str(EXAMPLES / "llama31-finetune-apache")


def test_write_then_use_a_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "baseline.json"
    assert cli.main(["audit", EXAMPLE, "-f", "terminal", "--write-baseline", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"wrote 7 finding(s) to the baseline {path}" in err
    assert cli.main(["audit", EXAMPLE, "-f", "terminal", "--baseline", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 errors, 0 warnings, 0 info; 7 waived" in out
    assert "waived: baseline (" in out


def test_select_and_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["audit", EXAMPLE, "-f", "terminal", "--select", "llama3.1", "--ignore",
            "naming,missing-license-file,license-incompatible,missing-attribution,"
            "missing-notice"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    # llama3.1 rules only, five categories left out: the two info findings remain
    assert out.startswith(".: llama3.1/mau-threshold info")
    assert "README.md: llama3.1/use-policy info" in out
    assert "0 errors, 0 warnings, 2 info" in out
    assert cli.main([*argv[:3], "json", *argv[4:]]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "5 finding(s) not shown (--select llama3.1 --ignore naming " in report["notes"][-1]


def test_a_misspelt_rule_is_exit_2_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["audit", EXAMPLE, "--ignore", "llama3.1/built-wth"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("did you mean `llama3.1/built-with`? (see `modelcheck rules list`)")
    assert len(err.splitlines()) == 1
