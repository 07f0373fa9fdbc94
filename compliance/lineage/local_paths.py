"""A base model written as a local path: recover the Hub id it stands for.

A Hugging Face cache path names the repo (`models--org--name`); otherwise the folder name
is matched against the built-in catalog by name alone (unique matches only). A path that
matches nothing stays a path: no org is guessed.
"""

from __future__ import annotations

from typing import Any

from compliance.facts.local_path import cache_repo_id, looks_local, model_folder
from compliance.lineage.catalog_names import lookup_name
from compliance.lineage.name_families import base_from_name


def from_local_path(value: str | None, catalog: Any) -> tuple[str, str] | None:
    """(repo id, how it was recovered) for a local path, else None."""
    if not isinstance(value, str) or not looks_local(value):
        return None
    rid = cache_repo_id(value)
    if rid is not None:
        return rid, "repo id read from the Hugging Face cache layout"
    folder = model_folder(value)
    entry = lookup_name(catalog, folder) if folder else None
    if entry is not None:
        return entry.repo_id, f"folder name {folder!r} matches the catalog's {entry.repo_id}"
    named = base_from_name(folder) if folder else None
    if named is not None:
        family, rid = named
        return rid, f"folder name {folder!r} carries {family.name} and a size (weaker evidence)"
    return None
