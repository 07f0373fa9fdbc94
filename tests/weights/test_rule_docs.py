"""`modelcheck explain` knows every `weights/*` rule id the code can emit, and documents
none that it cannot. The ids are found in the package's source (every string literal of
the form `weights/<id>`), not listed by hand."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import compliance
from compliance.cli import main
from compliance.weights import rule_docs

PACKAGE = Path(compliance.__file__).parent
RULE_ID = re.compile(r"^weights/[a-z][a-z0-9-]*$")


def _literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and RULE_ID.match(node.value)
    }


def emitted() -> set[str]:
    """Every `weights/<id>` literal in the package outside the documentation itself."""
    docs = Path(rule_docs.__file__).resolve()
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.resolve() != docs:
            found |= _literals(path)
    return found


def test_the_scan_finds_the_ids_the_audit_builds_findings_with() -> None:
    # the scan must see the ids where findings are built, or it proves nothing
    audit_py = PACKAGE / "weights" / "audit.py"
    tree = ast.parse(audit_py.read_text(encoding="utf-8"))
    in_findings = {
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding"
        for kw in node.keywords
        if kw.arg == "rule_id" and isinstance(kw.value, ast.Constant)
    }
    assert len(in_findings) >= 2 and in_findings <= emitted()


def test_every_documented_id_is_one_the_code_emits() -> None:
    assert set(rule_docs.RULES) == emitted()


@pytest.mark.parametrize("rule_id", sorted(emitted()))
def test_explain_knows_each_weights_rule(rule_id: str, capsys) -> None:
    assert main(["explain", rule_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {rule_id}: ")
    for section in ("## What it does", "## Why it matters", "## Message", "## Fix"):
        body = out.split(section, 1)[1].split("\n## ", 1)[0]
        assert body.strip() and "None recorded" not in body, section
    assert main(["explain", rule_id, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == rule_id and data["pack"]["id"] == "weights"
    # the category is the one the finding carries (one vocabulary)
    assert data["category"] == rule_id.split("/", 1)[1]


def test_unknown_weights_rule_is_still_an_error(capsys) -> None:
    assert main(["explain", "weights/no-such-rule"]) == 2
    assert "no such rule" in capsys.readouterr().err


def test_rules_list_names_every_weights_rule(capsys) -> None:
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    for rule_id in emitted():
        assert f"| `{rule_id}` | warning |" in out
    assert main(["rules", "list", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert all(rows[rule_id]["pack"] == "weights" for rule_id in emitted())
