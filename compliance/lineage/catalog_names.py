"""Catalog lookups by model name alone (no org): a folder name, a name in prose.

A name matches when, normalised like re-upload names (lower case, conversion suffixes and
optional prefixes removed, spaces and `_` as `-`), exactly one catalog model has it. Two
originals with the same name are ambiguous: no match, never a guessed org.
"""

from __future__ import annotations

from typing import Any

# the last catalog indexed, kept with its index (a catalog is loaded once per audit)
_LAST: list[tuple[Any, dict[str, frozenset[str]]]] = []


def _index(catalog: Any) -> dict[str, frozenset[str]]:
    if _LAST and _LAST[0][0] is catalog:
        return _LAST[0][1]
    index = _build(catalog)
    _LAST[:] = [(catalog, index)]
    return index


def _build(catalog: Any) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    ids = [(e.repo_id, e.repo_id) for e in catalog.entries]
    ids += [(alias, canonical) for alias, canonical in getattr(catalog, "_aliases", {}).items()]
    for rid, canonical in ids:
        name = rid.split("/", 1)[1]
        index.setdefault(catalog.normalise_name(name), set()).add(canonical.lower())
    return {k: frozenset(v) for k, v in index.items()}


def normalise(catalog: Any, name: str) -> str:
    return str(catalog.normalise_name("-".join(name.split())))


def lookup_name(catalog: Any, name: str) -> Any:
    """The catalog entry whose model name is `name`, when exactly one is; else None."""
    if not hasattr(catalog, "normalise_name") or not name or len(name) > 200:
        return None
    key = normalise(catalog, name)
    matches = _index(catalog).get(key, frozenset())
    if len(matches) == 1:
        return catalog.lookup(next(iter(matches)))
    if not matches and (target := _bare_names(catalog).get(key)):
        return catalog.lookup(target)
    return None


def _bare_names(catalog: Any) -> dict[str, str]:
    from compliance.lineage.name_families import bare_names

    return {normalise(catalog, k): v for k, v in bare_names().items()}
