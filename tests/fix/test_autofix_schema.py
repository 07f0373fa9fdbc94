"""The `autofix:` block of a rule file: validated, and a written sentence must pass the check."""

from __future__ import annotations

from typing import Any

from compliance import packs as packs_mod
from compliance.packs.schema import rule_problems

PACK = {"id": "p", "kind": "policy"}


def _rule(autofix: Any) -> dict[str, Any]:
    return {
        "id": "p/r",
        "title": "t",
        "category": "missing-notice",
        "severity": "error",
        "check": {"kind": "file-contains", "options": {"kind": "notice", "any": ["X is licensed"]}},
        "message": "m",
        "docs": {"what": "w", "why": "y"},
        "autofix": autofix,
    }


def test_a_notice_that_satisfies_the_check_is_accepted() -> None:
    assert rule_problems(_rule({"notice": "X is licensed under X."}), PACK, "r") == []


def test_a_notice_the_check_would_not_accept_is_rejected() -> None:
    problems = rule_problems(_rule({"notice": "Something else."}), PACK, "r")
    assert problems == ["'autofix.notice' must contain one of the check's 'any' phrases"]


def test_unknown_keys_and_types_are_rejected() -> None:
    assert any(
        "unknown key 'autofix.rename'" in p for p in rule_problems(_rule({"rename": 1}), PACK, "r")
    )
    assert rule_problems(_rule({"metadata": {"license": 3}}), PACK, "r") == [
        "'autofix.metadata.license' must be a string"
    ]


def test_built_in_packs_carry_autofix_where_a_fix_is_mechanical() -> None:
    rules = {r.id: r for p in packs_mod.load_all() for r in p.rules}
    assert rules["llama3.1/notice-file"].autofix.notice.startswith("Llama 3.1 is licensed")  # type: ignore[union-attr]
    assert rules["qwen/built-with"].autofix.card == "Built with Qwen"  # type: ignore[union-attr]
    assert rules["qwen/license-id"].autofix.metadata["license_name"] == "qwen"  # type: ignore[union-attr]
    assert rules["llama3.1/name-prefix"].autofix.suggest  # type: ignore[union-attr]
    assert rules["llama3.1/license-file"].autofix.license_file  # type: ignore[union-attr]
    assert rules["llama3.1/mau-threshold"].autofix is None
