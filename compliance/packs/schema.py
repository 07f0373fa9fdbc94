"""The declared schema of `pack.yaml` and rule files, and the checks beyond it.

`Key` / `check_schema` are a small declarative validator (pre-commit's cfgv idea):
one line per key with its types, whether it is required and its allowed values.
`compliance.config` reuses them for `.modelcheck.yaml`. `pack_problems` and
`rule_problems` add the cross-field rules a schema cannot say (ids match folder
and file names, licence rules need a clause, an unverified clause needs a note,
check options fit their kind).
Every function returns one-line problem messages; none raises.
"""

from __future__ import annotations

from typing import Any

from compliance.checks import CHECKS
from compliance.checks.base import validate_options
from compliance.lineage.model import RELATIONS
from compliance.records import record
from compliance.report import CATEGORIES, Severity

PACK_KINDS = ("license", "policy", "core")
PACK_CATEGORIES = (
    "permissive",
    "attribution",
    "copyleft",
    "non-commercial",
    "use-restricted",
    "custom-with-conditions",
)
VERIFICATION = ("verified", "unverified", "not-found")
SEVERITIES = tuple(s.value for s in Severity)


@record(frozen=True)
class Key:
    """One key of a YAML mapping: its type(s), whether required, allowed values."""

    types: tuple[type, ...]
    required: bool = False
    enum: tuple[Any, ...] | None = None
    items: type | None = None  # element type for lists
    schema: dict[str, Key] | None = None  # nested mapping


S, B, L, D, N = (str,), (bool,), (list,), (dict,), (type(None),)
STRS = Key(L, items=str)

IDENTITY = {
    "hub_ids": STRS,
    "license_names": STRS,
    "urls": STRS,
    "signatures": Key(L, items=list),
    "notice_signatures": Key(L, items=list),
}
DERIVATIVES = {"acceptable_ids": STRS, "acceptable_names": STRS, "note": Key(S + N)}
PACK_SCHEMA: dict[str, Key] = {
    "schema": Key((int,), required=True, enum=(1,)),
    "id": Key(S, required=True),
    "kind": Key(S, required=True, enum=PACK_KINDS),
    "title": Key(S, required=True),
    "version": Key(S + N),
    "category": Key(S + N, enum=(*PACK_CATEGORIES, None)),
    "commercial": Key(B + N),
    "spdx": Key(S + N),
    "source_text": Key(S + N),
    "verification": Key(S + N, enum=(*VERIFICATION, None)),
    "family": Key(S + N),
    "description": Key(S + N),
    "identity": Key(D, schema=IDENTITY),
    "derivatives": Key(D, schema=DERIVATIVES),
}
CLAUSE = {
    "section": Key(S, required=True),
    "quote": Key(S, required=True),
    "source": Key(S + N),
    "verified": Key(B),
    "note": Key(S + N),
}
DOCS = {
    "what": Key(S, required=True),
    "why": Key(S, required=True),
    "example": Key(S + N),
    "known_problems": Key(S + N),
    "references": STRS,
}
AUTOFIX = {
    "notice": Key(S),
    "card": Key(S),
    "metadata": Key(D),
    "base_model": Key(B),
    "license_file": Key(B),
    "suggest": Key(B),
}
CHECK = {"kind": Key(S, required=True, enum=tuple(sorted(CHECKS))), "options": Key(D + N)}
RULE_SCHEMA: dict[str, Key] = {
    "id": Key(S, required=True),
    "title": Key(S, required=True),
    "category": Key(S, required=True, enum=CATEGORIES),
    "severity": Key(S, required=True, enum=SEVERITIES),
    "severity_by_relation": Key(D),
    "applies_to": Key(L, items=str),
    "clause": Key(D + N, schema=CLAUSE),
    "check": Key(D, required=True, schema=CHECK),
    "message": Key(S, required=True),
    "fix": Key(S + N),
    "docs": Key(D, required=True, schema=DOCS),
    "since": Key(S + N),
    "autofix": Key(D, schema=AUTOFIX),
}


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False  # YAML `yes` must not pass for an int or a string
    return isinstance(value, types)


def _names(types: tuple[type, ...]) -> str:
    return " or ".join("null" if t is type(None) else t.__name__ for t in types)


