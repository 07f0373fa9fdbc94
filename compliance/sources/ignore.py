"""What a local audit does not list: version-control and virtualenv folders, and what
the repo's own `.gitignore` (and `.git/info/exclude`) ignore.

A `.pth` file inside `.venv/` is not a model weight of the repo; a checked-out
virtualenv or build folder would otherwise be audited as repo content. Only the
root ignore files are read (nested `.gitignore` files are not), each bounded in
size; `pathspec` is imported only when one exists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

IGNORE_FILE_CAP = 256 << 10
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"})
# a folder holding one of these is a Python environment, whatever its name
_ENV_MARKERS = ("pyvenv.cfg", "conda-meta")
# pathspec matches with backtracking regexes: each `*` multiplies the work on a long
# name, so a pattern with more wildcards than real .gitignore files use is not applied
MAX_STARS = 2  # single `*` per pattern
MAX_STAR_RUNS = 3  # `*` and `**` together
_STAR_RUN = re.compile(r"\*+")


def _cheap(line: str) -> bool:
    runs = _STAR_RUN.findall(line)
    return len(runs) <= MAX_STAR_RUNS and sum(1 for r in runs if r == "*") <= MAX_STARS


def _lines(path: Path) -> list[str]:
    try:
        if not path.is_file() or path.is_symlink():
            return []
        with path.open("rb") as fh:
            data = fh.read(IGNORE_FILE_CAP)
    except OSError:
        return []
    return data.decode("utf-8", errors="replace").splitlines()


class Ignored:
    """Decides, entry by entry during the walk, what the audit skips, and counts it."""

    def __init__(self, root: Path) -> None:
        lines = _lines(root / ".gitignore") + _lines(root / ".git" / "info" / "exclude")
        self.dropped = [line for line in lines if not _cheap(line)]
        lines = [line for line in lines if _cheap(line)]
        self._spec: Any = None
        if any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            import pathspec  # lazy: only repos with a .gitignore pay for it

            self._spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self.skipped: list[str] = []  # repo-relative paths skipped, for the report's note

    def skips(self, entry: os.DirEntry[str], rel: str) -> bool:
        is_dir = entry.is_dir(follow_symlinks=False)
        if is_dir and (
            entry.name in VCS_DIRS
            or any(os.path.lexists(os.path.join(entry.path, m)) for m in _ENV_MARKERS)
        ):
            self.skipped.append(rel + "/")
            return True
        if self._spec is not None and self._spec.match_file(rel + "/" if is_dir else rel):
            self.skipped.append(rel + ("/" if is_dir else ""))
            return True
        return False

    def notes(self) -> list[str]:
        out = []
        if self.dropped:
            out.append(
                f".gitignore: {len(self.dropped)} pattern(s) with more than {MAX_STARS} `*` "
                f"(or {MAX_STAR_RUNS} wildcards) not applied (first: {self.dropped[0][:80]!r})."
            )
        skipped = self._skipped_note()
        return out + ([skipped] if skipped else [])

    def _skipped_note(self) -> str | None:
        if not self.skipped:
            return None
        shown = ", ".join(sorted(self.skipped)[:5]) + (", …" if len(self.skipped) > 5 else "")
        return (
            f"Not audited: {len(self.skipped)} path(s) that are version-control or virtualenv "
            f"folders or ignored by .gitignore ({shown})."
        )
