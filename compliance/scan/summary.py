"""The family's picture, computed by SQL over the store's latest row per repo.

Only aggregates and the top-N lists are held in memory; per-repo listings (JSON, CSV)
are streamed by `repos()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from compliance.scan.result import AUDITED
from compliance.scan.store import Store

_JOIN = (
    "FROM latest l JOIN findings f ON f.repo_id=l.repo_id AND f.commit_sha=l.commit_sha "
    "AND f.tool_version=l.tool_version AND f.rules_digest=l.rules_digest "
    "WHERE l.status='audited'"
)


@dataclass
class Summary:
    repos: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    audited: int = 0
    compliant: int = 0
    categories: list[tuple[str, int]] = field(default_factory=list)  # (category, repos)
    rules: list[tuple[str, str, str, int]] = field(default_factory=list)  # rule, cat, sev, repos
    licences: list[tuple[str, str, int]] = field(default_factory=list)  # declared, inherited, n
    worst: list[dict[str, Any]] = field(default_factory=list)
    not_audited: list[tuple[str, str, str]] = field(default_factory=list)  # repo, status, why
    not_audited_total: int = 0
    tool_versions: list[str] = field(default_factory=list)
    rules_digests: list[str] = field(default_factory=list)

    @property
    def share_compliant(self) -> float:
        return self.compliant / self.audited if self.audited else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "repos": self.repos,
            "by_status": self.by_status,
            "audited": self.audited,
            "compliant": self.compliant,
            "share_compliant": round(self.share_compliant, 4),
            "categories": {c: n for c, n in self.categories},
            "rules": [
                {"rule_id": r, "category": c, "severity": s, "repos": n}
                for r, c, s, n in self.rules
            ],
            "licences": [{"declared": d, "inherited": i, "repos": n} for d, i, n in self.licences],
            "worst_offenders": self.worst,
            "not_audited": [
                {"repo_id": r, "status": s, "reason": why} for r, s, why in self.not_audited
            ],
            "not_audited_total": self.not_audited_total,
            "tool_versions": self.tool_versions,
            "rules_digests": self.rules_digests,
        }


def summarize(store: Store, *, top: int = 20, not_audited_cap: int = 500) -> Summary:
    s = Summary()
    for row in store.query("SELECT status, COUNT(*) n FROM latest GROUP BY status ORDER BY 1"):
        s.by_status[row["status"]] = row["n"]
    s.repos = sum(s.by_status.values())
    s.audited = s.by_status.get(AUDITED, 0)
    s.compliant = int(store.scalar("SELECT COUNT(*) FROM latest WHERE compliant=1") or 0)
    s.categories = [
        (r["category"], r["n"])
        for r in store.query(
            f"SELECT f.category, COUNT(DISTINCT l.repo_id) n {_JOIN} AND f.severity != 'info' "
            "GROUP BY f.category ORDER BY n DESC, f.category"
        )
    ]
    s.rules = [
        (r["rule_id"], r["category"], r["severity"], r["n"])
        for r in store.query(
            f"SELECT f.rule_id, f.category, f.severity, COUNT(DISTINCT l.repo_id) n {_JOIN} "
            "GROUP BY f.rule_id ORDER BY n DESC, f.rule_id"
        )
    ]
    s.licences = [
        (r["declared"] or "(none)", _inherited(r["inherited_licenses"]), r["n"])
        for r in store.query(
            "SELECT declared_license declared, inherited_licenses, COUNT(*) n FROM latest "
            "WHERE status='audited' GROUP BY 1, 2 ORDER BY n DESC, 1, 2"
        )
    ]
    s.worst = [
        {
            "repo_id": r["repo_id"],
            "commit": r["commit_sha"],
            "errors": r["errors"],
            "warnings": r["warnings"],
            "declared_license": r["declared_license"],
            "rules": sorted(json.loads(r["rules"] or "[]")),
        }
        for r in store.query(
            "SELECT l.repo_id, l.commit_sha, l.errors, l.warnings, l.declared_license, "
            "(SELECT json_group_array(DISTINCT f.rule_id) FROM findings f WHERE "
            "f.repo_id=l.repo_id AND f.commit_sha=l.commit_sha AND "
            "f.tool_version=l.tool_version AND f.rules_digest=l.rules_digest AND "
            "f.severity='error') rules "
            "FROM latest l WHERE l.status='audited' AND l.errors > 0 "
            "ORDER BY l.errors DESC, l.warnings DESC, l.repo_id LIMIT ?",
            (top,),
        )
    ]
    s.not_audited_total = s.repos - s.audited
    s.not_audited = [
        (r["repo_id"], r["status"], r["reason"] or "")
        for r in store.query(
            "SELECT repo_id, status, reason FROM latest WHERE status != 'audited' "
            "ORDER BY status, repo_id LIMIT ?",
            (not_audited_cap,),
        )
    ]
    s.tool_versions = [r[0] for r in store.query("SELECT DISTINCT tool_version FROM latest")]
    s.rules_digests = [r[0] for r in store.query("SELECT DISTINCT rules_digest FROM latest")]
    return s


def _inherited(raw: str | None) -> str:
    values = json.loads(raw or "[]")
    return ", ".join(values) if values else "(none)"


def repos(store: Store) -> Iterator[dict[str, Any]]:
    """Every repo's latest result with its findings' rule ids and categories, streamed."""
    for r in store.query(
        "SELECT l.*, (SELECT json_group_array(json_array(f.rule_id, f.category, f.severity)) "
        "FROM findings f WHERE f.repo_id=l.repo_id AND f.commit_sha=l.commit_sha AND "
        "f.tool_version=l.tool_version AND f.rules_digest=l.rules_digest) fs "
        "FROM latest l ORDER BY l.repo_id"
    ):
        found = sorted(json.loads(r["fs"] or "[]"))
        yield {
            "repo_id": r["repo_id"],
            "commit": r["commit_sha"] or None,
            "status": r["status"],
            "reason": r["reason"],
            "compliant": None if r["compliant"] is None else bool(r["compliant"]),
            "declared_license": r["declared_license"],
            "inherited_licenses": json.loads(r["inherited_licenses"] or "[]"),
            "relation": r["relation"],
            "errors": r["errors"],
            "warnings": r["warnings"],
            "rule_ids": [f[0] for f in found],
            "categories": sorted({f[1] for f in found if f[2] != "info"}),
            "tool_version": r["tool_version"],
            "rules_digest": r["rules_digest"],
            "scanned_at": r["scanned_at"],
        }
