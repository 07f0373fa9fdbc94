"""`modelcheck rules list|validate` and `modelcheck explain` on the shipped packs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance import cli
from compliance.resources import data_dir


def test_rules_list_shows_every_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "| `llama3.1/built-with` | error | missing-attribution |" in out
    assert out.rstrip().endswith("`modelcheck explain RULE_ID` for details.")


def test_rules_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in rows]
    assert "core/undeclared-base-model" in ids and len(ids) == len(set(ids))


def test_rules_validate_accepts_the_shipped_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "validate", str(data_dir("rules"))]) == 0
    assert "rule packs valid" in capsys.readouterr().out


def test_rules_validate_reports_each_problem_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "acme"
    pack.mkdir()
    (pack / "pack.yaml").write_text("schema: 1\nid: acme\nkind: policy\ntitle: ACME\n", "utf-8")
    (pack / "no-gpl.yaml").write_text("id: acme/no-gpl\ntitle: x\nseverity: fatal\n", "utf-8")
    assert cli.main(["rules", "validate", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) >= 2 and all(line.startswith("modelcheck: error: ") for line in lines)
    assert any("no-gpl.yaml" in line and "severity" in line for line in lines)


def test_explain_prints_the_rule_docs_like_ruff_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "llama3.1/built-with"]) == 0
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## What it does", "## Why it matters", "## The clause"]
    assert "## Fix" in headings
    assert "Llama 3.1 Community License Agreement §1.b.i (verified against llama3.1.txt)" in out
    assert "> prominently display “Built with Llama”" in out


def test_explain_flags_unverified_wording(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "qwen/built-with", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["clause"]["verified"] is False
    assert cli.main(["explain", "qwen/built-with"]) == 0
    assert "wording unverified" in capsys.readouterr().out


def test_explain_unknown_rule_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "nope/nothing"]) == 2
    assert capsys.readouterr().err == (
        "modelcheck: error: nope/nothing: no such rule (see 'modelcheck rules list')\n"
    )
