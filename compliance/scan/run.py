"""The scan driver: targets -> executor -> store, one result at a time.

Only the driver writes the store, one transaction per result, so a SIGKILL loses at
most the repos in flight. A repo whose commit the store already holds for this tool
version and these rules is not audited again (with a listing that carries the commit,
it costs no request at all).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from compliance import __version__
from compliance.scan.executors import Executor
from compliance.scan.listing import Listed
from compliance.scan.progress import Progress
from compliance.scan.result import AUDITED, FAILED, GATED, NOT_FOUND, RepoResult, Task
from compliance.scan.store import Store
from compliance.scan.worker import ScanSettings


@dataclass
class ScanSummary:
    seen: int = 0
    audited: int = 0  # audited in this run (new or changed)
    unchanged: int = 0  # already in the store at the same commit, tool version and rules
    gated: int = 0
    not_found: int = 0
    failed: int = 0
    skipped_since: int = 0
    requests: int = 0  # by the workers, for the repos (ancestors and listing not included)
    bytes: int = 0
    seconds: float = 0.0
    audited_ids: list[str] = field(default_factory=list)

    def add(self, r: RepoResult) -> None:
        self.seen += 1
        self.requests += r.requests
        self.bytes += r.bytes
        if r.unchanged:
            self.unchanged += 1
        elif r.status == AUDITED:
            self.audited += 1
            if len(self.audited_ids) < 100:
                self.audited_ids.append(r.repo_id)
        elif r.status == GATED:
            self.gated += 1
        elif r.status == NOT_FOUND:
            self.not_found += 1
        elif r.status == FAILED:
            self.failed += 1


def listed_tasks(
    listed: Iterable[Listed], progress: Progress | None, since: str | None, summary: ScanSummary
) -> Iterator[Task]:
    for item in listed:
        if progress is not None:
            progress.listed += 1
        if since and item.last_modified and item.last_modified < since:
            summary.skipped_since += 1
            continue
        yield Task(item.repo_id, "main", listed_commit=item.sha)
    if progress is not None:
        progress.listing_done = True


def run_scan(
    tasks: Iterable[Task],
    *,
    store: Store,
    executor: Executor,
    settings: ScanSettings,
    digest: str,
    progress: Progress | None = None,
    summary: ScanSummary | None = None,
) -> ScanSummary:
    summary = summary if summary is not None else ScanSummary()
    known = store.known_commits(__version__, digest)
    start = time.monotonic()

    def with_known() -> Iterator[Task]:
        seen: set[str] = set()
        for t in tasks:
            key = t.target.lower() if not t.local else t.target
            if key in seen:
                continue
            seen.add(key)
            # a local directory is audited every time: its working tree may differ from
            # its last commit, and reading it costs no request
            commit = None if t.local else known.get(t.target)
            yield Task(t.target, t.revision, t.local, commit, t.listed_commit)

    try:
        for result in executor.run(with_known(), settings):
            summary.add(result)
            if not result.unchanged:
                store.put(result, __version__, digest)
            if progress is not None:
                progress.update(summary.seen, summary.failed)
    finally:
        summary.seconds = time.monotonic() - start
        if progress is not None:
            progress.update(summary.seen, summary.failed, force=True)
            progress.finish()
    return summary
