"""Reporter registry: format name -> module with `render(report) -> str`.

Modules are named, not imported, so `--format json` never pays for Jinja2.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable

from compliance.report import Report

REPORTERS: dict[str, str] = {
    "markdown": "compliance.reporters.to_markdown",
    "json": "compliance.reporters.to_json",
    "terminal": "compliance.reporters.terminal",
    "sarif": "compliance.reporters.sarif",
    "spdx": "compliance.reporters.spdx",
    "cyclonedx": "compliance.reporters.cyclonedx",
}
# Formats only `audit` offers (the other commands render markdown and json only).
AUDIT_FORMATS: tuple[str, ...] = tuple(REPORTERS)


def get(fmt: str, *, to_stdout: bool = True) -> Callable[[Report], str]:
    """The `render` function of format `fmt`; KeyError for an unknown format.
    `to_stdout=False` (a report written to a file) turns terminal colour off."""
    module = importlib.import_module(REPORTERS[fmt])
    if not to_stdout and fmt == "terminal":
        return functools.partial(module.render, color=False)
    render: Callable[[Report], str] = module.render
    return render
