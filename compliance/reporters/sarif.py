"""SARIF 2.1.0 reporter, shaped for GitHub code scanning.

One `rules[]` entry per rule that fired (clause quote and fix in its help text),
one result per finding with a physical location, a `partialFingerprints` entry
that is stable across runs (`locate.fingerprint`), and waived findings carried as
accepted external suppressions with the waiver's reason.

Code scanning needs a file for every result: a finding whose evidence names no
file (the model name, a file that is missing) points at the model card, which is
where a reader of the repo looks, with the metadata key as a logical location.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from compliance import __version__
from compliance.report import Finding, Report, Severity, finding_sort_key
from compliance.reporters import rulemeta
from compliance.reporters.escape import INVISIBLE
from compliance.reporters.locate import fingerprint, locate

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "modelcheckFinding/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
CARD = "README.md"
SRCROOT = "%SRCROOT%"


def _text(value: object) -> str:
    """Repo text as plain SARIF text: no controls or bidi overrides."""
    return INVISIBLE.sub("", str(value)).strip()


def _rule_descriptor(rule_id: str, example: Finding) -> dict[str, Any]:
    rule = rulemeta.rule(rule_id)
    pack = rulemeta.pack(rule.pack if rule else rule_id.split("/", 1)[0])
    clause = example.clause
    title = rule.title if rule else example.message
    fix = rule.fix if rule else example.fix
    help_lines = []
    if clause is not None:
        where = f"{pack.title if pack else clause.license} {clause.section}"
        unverified = "" if clause.verified else " (wording not verified against the licence text)"
        help_lines.append(f"{where}: “{clause.quote}”{unverified}")
    if rule is not None:
        help_lines.append(rule.docs.why)
    if fix:
        help_lines.append(f"Fix: {fix}")
    help_lines.append(f"Details: modelcheck explain {rule_id}")
    severity = rule.severity if rule else example.severity
    props: dict[str, Any] = {
        "category": rule.category if rule else example.category,
        "tags": ["licence-compliance", rule.category if rule else example.category],
    }
    if pack is not None:
        props.update(license=pack.id, licenseTitle=pack.title, licenseCategory=pack.category)
        if pack.spdx:
            props["spdx"] = pack.spdx
    if clause is not None:
        props.update(clauseSection=clause.section, clauseVerified=clause.verified)
    out: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id.split("/", 1)[-1],
        "shortDescription": {"text": _text(title)},
        "fullDescription": {"text": _text(rule.docs.what if rule else example.message)},
        "help": {"text": _text("\n\n".join(help_lines))},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": props,
    }
    url = rulemeta.license_url(pack)
    if url:
        out["helpUri"] = url
    return out


def _prefix(report: Report) -> str:
    """The audited directory relative to the working directory, so result paths are
    relative to the checkout root when the model lives in a sub-folder."""
    if report.source_kind != "local":
        return ""
    try:
        rel = os.path.relpath(Path(report.target).resolve(), Path.cwd().resolve())
    except (OSError, ValueError):
        return ""
    return "" if rel == "." or rel.startswith("..") else PurePosixPath(Path(rel)).as_posix()


def _location(f: Finding, prefix: str) -> dict[str, Any]:
    loc = locate(f)
    file = loc.file or CARD
    # a URI: percent-encoded, so a control character in a file name stays inert
    uri = quote(f"{prefix}/{file}" if prefix else file, safe="/")
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if loc.file and loc.line:
        physical["region"] = {"startLine": loc.line}
    out: dict[str, Any] = {"physicalLocation": physical}
    if loc.key:
        out["logicalLocations"] = [{"name": _text(loc.key), "kind": "member"}]
    return out


def _message(f: Finding) -> str:
    parts = [f.message]
    if f.ancestor:
        parts.append(f"(Required by the licence of {f.ancestor}.)")
    if f.fix:
        parts.append(f"Fix: {f.fix}")
    return _text(" ".join(parts))


def _result(f: Finding, rule_index: int, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": _message(f)},
        "locations": [_location(f, prefix)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": {
            "category": f.category,
            "evidence": [
                {k: _text(v) if isinstance(v, str) else v for k, v in vars(e).items() if v}
                for e in f.evidence
            ],
        },
    }
    if f.ancestor:
        out["properties"]["ancestor"] = _text(f.ancestor)
    if f.waived:
        out["suppressions"] = [
            {
                "kind": "external",  # .modelcheck.yaml, not the audited file itself
                "status": "accepted",
                "justification": _text(f.waiver_reason or "waived in .modelcheck.yaml"),
            }
        ]
    return out


def to_sarif(report: Report) -> dict[str, Any]:
    findings = sorted(report.findings, key=finding_sort_key)
    index: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    for f in findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(descriptors)
            descriptors.append(_rule_descriptor(f.rule_id, f))
    prefix = _prefix(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "modelcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }
        },
        "results": [_result(f, index[f.rule_id], prefix) for f in findings],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "target": _text(report.target),
            "model": _text(report.model_name),
            "declaredLicense": _text(report.declared_license or ""),
            "relation": report.relation or "",
            "commit": report.commit or "",
            "notes": [_text(n) for n in report.notes],
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
