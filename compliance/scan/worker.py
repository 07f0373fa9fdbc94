"""The function every executor runs: scan one repo and return a `RepoResult`.

It never raises for a repo that cannot be audited: gated, missing and unreachable
repos come back as results with a status and a reason, so one bad repo never stops a
scan. Everything expensive (HTTP client, rate limiter, rule packs, catalog, the shared
ancestor cache) is built once per process and per `ScanSettings`, so a Dask worker
process builds it once too.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from compliance.errors import GatedRepoError, RepoNotFoundError, SourceError
from compliance.facts.card import CARD_CAP
from compliance.facts.wanted import read_by_facts
from compliance.lineage.catalog import Catalog
from compliance.report import Finding
from compliance.rule_model import Pack
from compliance.scan.ancestors import SharedAncestors
from compliance.scan.audit import audit_source, is_compliant
from compliance.scan.http import PoliteClient, Retry, Tally
from compliance.scan.limiter import RateLimiter
from compliance.scan.result import (
    AUDITED,
    FAILED,
    GATED,
    NOT_FOUND,
    FindingRow,
    RepoResult,
    Task,
)
from compliance.sources.hub_snapshot import HubSnapshot, ModelInfo, fetch_model_info

# Read by the facts readers but by no rule: a scan does not fetch it.
_NOT_NEEDED = frozenset({"generation_config.json"})


def scan_wanted(path: str) -> bool:
    """The files a metadata-only scan fetches: what the facts readers read, less what no
    rule uses."""
    return read_by_facts(path) and path.lower() not in _NOT_NEEDED


@dataclass(frozen=True)
class ScanSettings:
    """How workers talk to the Hub; picklable, and the key of the per-process context.
    The token is not in here: each process reads its own (HF_TOKEN or the saved login),
    so no secret crosses the wire to a Dask worker."""

    endpoint: str = "https://huggingface.co"
    rate: float = 5.0  # requests per second for this process (0: unlimited)
    burst: int = 4
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 120.0
    anonymous: bool = False  # never send a token (tests)
    pause_board: str | None = None  # Dask: the Variable a 429 pause is shared through
    # --weights: the fingerprint library folders (None: weights are not compared)
    fingerprint_dirs: tuple[str, ...] | None = None


class WorkerContext:
    def __init__(self, settings: ScanSettings) -> None:
        from compliance import packs as packs_mod
        from compliance.lineage.hub_resolver import HubResolver
        from compliance.packs.identify import Identifier

        token = None if settings.anonymous else _token()
        board = None
        if settings.pause_board:
            from compliance.scan.dask_pause import DaskPauseBoard

            board = DaskPauseBoard(settings.pause_board)
        self.client = PoliteClient(
            settings.endpoint,
            token=token,
            limiter=RateLimiter(settings.rate, settings.burst, board=board),
            timeout=settings.timeout,
            retry=Retry(settings.retries, settings.backoff, settings.max_wait),
        )
        self.packs: list[Pack] = packs_mod.load_all()
        self.fingerprint_dirs = settings.fingerprint_dirs
        self.catalog = Catalog.load()
        self.ancestor_tally = Tally()
        self.resolver = SharedAncestors(
            HubResolver(
                identify=Identifier(self.packs), catalog=self.catalog, open_source=self._ancestor
            )
        )

    def _ancestor(self, repo_id: str) -> HubSnapshot:
        info = fetch_model_info(self.client, repo_id, tally=self.ancestor_tally)
        snap = HubSnapshot(info, self.client, scan_wanted, tally=self.ancestor_tally)
        card = next((f.path for f in info.files if f.path.lower() == "readme.md"), None)
        if card is not None:
            snap.read_bytes(card, CARD_CAP + 1)  # gated: raise now, the resolver records it
        return snap


_CONTEXTS: dict[ScanSettings, WorkerContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def context_for(settings: ScanSettings) -> WorkerContext:
    with _CONTEXTS_LOCK:
        ctx = _CONTEXTS.get(settings)
        if ctx is None:
            ctx = _CONTEXTS[settings] = WorkerContext(settings)
        return ctx


def _token() -> str | None:
    token = os.environ.get("HF_TOKEN")
    if token:
        return token
    try:
        from huggingface_hub import get_token

        return get_token()
    except Exception:  # no saved login, or an unreadable one: anonymous
        return None


def scan_one(task: Task, settings: ScanSettings) -> RepoResult:
    """Scan one repo; every failure becomes a result (status and reason)."""
    try:
        if task.local:
            return _scan_local(task, context_for(settings))
        return _scan_hub(task, context_for(settings))
    except Exception as e:  # a bug must not stop the scan: record it and go on
        first = (str(e).strip().splitlines() or [""])[0]
        return RepoResult(task.target, "", FAILED, f"internal error: {type(e).__name__}: {first}")


def _rows(findings: list[Finding]) -> tuple[FindingRow, ...]:
    out = {
        (f.rule_id, f.ancestor or ""): FindingRow(
            f.rule_id, f.category, f.severity.value, f.ancestor
        )
        for f in findings
        if not f.waived
    }
    return tuple(out[k] for k in sorted(out))


def _scan_hub(task: Task, ctx: WorkerContext) -> RepoResult:
    repo = task.target
    if task.listed_commit and task.listed_commit == task.known_commit:
        return RepoResult(repo, task.known_commit, AUDITED, unchanged=True)
    tally = Tally()

    def failed(status: str, commit: str, e: BaseException) -> RepoResult:
        return RepoResult(repo, commit, status, str(e), requests=tally.requests, bytes=tally.bytes)

    try:
        info: ModelInfo = fetch_model_info(ctx.client, repo, task.revision, tally=tally)
    except GatedRepoError as e:
        return failed(GATED, "", e)
    except RepoNotFoundError as e:
        return failed(NOT_FOUND, "", e)
    except SourceError as e:
        return failed(FAILED, "", e)
    if info.sha == task.known_commit:
        return RepoResult(repo, info.sha, AUDITED, unchanged=True, requests=tally.requests)
    snap = HubSnapshot(info, ctx.client, scan_wanted, tally=tally)
    try:
        audited = audit_source(
            snap, ctx.packs, ctx.catalog, ctx.resolver, ctx.fingerprint_dirs
        )
    except GatedRepoError as e:
        return failed(GATED, info.sha, e)
    except SourceError as e:
        return failed(FAILED, info.sha, e)
    if snap.denied:
        denied = next(e for e in snap.failures if isinstance(e, GatedRepoError))
        return failed(GATED, info.sha, denied)
    if snap.failures:  # a file the rules need could not be read: no partial verdicts
        return failed(FAILED, info.sha, snap.failures[0])
    lineage = audited.lineage
    return RepoResult(
        repo_id=repo,
        commit=info.sha,
        status=AUDITED,
        compliant=is_compliant(audited.findings),
        declared_license=audited.declared_license,
        inherited_licenses=tuple(lineage.licenses()),
        relation=lineage.relation,
        findings=_rows(audited.findings),
        requests=tally.requests,
        bytes=tally.bytes,
    )


def _scan_local(task: Task, ctx: WorkerContext) -> RepoResult:
    from compliance.sources.local import LocalSource

    try:
        source = LocalSource(task.target)
        audited = audit_source(source, ctx.packs, ctx.catalog, None, ctx.fingerprint_dirs)
    except SourceError as e:
        return RepoResult(task.target, "", FAILED, str(e))
    return RepoResult(
        repo_id=task.target,
        commit=source.commit or "",
        status=AUDITED,
        compliant=is_compliant(audited.findings),
        declared_license=audited.declared_license,
        inherited_licenses=tuple(audited.lineage.licenses()),
        relation=audited.lineage.relation,
        findings=_rows(audited.findings),
    )
