"""Turn a `Report` into plain, deterministically ordered data.

The JSON reporter dumps this dict as is (its shape is `schemas/report.schema.json`)
and the Markdown template renders from it, so both formats always agree.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from compliance import __version__
from compliance.report import (
    Evidence,
    Finding,
    ObligationResult,
    Report,
    Severity,
    finding_sort_key,
    obligation_sort_key,
)
from compliance.reporters import verdict

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor

SCHEMA_VERSION = "1.1"

SEVERITY_ORDER: tuple[str, ...] = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))


def plain(value: Any) -> Any:
    """Dataclasses, enums, tuples and mappings as JSON-ready values."""
    names = getattr(type(value), "__record_fields__", None)
    if names is not None:  # a record: its fields, in order, without importing dataclasses
        return {name: plain(getattr(value, name)) for name in names}
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses  # what dataclasses.is_dataclass checks, without importing it first

        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"file": e.file, "line": e.line, "key": e.key, "seen": e.seen, "missing": e.missing}


def finding_dict(f: Finding) -> dict[str, Any]:
    # Field by field, not dataclasses.asdict: the JSON shape is a public format
    # (schemas/report.schema.json) and must not change when a dataclass grows.
    clause = f.clause
    return {
        "rule_id": f.rule_id,
        "category": f.category,
        "severity": f.severity.value,
        "message": f.message,
        "evidence": [evidence_dict(e) for e in f.evidence],
        "clause": None
        if clause is None
        else {
            "license": clause.license,
            "section": clause.section,
            "quote": clause.quote,
            "verified": clause.verified,
            "note": clause.note,
        },
        "fix": f.fix,
        "ancestor": f.ancestor,
        "waived": f.waived,
        "waiver_reason": f.waiver_reason,
    }


def obligation_dict(o: ObligationResult) -> dict[str, Any]:
    return {
        "rule_id": o.rule_id,
        "license": o.license,
        "title": o.title,
        "state": o.state.value,
        "ancestors": list(o.ancestors),
    }


def _ancestor(a: Ancestor) -> dict[str, Any]:
    out: dict[str, Any] = plain(a)
    out["evidence"] = [evidence_dict(e) for e in a.evidence]
    return out


def _weights(weights: Any) -> Any:
    # The weight-evidence result may offer its own JSON shape; otherwise its
    # dataclass fields are used.
    if weights is None:
        return None
    to_dict = getattr(weights, "to_dict", None)
    return plain(to_dict() if callable(to_dict) else weights)


def _lineage(lineage: Any) -> dict[str, Any] | None:
    if lineage is None:
        return None
    return {
        "model": lineage.model,
        "relation": lineage.relation,
        "relation_source": lineage.relation_source,
        "licenses": list(lineage.licenses()),
        "ancestors": [_ancestor(a) for a in lineage.ancestors],
    }


def highest_severity(counts: dict[str, int]) -> str | None:
    """The most severe level with a finding that counts (`Report.counts()`), or None."""
    return next((sev for sev in SEVERITY_ORDER if counts[sev]), None)


def report_to_dict(report: Report) -> dict[str, Any]:
    """The JSON report. Key order is part of the format (stable diffs)."""
    findings = sorted(report.findings, key=finding_sort_key)
    obligations = sorted(report.obligations, key=obligation_sort_key)
    counts = report.counts()
    obligation_dicts = [obligation_dict(o) for o in obligations]
    finding_dicts = [finding_dict(f) for f in findings]
    tally = verdict.obligation_tally(obligation_dicts)
    unchecked = verdict.not_checkable(obligation_dicts, finding_dicts)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "modelcheck", "version": __version__},
        "target": report.target,
        "source": {
            "kind": report.source_kind,
            "revision": report.revision,
            "commit": report.commit,
        },
        "model": {
            "name": report.model_name,
            "name_source": report.model_name_source,
            "declared_license": report.declared_license,
            "relation": report.relation,
        },
        "lineage": _lineage(report.lineage),
        "findings": finding_dicts,
        "obligations": obligation_dicts,
        "summary": {
            "status": verdict.status(tally, counts, len(unchecked)),
            "verdict": verdict.headline(tally, len(unchecked)),
            "obligations": tally,
            "not_checkable": unchecked,
            "counts": counts,
            "highest_severity": highest_severity(counts),
            "rule_packs": sorted(report.rule_packs),
            "config_fail_on": report.config_fail_on,
        },
        "notes": list(report.notes),
        "weights": _weights(report.weights),
    }
