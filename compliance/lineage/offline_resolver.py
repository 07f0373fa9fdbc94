"""The offline `AncestorResolver`: answers from the built-in catalog only."""

from __future__ import annotations

from typing import Any

from compliance.lineage.model import AncestorResolver, ResolvedRepo


def entry_bases(entry: Any) -> list[str]:
    """A catalog entry's `base` as a list (it may be absent, one id, or several)."""
    base = getattr(entry, "base", None)
    if not base:
        return []
    return [base] if isinstance(base, str) else [str(b) for b in base]


def resolved_from_entry(entry: Any, notes: list[str] | None = None) -> ResolvedRepo | None:
    """A catalog entry as a resolver's answer; None without an entry or its licence."""
    if entry is None or not getattr(entry, "license", None):
        return None
    relation = getattr(entry, "relation", None)
    return ResolvedRepo(
        repo_id=entry.repo_id,
        license=entry.license,
        license_source="catalog",
        parents=[(b, relation) for b in entry_bases(entry)],
        notes=list(notes or []),
        notice=getattr(entry, "notice", None),
    )


class CatalogResolver(AncestorResolver):
    name = "catalog"

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog

    def resolve(self, repo_id: str) -> ResolvedRepo | None:
        entry = self.catalog.lookup(repo_id) if self.catalog is not None else None
        return resolved_from_entry(entry)
