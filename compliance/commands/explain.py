"""`modelcheck explain RULE_ID`: a rule's documentation, like `ruff rule`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance import packs as packs_mod
from compliance.commands.output import emit
from compliance.errors import ConfigError, ExitCode
from compliance.reporters.escape import INVISIBLE

NONE_RECORDED = "None recorded."
NO_CLAUSE = "None: this rule is not a licence obligation."


def _clean(text: object) -> str:
    """Rule text is printed to a terminal: keep newlines, drop tabs and the invisible
    characters the Markdown reporter drops (controls, bidi overrides, zero-width)."""
    return INVISIBLE.sub("", str(text).replace("\t", "")).strip()


def _data(rule: packs_mod.Rule, pack: packs_mod.Pack | None) -> dict[str, Any]:
    clause = rule.clause
    return {
        "id": rule.id,
        "title": rule.title,
        "pack": {"id": rule.pack, "title": pack.title if pack else None},
        "severity": rule.severity.value,
        "severity_by_relation": {k: v.value for k, v in rule.severity_by_relation.items()},
        "category": rule.category,
        "applies_to": list(rule.applies_to) if rule.applies_to is not None else None,
        "what": rule.docs.what,
        "why": rule.docs.why,
        "clause": None
        if clause is None
        else {
            "section": clause.section,
            "quote": clause.quote,
            "source": clause.source or (pack.source_text if pack else None),
            "verified": clause.verified,
            "note": clause.note,
        },
        "example": rule.docs.example,
        "known_problems": rule.docs.known_problems,
        "message": rule.message,
        "fix": rule.fix,
        "references": list(rule.docs.references),
        "path": rule.path,
    }


def _text(d: dict[str, Any]) -> str:
    applies = ", ".join(d["applies_to"]) if d["applies_to"] else "every model"
    by_rel = ", ".join(f"{k}: {v}" for k, v in (d.get("severity_by_relation") or {}).items())
    severity = d["severity"] + (f" ({by_rel})" if by_rel else "")
    out = [
        f"# {d['id']}: {d['title']}",
        "",
        f"Severity: {severity} · category: {d['category']} · applies to: {applies}",
        f"Pack: {d['pack']['id']}" + (f" ({d['pack']['title']})" if d["pack"]["title"] else ""),
        "",
        "## What it does",
        "",
        d["what"],
        "",
        "## Why it matters",
        "",
        d["why"],
    ]
    clause = d["clause"]
    if clause:
        verified = "verified against " + (clause["source"] or "the licence text")
        if not clause["verified"]:
            verified = "wording unverified"
        note = f"; {clause['note']}" if clause["note"] else ""
        licence = d["pack"]["title"] or d["pack"]["id"]
        out += ["", "## The clause", "", f"{licence} {clause['section']} ({verified}{note}):", ""]
        out += [f"> {line}" for line in clause["quote"].splitlines()]
    else:
        rests_on = " It rests on the references below." if d["references"] else ""
        out += ["", "## The clause", "", NO_CLAUSE + rests_on]
    # Every section is always shown (README: what, why, clause, example, known problems,
    # fix), so a rule that leaves one out says so instead of silently dropping it.
    for key, heading in (("example", "Example"), ("known_problems", "Known problems")):
        out += ["", f"## {heading}", "", d[key] or NONE_RECORDED]
    out += ["", "## Message", "", d["message"]]
    out += ["", "## Fix", "", d["fix"] or NONE_RECORDED]
    if d["references"]:
        out += ["", "## References", ""] + [f"- {r}" for r in d["references"]]
    return "\n".join(_clean(line) if line else "" for line in out) + "\n"


def run(rule_id: str, rules_dirs: list[Path] | None = None, fmt: str = "markdown") -> int:
    loaded = packs_mod.load_all(rules_dirs or [])
    rule = packs_mod.find_rule(rule_id, loaded)
    if rule is None:
        from compliance.weights.rule_docs import explain_data  # weights/*: not pack rules

        found = explain_data(rule_id)
        if found is None:
            raise ConfigError(f"{rule_id}: no such rule (see 'modelcheck rules list')")
        data = found
    else:
        data = _data(rule, packs_mod.by_id(loaded).get(rule.pack))
    if fmt == "json":
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
    else:
        emit(_text(data), None)
    return ExitCode.OK
