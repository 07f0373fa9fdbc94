"""Golden files: the full output of both reporters on the fixed report in conftest.py.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/reporters`,
then review the diff like any other code change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compliance import __version__
from compliance.report import Report
from compliance.reporters import REPORTERS, get

EXPECTED = Path(__file__).parent / "expected"


def _normalised(text: str) -> str:
    # The tool version is printed in both formats; a release must not break goldens.
    return text.replace(__version__, "VERSION")


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("json", "json")])
def test_output_matches_golden_file(report: Report, fmt: str, suffix: str) -> None:
    actual = _normalised(get(fmt)(report))
    golden = EXPECTED / f"sample.{suffix}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


def test_output_does_not_depend_on_input_order(report: Report) -> None:
    shuffled = build_shuffled(report)
    for fmt in REPORTERS:
        assert get(fmt)(shuffled) == get(fmt)(report)


def build_shuffled(report: Report) -> Report:
    from dataclasses import replace

    return replace(
        report,
        findings=list(reversed(report.findings)),
        obligations=list(reversed(report.obligations)),
        rule_packs=list(reversed(report.rule_packs)),
    )
