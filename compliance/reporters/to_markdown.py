"""Markdown reporter: renders templates/report.md.j2 for PR comments and terminals.

Autoescape is off because the output is Markdown, not HTML; every piece of
untrusted text goes through the `md` / `prose` / `code` / `mermaid` filters
(compliance/reporters/escape.py) instead.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import jinja2

from compliance import cache_dir
from compliance.report import Report
from compliance.reporters import escape, verdict
from compliance.reporters.serialize import SEVERITY_ORDER, report_to_dict
from compliance.resources import data_dir

STATE_ICONS = {"met": "✅", "not-met": "❌", "not-checkable": "➖", "not-applicable": "n/a"}
SEVERITY_TITLES = {"error": "Errors", "warning": "Warnings", "info": "Info", "waived": "Waived"}
_BLANK_RUNS = re.compile(r"\n{3,}")


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's on-disk cache of compiled templates (keyed by the template source's
    checksum, so never stale). Compiling the report templates costs tens of ms on
    every run, which a pre-commit hook pays each time; a cache that cannot be
    read or written is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    if cache_dir.CACHE_DIR is None:
        return None
    directory = cache_dir.CACHE_DIR / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(directory))


def environment() -> jinja2.Environment:
    """The Jinja environment of every Markdown report (templates/, no autoescape: untrusted
    text goes through the escape filters; compiled templates cached). The lineage report
    builds on it (`reporters.lineage_markdown.template_env`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        bytecode_cache=_bytecode_cache(),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=escape.md,
        prose=escape.prose,
        code=escape.code,
        mermaid=escape.mermaid,
        evidence=describe_evidence,
    )
    env.globals.update(state_icons=STATE_ICONS, severity_titles=SEVERITY_TITLES)
    return env


def describe_evidence(ev: dict[str, Any]) -> str:
    """One escaped line: where it was seen, and what was seen or looked for."""
    parts = []
    if ev.get("file"):
        where = ev["file"] + (f":{ev['line']}" if ev.get("line") else "")
        parts.append(escape.code(where))
    elif ev.get("line"):
        parts.append(f"line {int(ev['line'])}")
    if ev.get("key"):
        parts.append("key " + escape.code(ev["key"]))
    if ev.get("seen") is not None:
        parts.append("found " + escape.code(ev["seen"]))
    if ev.get("missing") is not None:
        parts.append("looked for " + escape.code(ev["missing"]))
    return ", ".join(parts) or "(no location)"


def _count_phrase(counts: dict[str, int]) -> str:
    def n(k: str, word: str) -> str:
        c = counts[k]
        return f"{c} {word}{'' if c == 1 or word == 'info' else 's'}"

    words = [n("error", "error"), n("warning", "warning"), n("info", "info")]
    return " · ".join([*words, f"{counts['waived']} waived"])


def _verdict(data: dict[str, Any]) -> str:
    summary = data["summary"]
    phrase = _count_phrase(summary["counts"])
    icon = verdict.ICONS[summary["status"]]
    return f"{icon} **{summary['verdict']}** (findings: {phrase})."


def _groups(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    order = [*SEVERITY_ORDER, "waived"]
    grouped: dict[str, list[dict[str, Any]]] = {k: [] for k in order}
    for f in findings:
        grouped["waived" if f["waived"] else f["severity"]].append(f)
    return [(k, grouped[k]) for k in order if grouped[k]]


def _obligation_groups(obligations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for o in obligations:
        groups.setdefault(o["license"], []).append(o)
    out = []
    for lic, items in groups.items():
        tally = {s: sum(o["state"] == s for o in items) for s in STATE_ICONS}
        summary = ", ".join(f"{n} {s.replace('-', ' ')}" for s, n in tally.items() if n)
        out.append({"license": lic, "items": items, "summary": summary})
    return out


def _recommendations(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct fix once, most severe first, with the rules it resolves."""
    recs: dict[str, list[str]] = {}
    for f in findings:
        if f["waived"] or not f["fix"]:
            continue
        rules = recs.setdefault(f["fix"], [])
        if f["rule_id"] not in rules:
            rules.append(f["rule_id"])
    return [{"fix": fix, "rules": rules} for fix, rules in recs.items()]


def mermaid_lines(lineage: dict[str, Any] | None) -> list[str]:
    """A Mermaid `graph TD` from each ancestor down to the audited model.
    Node ids are generated (n0, n1…); names only ever appear as escaped labels."""
    if not lineage or not lineage["ancestors"]:
        return []
    ids: dict[str, str] = {lineage["model"]: "n0"}
    lines = ["graph TD", f'  n0["{escape.mermaid(lineage["model"])}"]']
    for a in lineage["ancestors"]:
        if a["repo_id"] in ids:
            continue
        nid = ids[a["repo_id"]] = f"n{len(ids)}"
        detail = a["license"] or "licence unknown"
        label = f"{escape.mermaid(a['repo_id'])}<br/>{escape.mermaid(detail)}"
        label += f" · {escape.mermaid(a['resolution'])}"
        lines.append(f'  {nid}["{label}"]')
    for a in lineage["ancestors"]:
        child = ids.get(a["child"], "n0")
        arrow = "-->" if a["declared"] else "-.->"
        relation = escape.mermaid(a["relation"] or "derived")
        edge = f"  {ids[a['repo_id']]} {arrow}|{relation}| {child}"
        if edge not in lines:  # the same parent reached twice (diamond merges)
            lines.append(edge)
    return lines


def render(report: Report) -> str:
    data = report_to_dict(report)
    template = environment().get_template("report.md.j2")
    text = template.render(
        r=data,
        verdict=_verdict(data),
        counts=_count_phrase(data["summary"]["counts"]),
        groups=_groups(data["findings"]),
        obligation_groups=_obligation_groups(data["obligations"]),
        mermaid=mermaid_lines(data["lineage"]),
        recommendations=_recommendations(data["findings"]),
        report=report,
        weights=report.weights,
    )
    # Templates stay readable with generous blank lines; the output keeps one.
    return _BLANK_RUNS.sub("\n\n", text).strip() + "\n"
