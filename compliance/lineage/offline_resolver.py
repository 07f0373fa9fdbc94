"""Catalog entries as resolver answers: the offline fallback of `build_lineage`."""

from __future__ import annotations

from compliance.lineage.model import KnownModel, ResolvedRepo


def entry_bases(entry: KnownModel) -> list[str]:
    """A catalog entry's `base` as a list (it may be absent, one id, or several)."""
    base = entry.base
    if not base:
        return []
    return [base] if isinstance(base, str) else [str(b) for b in base]


def resolved_from_entry(
    entry: KnownModel | None, notes: list[str] | None = None
) -> ResolvedRepo | None:
    """A catalog entry as a resolver's answer; None without an entry or its licence."""
    if entry is None or not entry.license:
        return None
    relation = entry.relation
    return ResolvedRepo(
        repo_id=entry.repo_id,
        license=entry.license,
        license_source="catalog",
        parents=[(b, relation) for b in entry_bases(entry)],
        notes=list(notes or []),
        notice=getattr(entry, "notice", None),
    )
