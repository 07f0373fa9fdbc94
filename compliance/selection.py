"""`--select` / `--ignore` (ruff's spelling): keep or drop findings by rule id, pack id
or category. A selector that names nothing known is a usage error with a did-you-mean,
never a silent no-op; what was left out is said in the report's notes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import replace

from compliance.errors import ConfigError
from compliance.report import CATEGORIES, Finding, Report


def split(values: Iterable[str] | None) -> list[str]:
    """`--select a,b --select c` -> [a, b, c]."""
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def matches(selector: str, f: Finding) -> bool:
    pack = f.rule_id.split("/", 1)[0]
    return selector in (f.rule_id, pack, f.category)


def _known(report: Report) -> set[str]:
    from compliance.reporters import rulemeta

    known = set(CATEGORIES) | set(report.rule_packs) | {f.rule_id for f in report.findings}
    for pack_id in report.rule_packs:
        pack = rulemeta.pack(pack_id)
        if pack is not None:
            known.update(r.id for r in pack.rules)
    return known


def check_selectors(selectors: Sequence[str], report: Report, option: str) -> None:
    known = _known(report)
    for s in selectors:
        if s in known:
            continue
        close = difflib.get_close_matches(s, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise ConfigError(
            f"{option} {s}: not a rule id, rule pack or category{hint} "
            "(see `modelcheck rules list`)"
        )


def apply(report: Report, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> Report:
    """The report with only the selected, not ignored findings (and a note saying so)."""
    if not select and not ignore:
        return report
    check_selectors(select, report, "--select")
    check_selectors(ignore, report, "--ignore")
    kept = [
        f
        for f in report.findings
        if (not select or any(matches(s, f) for s in select))
        and not any(matches(s, f) for s in ignore)
    ]
    dropped = len(report.findings) - len(kept)
    notes = list(report.notes)
    if dropped:
        how = " ".join(
            [*(f"--select {s}" for s in select), *(f"--ignore {s}" for s in ignore)]
        )
        notes.append(f"{dropped} finding(s) not shown ({how}).")
    return replace(report, findings=kept, notes=notes)
