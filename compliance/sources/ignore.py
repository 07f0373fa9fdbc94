"""What a local audit does not list: version-control and virtualenv folders, and what
the repo's own `.gitignore` (and `.git/info/exclude`) ignore.

A `.pth` file inside `.venv/` is not a model weight of the repo; a checked-out
virtualenv or build folder would otherwise be audited as repo content. Only the
root ignore files are read (nested `.gitignore` files are not), each bounded in
size; `pathspec` is imported only when one exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

IGNORE_FILE_CAP = 256 << 10
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"})
# a folder holding one of these is a Python environment, whatever its name
_ENV_MARKERS = ("pyvenv.cfg", "conda-meta")


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

    def note(self) -> str | None:
        if not self.skipped:
            return None
        shown = ", ".join(sorted(self.skipped)[:5]) + (", …" if len(self.skipped) > 5 else "")
        return (
            f"Not audited: {len(self.skipped)} path(s) that are version-control or virtualenv "
            f"folders or ignored by .gitignore ({shown})."
        )
