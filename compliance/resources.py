"""Locate the data shipped with modelcheck (rules/, templates/, schemas/).

In a wheel they live in compliance/_data/; in a source checkout or an
editable install they sit at the top of the repo.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the directory for `name` ("rules", "templates" or "schemas")."""
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    return _PKG.parent / name
