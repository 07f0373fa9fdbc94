"""Run a scan in-process against the family hub (shared by the scan tests)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from compliance.scan.executors import Executor, LocalExecutor
from compliance.scan.result import Task
from compliance.scan.run import ScanSummary, run_scan
from compliance.scan.store import Store
from compliance.scan.worker import ScanSettings

DIGEST = "test-rules"


def settings_for(url: str) -> ScanSettings:
    return ScanSettings(endpoint=url, rate=0, retries=3, backoff=0.01, anonymous=True)


def scan(
    url: str,
    ids: list[str],
    store: Path,
    *,
    executor: Executor | None = None,
    digest: str = DIGEST,
) -> ScanSummary:
    with Store(store) as st:
        return run_scan(
            [Task(i) for i in ids],
            store=st,
            executor=executor or LocalExecutor(4),
            settings=settings_for(url),
            digest=digest,
        )


def rows(store: Path) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(results, findings) without what legitimately differs between two runs of the
    same scan (order, timestamps, request counts)."""
    db = sqlite3.connect(store)
    try:
        results = set(
            db.execute(
                "SELECT repo_id, commit_sha, tool_version, rules_digest, status, reason, "
                "compliant, declared_license, inherited_licenses, relation, errors, warnings "
                "FROM results"
            )
        )
        findings = set(db.execute("SELECT * FROM findings"))
    finally:
        db.close()
    return results, findings
