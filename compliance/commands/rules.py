"""`modelcheck rules list` and `modelcheck rules validate DIR`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from compliance import packs as packs_mod
from compliance.commands.output import emit
from compliance.errors import ExitCode
from compliance.reporters.escape import code, md


def _weights_rules() -> list[dict[str, Any]]:
    from compliance.weights.rule_docs import RULES, explain_data

    return [d for d in (explain_data(rule_id) for rule_id in sorted(RULES)) if d is not None]


def run_list(rules_dirs: list[Path] | None = None, fmt: str = "markdown") -> int:
    loaded = packs_mod.load_all(rules_dirs or [])
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "pack": p.id,
                "title": r.title,
                "severity": r.severity.value,
                "category": r.category,
                "applies_to": list(r.applies_to) if r.applies_to is not None else None,
            }
            for p in loaded
            for r in p.rules
        ]
        rows += [
            {"id": d["id"], "pack": "weights", "title": d["title"], "severity": d["severity"],
             "category": d["category"], "applies_to": None}
            for d in _weights_rules()
        ]
        emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", None)
        return ExitCode.OK
    lines: list[str] = []
    for p in loaded:
        lines += [f"## {md(p.id)}: {md(p.title)} ({p.kind})", ""]
        lines += ["| Rule | Severity | Category | Title |", "| --- | --- | --- | --- |"]
        for r in sorted(p.rules, key=lambda r: r.id):
            cells = [code(r.id, table=True), r.severity.value, r.category, md(r.title)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    weights = _weights_rules()  # findings of `audit --weights`, documented in the code
    lines += [f"## weights: {md(weights[0]['pack']['title'])} (engine)", ""]
    lines += ["| Rule | Severity | Category | Title |", "| --- | --- | --- | --- |"]
    for d in weights:
        cells = [code(d["id"], table=True), d["severity"], d["category"], md(d["title"])]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    total = sum(len(p.rules) for p in loaded)
    lines.append(f"{total} rules in {len(loaded)} packs. `modelcheck explain RULE_ID` for details.")
    emit("\n".join(lines) + "\n", None)
    return ExitCode.OK


def run_validate(directory: Path) -> int:
    problems = packs_mod.validate_dir(directory)
    if problems:
        for problem in problems:
            print(f"modelcheck: error: {problem}", file=sys.stderr)
        return ExitCode.USAGE
    count = len(packs_mod.pack_dirs(directory))
    emit(f"{directory}: {count} rule pack{'s' if count != 1 else ''} valid.\n", None)
    return ExitCode.OK
