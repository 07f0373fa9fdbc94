"""What one repo's scan produced: plain, picklable records (they cross Dask's wire)."""

from __future__ import annotations

from dataclasses import dataclass

# status of one repo in the store
AUDITED = "audited"
GATED = "gated"  # 401/403: gated or private, no token with access
NOT_FOUND = "not-found"
FAILED = "could-not-audit"  # network / server failures after retries, unreadable input
STATUSES = (AUDITED, GATED, NOT_FOUND, FAILED)


@dataclass(frozen=True)
class Task:
    """One repo to scan: a Hub id (optionally at a revision) or a local directory."""

    target: str  # "org/name" or a local path
    revision: str = "main"
    local: bool = False
    known_commit: str | None = None  # commit already in the store for this tool + rules
    listed_commit: str | None = None  # commit the listing reported (saves a model-info call)


@dataclass(frozen=True)
class FindingRow:
    rule_id: str
    category: str
    severity: str
    ancestor: str | None = None


@dataclass(frozen=True)
class RepoResult:
    repo_id: str
    commit: str  # "" when the commit could not be learned
    status: str
    reason: str | None = None
    compliant: bool | None = None  # no unwaived error finding (audited repos only)
    declared_license: str | None = None
    inherited_licenses: tuple[str, ...] = ()
    relation: str | None = None
    findings: tuple[FindingRow, ...] = ()
    requests: int = 0
    bytes: int = 0
    unchanged: bool = False  # the commit in the store is current: nothing to write
