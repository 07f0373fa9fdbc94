"""An ancestor whose licence is unknown fails the default gate unless waived with a reason."""

from __future__ import annotations

from pathlib import Path

from compliance import pipeline
from compliance.commands.audit import exit_code
from compliance.report import Report, Severity

CASES = Path(__file__).resolve().parent / "core"


def _audit(case: str) -> Report:
    return pipeline.run_audit(
        pipeline.AuditOptions(target=str(CASES / case), name="acme/Acme-Chat-7B", resolve="catalog")
    )


def test_unknown_ancestor_is_an_error_and_fails_the_default_gate() -> None:
    report = _audit("fail-unresolved-ancestor")
    found = [f for f in report.findings if f.rule_id == "core/unresolved-ancestor"]
    assert [f.severity for f in found] == [Severity.ERROR]
    assert found[0].category == "unverifiable"
    assert exit_code(report, "error") == 1


def test_a_waiver_with_a_reason_lets_a_hand_checked_ancestor_pass() -> None:
    report = _audit("waived-unresolved-ancestor")
    found = [f for f in report.findings if f.rule_id == "core/unresolved-ancestor"]
    assert found and all(f.waived for f in found)
    assert "checked by hand" in (found[0].waiver_reason or "")
    assert exit_code(report, "error") == 0
