"""Shipped lineage data files (rules/name_families.yaml, rules/shapes.yaml), parsed once.

Read through `safeload.load_yaml`, whose parse cache answers a warm run without
importing PyYAML (a pre-commit hook audits again and again; see `parse_cache`).
"""

from __future__ import annotations

from typing import Any

from compliance.errors import RulePackError
from compliance.resources import data_dir


def load_rules_yaml(name: str) -> Any:
    """The parsed `rules/<name>`; a file that does not read or parse is a `RulePackError`."""
    from compliance import safeload

    path = data_dir("rules") / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RulePackError(str(path), f"cannot read: {e.strerror}") from None
    loaded = safeload.load_yaml(text, name)
    if loaded.error is not None:
        raise RulePackError(str(path), loaded.error.message)
    return loaded.value
