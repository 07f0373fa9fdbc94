"""plan_fixes reads each rule's autofix block; it never applies a suggestion."""

from __future__ import annotations

from compliance.fix.plan import plan_fixes
from compliance.report import Finding, Severity
from compliance.rule_model import Autofix, CheckSpec, Docs, Rule


def _rule(rule_id: str, fix: Autofix | None) -> Rule:
    return Rule(
        id=rule_id, pack=rule_id.split("/")[0], title="t", category="naming",
        severity=Severity.ERROR, applies_to=None, clause=None, check=CheckSpec("informational"),
        message="m", fix="Rename it.", docs=Docs("w", "y"), path="p", autofix=fix,
    )  # fmt: skip


def _finding(rule_id: str, *, ancestor: str | None = None, waived: bool = False) -> Finding:
    return Finding(
        rule_id, "naming", Severity.ERROR, "m", fix="Rename it.", ancestor=ancestor, waived=waived
    )


RULES = {
    "a/notice": _rule("a/notice", Autofix(notice="A is licensed.")),
    "a/card": _rule("a/card", Autofix(card="Built with A")),
    "a/id": _rule("a/id", Autofix(metadata={"license": "a"})),
    "b/id": _rule("b/id", Autofix(metadata={"license": "b"})),
    "a/name": _rule("a/name", Autofix(suggest=True)),
    "a/text": _rule("a/text", Autofix(license_file=True)),
    "core/base": _rule("core/base", Autofix(base_model=True)),
    "a/manual": _rule("a/manual", None),
}


def test_each_kind_of_fix() -> None:
    findings = [_finding(r) for r in ("a/notice", "a/card", "a/id", "a/name", "a/text", "a/manual")]
    plan = plan_fixes(findings, RULES, {"license": "mit"})
    assert plan.notice == ["A is licensed."]
    assert plan.card == ["Built with A"]
    assert plan.metadata == {"license": "a"}
    assert plan.license_for == ["a"]
    assert plan.suggestions == ["a/name: Rename it."]
    assert "a/manual" not in plan.rules and "a/name" not in plan.rules


def test_waived_findings_are_left_alone() -> None:
    assert plan_fixes([_finding("a/card", waived=True)], RULES, {}).empty


def test_conflicting_values_are_not_fixed() -> None:
    plan = plan_fixes([_finding("a/id"), _finding("b/id")], RULES, {})
    assert "license" not in plan.metadata
    assert plan.not_fixed and "different values" in plan.not_fixed[0]


def test_value_already_set_is_not_rewritten() -> None:
    assert plan_fixes([_finding("a/id")], RULES, {"license": "a"}).metadata == {}


def test_undeclared_base_added_as_written_with_relation() -> None:
    plan = plan_fixes(
        [_finding("core/base", ancestor="org/base")], RULES, {"base_model": "org/other"},
        relation="merge", written_as={"org/base": "Org/Base"},
    )  # fmt: skip
    assert plan.metadata == {
        "base_model": ["org/other", "Org/Base"],
        "base_model_relation": "merge",
    }
