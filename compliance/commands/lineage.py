"""`modelcheck lineage SUSPECT --against CANDIDATE [...]`: compare weights, print a report.

SUSPECT and each CANDIDATE are a local checkpoint dir, a Hub repo id
(`org/name[@revision]`), an http(s) directory URL or a fingerprint file. With
`-o FILE` an SVG chart per candidate is written next to the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance.commands.output import emit
from compliance.errors import ConfigError, ExitCode

REPORT_SCHEMA = 1


def run(
    suspect: str,
    *,
    against: list[str],
    fmt: str = "markdown",
    output: Path | None = None,
    revision: str | None = None,
    chart: bool = True,
) -> int:
    from compliance.lineage.weights.chart import write_chart
    from compliance.lineage.weights.compare import compare_specs

    if not against:
        raise ConfigError("lineage: give at least one --against CANDIDATE")
    if fmt not in ("markdown", "json"):
        raise ConfigError(f"--format: {fmt!r} is not one of markdown, json")
    comparisons = compare_specs(suspect, list(against), revision=revision)
    if output is not None and chart:
        for i, c in enumerate(comparisons):
            suffix = "" if len(comparisons) == 1 else f"-{i + 1}"
            write_chart(c, output.with_name(f"{output.stem}{suffix}.svg"))
    text = render_json(suspect, comparisons) if fmt == "json" else render_markdown(
        suspect, comparisons
    )
    emit(text, output)
    return int(ExitCode.OK)


def render_json(suspect: str, comparisons: list[Any]) -> str:
    doc = {
        "schema": REPORT_SCHEMA,
        "suspect": suspect,
        "comparisons": [c.to_dict() for c in comparisons],
    }
    return json.dumps(doc, indent=2, sort_keys=False, allow_nan=False) + "\n"


def render_markdown(suspect: str, comparisons: list[Any]) -> str:
    from compliance.lineage.weights.present import template_env

    env = template_env()
    return env.get_template("lineage.md.j2").render(suspect=suspect, comparisons=comparisons)
