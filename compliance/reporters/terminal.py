"""Terminal reporter: one line per finding, linter style, for hooks and shells.

    README.md:2: llama3.1/license-id error  The card declares `apache-2.0`; ...
        fix: Set `license: llama3.1` in the model card metadata.

then one summary line. Colour only on a TTY with NO_COLOR unset (no-color.org).
Everything shown went through `escape.clean`: terminal escapes and bidi
overrides from an audited repo never reach the terminal.
"""

from __future__ import annotations

import os
import sys

from compliance.report import Finding, ObligationState, Report, Severity, finding_sort_key
from compliance.reporters.escape import clean
from compliance.reporters.locate import locate

FIX_LIMIT = 240
MESSAGE_LIMIT = 300
_SGR = {
    "error": "1;31",
    "warning": "33",
    "info": "36",
    "waived": "2",
    "location": "1",
    "hint": "2",
}


def use_color(stream: object = None) -> bool:
    """Colour when `stream` (default stdout) is a TTY and NO_COLOR is unset or empty."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream if stream is not None else sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if color else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 or word == 'info' else 's'}"


def finding_lines(f: Finding, color: bool) -> list[str]:
    level = "waived" if f.waived else f.severity.value
    head = (
        f"{_paint(locate(f).label + ':', 'location', color)} {clean(f.rule_id, 80)} "
        f"{_paint(level, level, color)}  {clean(f.message, MESSAGE_LIMIT)}"
    )
    if f.waived:
        hint = f"waived: {clean(f.waiver_reason, FIX_LIMIT) or 'no reason given'}"
    elif f.fix:
        hint = f"fix: {clean(f.fix, FIX_LIMIT)}"
    else:
        return [head]
    return [head, "    " + _paint(hint, "hint", color)]


def summary_line(report: Report, color: bool = False) -> str:
    """`acme/x (finetune of org/base): 5 errors, 1 warning, 1 info; ...` in one line."""
    counts = report.counts()
    lineage = report.lineage
    parents = [a.repo_id for a in lineage.direct()] if lineage is not None else []
    what = clean(report.model_name, 120)
    if report.relation and parents:
        what += f" ({report.relation} of {clean(', '.join(parents), 160)})"
    found = [
        _paint(_plural(counts[s.value], s.value), s.value, color and counts[s.value] > 0)
        for s in Severity
    ]
    parts = [", ".join(found)]
    if counts["waived"]:
        parts.append(f"{counts['waived']} waived")
    unchecked = sum(o.state == ObligationState.NOT_CHECKABLE for o in report.obligations)
    if unchecked:
        parts.append(f"{_plural(unchecked, 'obligation')} not checkable from files")
    if report.notes:
        parts.append(_plural(len(report.notes), "note"))
    tail = "details: --format markdown; a rule: modelcheck explain RULE_ID"
    return f"{what}: {'; '.join(parts)} ({tail})"


def render(report: Report, color: bool | None = None) -> str:
    """The findings, most severe first (waived last), then the summary line."""
    if color is None:
        color = use_color()
    lines: list[str] = []
    for f in sorted(report.findings, key=finding_sort_key):
        lines.extend(finding_lines(f, color))
    lines.append(summary_line(report, color))
    return "\n".join(lines) + "\n"
