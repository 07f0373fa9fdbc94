"""The audit's `--select` / `--ignore` / `--baseline` / `--write-baseline` steps."""

from __future__ import annotations

import sys
from pathlib import Path

from compliance import baseline as baseline_mod
from compliance import selection
from compliance.report import Report


def triage(
    report: Report,
    select: list[str] | None,
    ignore: list[str] | None,
    baseline: Path | None,
    write_baseline: Path | None,
) -> Report:
    """--select / --ignore, then the baseline: read it, or record every finding in it."""
    report = selection.apply(report, selection.split(select), selection.split(ignore))
    if baseline is not None:
        report = baseline_mod.apply(report, baseline_mod.read(baseline), str(baseline))
    if write_baseline is not None:
        n = baseline_mod.write(report, write_baseline)
        print(f"modelcheck: wrote {n} finding(s) to the baseline {write_baseline}", file=sys.stderr)
        report = baseline_mod.apply(
            report, {e["fingerprint"] for e in baseline_mod.to_dict(report)["findings"]},
            str(write_baseline),
        )
    return report
