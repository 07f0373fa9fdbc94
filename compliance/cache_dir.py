"""Where modelcheck keeps its caches: `$XDG_CACHE_HOME/modelcheck`, else
`~/.cache/modelcheck`; none when `MODELCHECK_NO_CACHE` is set (not "" or "0") or
there is no home directory. Caches only speed things up: a missing or unwritable
directory is never an error."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

NO_CACHE_ENV = "MODELCHECK_NO_CACHE"


def cache_dir(env: Mapping[str, str] = os.environ) -> Path | None:
    """The cache directory under `env`, or None when caching is off."""
    if env.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    base = env.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        base = None if home == "~" else os.path.join(home, ".cache")
    return Path(base) / "modelcheck" if base else None


CACHE_DIR: Path | None = cache_dir()  # read once at import; tests may set None
