"""Write a rendered report to stdout or to a file."""

from __future__ import annotations

import sys
from pathlib import Path

from compliance.errors import ModelcheckError


def emit(text: str, output: Path | None) -> None:
    """Print `text` to stdout, or write it to `output` (UTF-8)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ModelcheckError(f"{output}: cannot write the report: {e.strerror or e}") from e
