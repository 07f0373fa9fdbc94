"""Severities that depend on what the audited model is (distilled, quantized, an adapter…).

Each row audits a fixture case under tests/rules/ offline and checks the severity of one
rule's finding: the clause-by-clause review set these (rules/README.md, severity_by_relation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance import pipeline
from compliance.report import Severity

CASES = Path(__file__).resolve().parent

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
ROWS = [
    # distilled Llama 3.1+: the display duty follows distribution of the Materials
    ("llama3.1/distilled-no-built-with", "llama3.1/built-with", W),
    ("llama3.1/fail-built-with", "llama3.1/built-with", E),
    # Llama 3: the outputs ban weighs at least as much as its built-with
    ("llama3/distilled-no-built-with", "llama3/outputs-ban", E),
    ("llama3/distilled-no-built-with", "llama3/built-with", W),
    ("qwen/quantized-no-built-with", "qwen/built-with", W),
    ("qwen/fail-built-with", "qwen/built-with", E),
    # MRL/MNPL §2.3: an own fine-tune may carry its own notice; a re-upload must ship the text
    ("mrl/finetune-no-license-file", "mrl/license-file", W),
    ("mrl/fail-license-file", "mrl/license-file", E),
    ("mnpl/finetune-no-license-file", "mnpl/license-file", W),
    ("mnpl/fail-license-file", "mnpl/license-file", E),
    # the Llama AUP link is recommended, not an unmet licence term
    ("llama3.1/fail-use-policy", "llama3.1/use-policy", INFO),
    ("llama3/fail-use-policy", "llama3/use-policy", INFO),
    # an adapter that contains no copy of the Materials
    ("llama3.1/adapter-no-notice", "llama3.1/notice-file", W),
    ("llama3.1/fail-notice-file", "llama3.1/notice-file", E),
    ("qwen/adapter-no-notice", "qwen/notice-file", W),
    ("tongyi-qianwen/adapter-no-notice", "tongyi-qianwen/notice-file", W),
    ("mit/adapter-no-license-notice", "mit/license-notice", W),
    ("mit/fail-license-notice", "mit/license-notice", E),
    # non-commercial / research limits are shown, never met
    ("mrl/compliant", "mrl/commercial-entity", W),
    ("mnpl/compliant", "mnpl/commercial-activity", W),
    ("cc-by-nc-4.0/compliant", "cc-by-nc-4.0/nc-use", W),
    # Apache-2.0 §4(d): a NOTICE is owed only if the base ships one; unknown is info
    ("apache-2.0/fail-notice-from-base", "apache-2.0/notice-carry-over", W),
    ("apache-2.0/fail-notice-carry-over", "apache-2.0/notice-carry-over", INFO),
]


def _catalog_with(extra: list[dict[str, Any]]) -> Any:
    """The shipped catalog plus a case's own `catalog:` entries."""
    from compliance.lineage.catalog import Catalog

    rules = CASES.parent.parent / "rules"
    data = yaml.safe_load((rules / "catalog.yaml").read_text(encoding="utf-8"))
    data["families"] = [*data["families"], {"family": "fixture", "models": extra}]
    return Catalog.from_data(data, "catalog.yaml + fixture entries")


def _audit(case: str, monkeypatch: pytest.MonkeyPatch | None = None) -> Any:
    path = CASES / case
    expected = yaml.safe_load((path / "expected.yaml").read_text(encoding="utf-8"))
    if expected.get("catalog"):
        assert monkeypatch is not None
        catalog = _catalog_with(expected["catalog"])
        monkeypatch.setattr(pipeline, "_load_catalog", lambda: catalog)
    return pipeline.run_audit(
        pipeline.AuditOptions(target=str(path), name=expected.get("name"), resolve="catalog")
    )


@pytest.mark.parametrize(("case", "rule", "severity"), ROWS, ids=[f"{c}:{r}" for c, r, _ in ROWS])
def test_severity(
    case: str, rule: str, severity: Severity, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = [f for f in _audit(case, monkeypatch).findings if f.rule_id == rule]
    assert found, f"{rule} did not fire on {case}"
    assert {f.severity for f in found} == {severity}


def test_not_checkable_limits_are_never_met() -> None:
    report = _audit("mrl/compliant")
    states = {o.rule_id: o.state.value for o in report.obligations}
    assert states["mrl/commercial-entity"] != "met"
    assert states["mrl/non-commercial"] == "met"
