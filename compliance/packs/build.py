"""Validated pack and rule documents -> the frozen records of `compliance.rule_model`.

Callers validate first (`compliance.packs.schema`); these functions assume the
shape the schema guarantees and never raise for content.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compliance.report import Severity
from compliance.rule_model import (
    Autofix,
    CheckSpec,
    ClauseSpec,
    Derivatives,
    Docs,
    Identity,
    Pack,
    Rule,
)
from compliance.text import normalise

# an Enum's call by value goes through its metaclass; the hook builds ~250 rules
_SEVERITY = {s.value: s for s in Severity}


def _severity(value: Any) -> Severity:
    return _SEVERITY.get(value) or Severity(value)


def _strs(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _groups(groups: Iterable[Iterable[str]] | None) -> tuple[tuple[str, ...], ...]:
    """Signature phrase groups, normalised once here instead of on every match."""
    return tuple(tuple(normalise(p) for p in g) for g in groups or ())


def _autofix(data: dict[str, Any] | None) -> Autofix | None:
    if not data:
        return None
    return Autofix(
        **{**data, "metadata": {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}}
    )


def build_rule(data: dict[str, Any], pack_id: str, path: str | Path) -> Rule:
    clause = data.get("clause")
    docs = data["docs"]
    return Rule(
        id=data["id"],
        pack=pack_id,
        title=data["title"],
        category=data["category"],
        severity=_severity(data["severity"]),
        applies_to=tuple(data["applies_to"]) if data.get("applies_to") else None,
        clause=ClauseSpec(
            section=clause["section"],
            quote=clause["quote"],
            source=clause.get("source"),
            verified=clause.get("verified", True),
            note=clause.get("note"),
        )
        if clause
        else None,
        check=CheckSpec(data["check"]["kind"], dict(data["check"].get("options") or {})),
        message=data["message"].strip(),
        fix=data.get("fix"),
        docs=Docs(
            what=docs["what"],
            why=docs["why"],
            example=docs.get("example"),
            known_problems=docs.get("known_problems"),
            references=_strs(docs.get("references")),
        ),
        path=str(path),
        since=data.get("since"),
        severity_by_relation={
            str(k): _severity(v) for k, v in (data.get("severity_by_relation") or {}).items()
        },
        autofix=_autofix(data.get("autofix")),
    )


def build_pack(data: dict[str, Any], path: Path, rules: tuple[Rule, ...]) -> Pack:
    ident = data.get("identity") or {}
    deriv = data.get("derivatives") or {}
    return Pack(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        path=str(path),
        version=data.get("version"),
        category=data.get("category"),
        commercial=data.get("commercial"),
        spdx=data.get("spdx"),
        source_text=data.get("source_text"),
        verification=data.get("verification"),
        family=data.get("family"),
        identity=Identity(
            hub_ids=_strs(ident.get("hub_ids")),
            license_names=_strs(ident.get("license_names")),
            urls=_strs(ident.get("urls")),
            signatures=_groups(ident.get("signatures")),
            notice_signatures=_groups(ident.get("notice_signatures")),
        ),
        derivatives=Derivatives(
            acceptable_ids=_strs(deriv.get("acceptable_ids")),
            acceptable_names=_strs(deriv.get("acceptable_names")),
            note=deriv.get("note"),
        ),
        rules=rules,
    )