def check_schema(data: Any, schema: dict[str, Key], where: str = "") -> list[str]:
    """Every problem of `data` against `schema`, as one-line messages."""
    if not isinstance(data, dict):
        return [f"{where or 'document'} must be a mapping (got {type(data).__name__})"]
    problems: list[str] = []
    prefix = f"{where}." if where else ""
    for key in data:
        if key not in schema:
            problems.append(f"unknown key '{prefix}{key}' (allowed: {', '.join(schema)})")
    for key, spec in schema.items():
        if key not in data:
            if spec.required:
                problems.append(f"missing required key '{prefix}{key}'")
            continue
        value = data[key]
        if not _type_ok(value, spec.types):
            problems.append(
                f"'{prefix}{key}' must be {_names(spec.types)} (got {type(value).__name__})"
            )
            continue
        if spec.enum is not None and value not in spec.enum:
            allowed = ", ".join(str(v) for v in spec.enum if v is not None)
            problems.append(f"'{prefix}{key}' must be one of {allowed} (got {value!r})")
        if spec.items is not None and isinstance(value, list):
            bad = [v for v in value if not _type_ok(v, (spec.items,))]
            if bad:
                problems.append(f"'{prefix}{key}' items must be {spec.items.__name__}")
        if spec.schema is not None and isinstance(value, dict):
            problems.extend(check_schema(value, spec.schema, f"{prefix}{key}"))
    return problems


def pack_problems(data: Any, folder: str) -> list[str]:
    """Every problem of a parsed `pack.yaml` found in the folder named `folder`."""
    problems = check_schema(data, PACK_SCHEMA)
    if problems:
        return problems
    if data["id"] != folder:
        problems.append(f"pack id '{data['id']}' must equal its folder name '{folder}'")
    if data["kind"] == "license":
        for key in ("category", "commercial", "identity"):
            if data.get(key) is None:
                problems.append(f"licence packs need '{key}'")
    for key in ("signatures", "notice_signatures"):
        for group in (data.get("identity") or {}).get(key) or []:
            if not group or not all(isinstance(p, str) and p.strip() for p in group):
                problems.append(f"'identity.{key}' groups must be non-empty lists of phrases")
    return problems


def rule_problems(data: Any, pack: dict[str, Any], stem: str) -> list[str]:
    """Every problem of a parsed rule file `<stem>.yaml` in the (valid) `pack`."""
    problems = check_schema(data, RULE_SCHEMA)
    if problems:
        return problems
    expected = f"{pack['id']}/{stem}"
    if data["id"] != expected:
        problems.append(f"rule id '{data['id']}' must be '{expected}' (<pack>/<file stem>)")
    if pack["kind"] == "license":
        if not data.get("clause"):
            problems.append("licence rules need a 'clause' (section + verbatim quote)")
        if not data.get("applies_to"):
            problems.append("licence rules need 'applies_to' (the relations that trigger them)")
    clause = data.get("clause") or {}
    if clause.get("verified") is False and not (clause.get("note") or "").strip():
        problems.append("'clause.verified: false' needs a 'clause.note' saying why")
    for rel in data.get("applies_to") or []:
        if rel not in RELATIONS:
            problems.append(f"'applies_to' value {rel!r} is not one of {', '.join(RELATIONS)}")
    for rel, sev in (data.get("severity_by_relation") or {}).items():
        if rel not in RELATIONS:
            allowed = ", ".join(RELATIONS)
            problems.append(f"'severity_by_relation' key {rel!r} is not one of {allowed}")
        if sev not in SEVERITIES:
            problems.append(f"'severity_by_relation.{rel}' must be one of {', '.join(SEVERITIES)}")
    check = data["check"]
    problems.extend(validate_options(CHECKS[check["kind"]], check.get("options") or {}))
    problems.extend(_autofix_problems(data.get("autofix") or {}, check.get("options") or {}))
    return problems


def _autofix_problems(fix: dict[str, Any], options: dict[str, Any]) -> list[str]:
    """A sentence `fix` writes must satisfy the rule's own check, or the fix would not fix."""
    problems = []
    phrases = [str(p).lower() for p in options.get("any") or []]
    for key in ("notice", "card"):
        text = str(fix.get(key) or "").lower()
        if key in fix and phrases and not any(p in text for p in phrases):
            problems.append(f"'autofix.{key}' must contain one of the check's 'any' phrases")
    for key, value in (fix.get("metadata") or {}).items():
        if not isinstance(value, str):
            problems.append(f"'autofix.metadata.{key}' must be a string")
    return problems
