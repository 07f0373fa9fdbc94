"""Syntax of a Hub repo id (`org/name`), as card metadata must write it."""

from __future__ import annotations

import re

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$", re.ASCII)
MAX_PART = 96  # the Hub's limit on each of org and name


def is_valid_repo_id(value: object) -> bool:
    """True for a syntactically valid `org/name` (existence is not checked)."""
    if not isinstance(value, str) or not _REPO_ID.match(value) or ".." in value:
        return False
    return all(len(part) <= MAX_PART for part in value.split("/"))
