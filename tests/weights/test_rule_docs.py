"""`modelcheck explain` knows every `weights/*` rule id the audit emits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import compliance.weights.audit as audit_mod
from compliance.cli import main


def _emitted() -> set[str]:
    text = Path(audit_mod.__file__).read_text(encoding="utf-8")
    return set(re.findall(r'rule_id="(weights/[a-z-]+)"', text))


def test_the_audit_emits_weights_rule_ids() -> None:
    assert _emitted() >= {"weights/undeclared-base-model", "weights/undisclosed-upcycling"}


@pytest.mark.parametrize("rule_id", sorted(_emitted()))
def test_explain_knows_each_weights_rule(rule_id: str, capsys) -> None:
    assert main(["explain", rule_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {rule_id}: ")
    assert "## Fix" in out and "None recorded" not in out.split("## Fix")[1]


def test_unknown_weights_rule_is_still_an_error(capsys) -> None:
    assert main(["explain", "weights/no-such-rule"]) == 2
