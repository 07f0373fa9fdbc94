"""Audit a tiny repo written into tmp_path and return the report (offline, catalog only)."""

from __future__ import annotations

from pathlib import Path

from compliance.pipeline import AuditOptions, run_audit
from compliance.report import Report


def audit_files(root: Path, files: dict[str, str]) -> Report:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return run_audit(AuditOptions(target=str(root), resolve="catalog"))


def categories(report: Report) -> set[str]:
    return {f.category for f in report.findings}


def card(meta: str, body: str = "") -> str:
    return f"---\n{meta.strip()}\n---\n{body}"
