"""Syntax of a Hub repo id (`org/name`) and of an audit target `org/name[@revision]`."""

from __future__ import annotations

import re

REPO_ID = r"[A-Za-z0-9][\w.-]*/[\w.-]+"
_REPO_ID = re.compile(rf"^{REPO_ID}$", re.ASCII)
_TARGET = re.compile(rf"^({REPO_ID})(?:@([\w./-]+))?$", re.ASCII)
MAX_PART = 96  # the Hub's limit on each of org and name


def is_valid_repo_id(value: object) -> bool:
    """True for a syntactically valid `org/name` (existence is not checked)."""
    if not isinstance(value, str) or not _REPO_ID.match(value) or ".." in value:
        return False
    return all(len(part) <= MAX_PART for part in value.split("/"))


def split_target(target: str) -> tuple[str, str | None] | None:
    """`org/name[@revision]` as (repo id, revision or None); None when it is not one."""
    m = _TARGET.match(target)
    if m is None or ".." in target:
        return None
    return m.group(1), m.group(2)
