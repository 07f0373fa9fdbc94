"""Git LFS pointer files: what a weight file is in a checkout made without `git lfs pull`
(the default in many CI systems). Its header is not a weight header; saying so beats a
parse error about a header length read from the text `version https://…`.

Spec: https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md (a pointer is a small
UTF-8 text file whose first line is the `version` key; it must be under 1024 bytes).
"""

from __future__ import annotations

from compliance.errors import SourceError
from compliance.facts.context import RepoContext

POINTER_MAX = 1024
_VERSION = b"version https://git-lfs.github.com/spec/v1"


def is_lfs_pointer(ctx: RepoContext, path: str, size: int | None) -> bool:
    """True when `path` is a Git LFS pointer; records an info-level problem then."""
    if ctx.source.kind != "local":  # the Hub serves the LFS object, never the pointer
        return False
    if size is None or size >= POINTER_MAX or size < len(_VERSION):
        return False
    try:
        head = ctx.source.read_range(path, 0, len(_VERSION))
    except SourceError:
        return False
    if head != _VERSION:
        return False
    ctx.problem(
        "unverifiable",
        path,
        f"{path}: Git LFS pointer, weights not checked out; run `git lfs pull` "
        "(or check out with LFS) to have their headers audited",
    )
    return True
