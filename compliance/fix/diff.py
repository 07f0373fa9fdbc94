"""A unified diff of planned changes, as `git diff` shows them (a/ and b/ paths)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from compliance.fix.changes import Change


def render(changes: Iterable[Change]) -> str:
    out: list[str] = []
    for c in changes:
        old = (c.old or "").splitlines(keepends=True)
        new = c.new.splitlines(keepends=True)
        before = f"a/{c.path}" if c.old is not None else "/dev/null"
        for line in difflib.unified_diff(old, new, before, f"b/{c.path}"):
            out.append(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            )
    return "".join(out)
