"""Audits of the shipped examples, run once per test session for the SBOM tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from compliance.report import Report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


@cache
def audited(example: str) -> Report:
    from compliance.pipeline import AuditOptions, run_audit

    return run_audit(AuditOptions(target=str(EXAMPLES / example)))
