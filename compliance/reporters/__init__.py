"""Reporter registry: format name -> module with `render(report) -> str`.

Modules are named, not imported, so `--format json` never pays for Jinja2.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from compliance.report import Report

REPORTERS: dict[str, str] = {
    "markdown": "compliance.reporters.to_markdown",
    "json": "compliance.reporters.to_json",
}


def get(fmt: str) -> Callable[[Report], str]:
    """The `render` function of format `fmt`; KeyError for an unknown format."""
    module = importlib.import_module(REPORTERS[fmt])
    render: Callable[[Report], str] = module.render
    return render
