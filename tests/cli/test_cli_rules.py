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


EXPLAIN_SECTIONS = [
    "## What it does",
    "## Why it matters",
    "## The clause",
    "## Example",
    "## Known problems",
    "## Message",
    "## Fix",
]


def test_explain_shows_every_section_for_every_shipped_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """README: explain prints what, why, the clause, an example, known problems, the fix.
    Ten core rules had no known problems, and core rules printed no clause section."""
    from compliance import packs

    for rule in (r for p in packs.load_all() for r in p.rules):
        assert cli.main(["explain", rule.id]) == 0
        out = capsys.readouterr().out
        headings = [line for line in out.splitlines() if line.startswith("## ")]
        assert headings[: len(EXPLAIN_SECTIONS)] == EXPLAIN_SECTIONS, rule.id
        assert "None recorded." not in out, rule.id


def _one_rule_pack(root: Path, title: str, docs: str = "") -> None:
    pack = root / "acme"
    pack.mkdir()
    (pack / "pack.yaml").write_text("schema: 1\nid: acme\nkind: policy\ntitle: ACME\n", "utf-8")
    (pack / "bare.yaml").write_text(
        f"id: acme/bare\ntitle: {json.dumps(title)}\ncategory: naming\nseverity: info\n"
        "check: {kind: informational}\nmessage: m\n"
        f"docs: {{what: w, why: y{docs}}}\n",
        "utf-8",
    )


def test_explain_says_when_a_section_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_rule_pack(tmp_path, "Bare")
    assert cli.main(["explain", "acme/bare", "--rules", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("## ")] == EXPLAIN_SECTIONS
    assert out.count("None recorded.") == 3  # example, known problems, fix
    assert "None: this rule is not a licence obligation." in out


def test_explain_drops_invisible_characters_like_the_markdown_reporter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # zero-width space, left-to-right mark, BOM: the old filter let these through
    _one_rule_pack(tmp_path, "Ba\u200bre\u200e\ufeff\u202e")
    assert cli.main(["explain", "acme/bare", "--rules", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "# acme/bare: Bare"
