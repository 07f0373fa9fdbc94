"""`modelcheck lineage SUSPECT --against CANDIDATE [...]`: compare weights, print a report.

SUSPECT and each CANDIDATE are a local checkpoint dir, a Hub repo id
(`org/name[@revision]`), an http(s) directory URL or a fingerprint file. With
`-o FILE` an SVG chart per candidate is written next to the report and embedded in it
as an image.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance.commands.output import check_target, emit, write_output
from compliance.commands.weights_extra import require_weights_extra
from compliance.errors import ConfigError

# 2: exit codes by verdict, `modelcheck`/`command`/`ranking`, coverage per input
# 3: `wall_seconds`, `calibration`; per comparison `rules_version`, `plan_version`; per
#    input `files`, and for a fingerprint `source_files`, `source_tensors`
REPORT_SCHEMA = 3
# exit codes (documented in docs/lineage.md): usable as a CI gate
EXIT_NO_EVIDENCE = 0  # no comparison found weight evidence (suggestive included)
EXIT_DERIVED = 1  # a candidate is identical or consistent-with-derivation
EXIT_NOT_COMPARABLE = 2  # a comparison was not verifiable (and none was positive)


def exit_code(comparisons: list[Any]) -> int:
    from compliance.weights.labels import POSITIVE, verdict_kind

    kinds = [verdict_kind(c.verdict) for c in comparisons]
    if any(k in POSITIVE for k in kinds):
        return EXIT_DERIVED
    if any(k == "not_verifiable" for k in kinds):
        return EXIT_NOT_COMPARABLE
    return EXIT_NO_EVIDENCE


def command_line() -> str:
    """The command as typed (argv), for a third party to rerun it."""
    from compliance.invocation import command_line as typed

    return typed()


def chart_paths(output: Path, count: int) -> list[Path]:
    """`report.md` -> `report.svg` (one comparison) or `report-1.svg`, `report-2.svg`, …"""
    if count == 1:
        return [output.with_name(f"{output.stem}.svg")]
    return [output.with_name(f"{output.stem}-{i + 1}.svg") for i in range(count)]


def run(
    suspect: str,
    *,
    against: list[str],
    fmt: str = "markdown",
    output: Path | None = None,
    revision: str | None = None,
    chart: bool = True,
) -> int:
    if not against:
        raise ConfigError("lineage: give at least one --against CANDIDATE")
    if fmt not in ("markdown", "json"):
        raise ConfigError(f"--format: {fmt!r} is not one of markdown, json")
    require_weights_extra("lineage")
    import time

    from compliance.weights.compare import compare_specs

    t0 = time.perf_counter()
    charts = chart_paths(output, len(against)) if output is not None and chart else []
    if output is not None:
        check_target(output)  # before the comparison, which can take a while
    for path in charts:
        check_target(path, "chart")
    comparisons = compare_specs(suspect, list(against), revision=revision)
    if charts:
        from compliance.reporters.lineage_chart import render_svg

        for c, path in zip(comparisons, charts, strict=True):
            write_output(path, render_svg(c), "chart")
    wall = time.perf_counter() - t0  # opening, reading and comparing; not writing the report
    if fmt == "json":
        text = render_json(suspect, comparisons, [p.name for p in charts], wall_seconds=wall)
    else:
        from compliance.reporters.lineage_markdown import render

        text = render(
            suspect, comparisons, [p.name for p in charts], command=command_line(),
            wall_seconds=wall,
        )
    emit(text, output)
    code = exit_code(comparisons)
    if code == EXIT_NOT_COMPARABLE:
        # exit 2 always comes with one line on stderr; the report says why in full
        import sys

        print(
            "modelcheck: lineage: the weights could not be compared (not-verifiable); "
            "the report says why",
            file=sys.stderr,
        )
    return code


def render_json(
    suspect: str,
    comparisons: list[Any],
    charts: list[str] | None = None,
    wall_seconds: float | None = None,
) -> str:
    named = list(charts or []) + [None] * (len(comparisons) - len(charts or []))
    from compliance import __version__
    from compliance.weights.provenance import CALIBRATION
    from compliance.weights.relatives import rank, ranking_note

    doc = {
        "schema": REPORT_SCHEMA,
        "modelcheck": __version__,
        "command": command_line(),
        "exit_code": exit_code(comparisons),
        "wall_seconds": wall_seconds,
        "suspect": suspect,
        "ranking": ranking_note(rank(comparisons)),
        "calibration": CALIBRATION,
        "comparisons": [
            {**c.to_dict(), "chart": chart} for c, chart in zip(comparisons, named, strict=True)
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=False, allow_nan=False) + "\n"
