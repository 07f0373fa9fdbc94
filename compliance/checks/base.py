"""What every check kind receives and returns.

A check never raises for non-compliance and never prints: it returns a
`CheckResult` (met / not-met / not-checkable) with the evidence it rests on.
Kinds that can fire several times (one per ancestor, per problem…) return
`hits`; the engine turns each hit into one finding.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any, Protocol

from compliance.facts.model import Card, Facts
from compliance.lineage.model import Ancestor, Lineage
from compliance.records import field, record
from compliance.report import Evidence, ObligationState, Severity
from compliance.rule_model import Pack, Rule

MET = ObligationState.MET
NOT_MET = ObligationState.NOT_MET
NOT_CHECKABLE = ObligationState.NOT_CHECKABLE


@record(frozen=True)
class Hit:
    """One finding's worth of detail; fields left None fall back to the rule's."""

    evidence: tuple[Evidence, ...] = ()
    message: str | None = None
    ancestor: str | None = None
    category: str | None = None  # only where one kind covers two categories (documented per kind)
    severity: Severity | None = None  # only where the kind knows the duty is uncertain (documented)


@record(frozen=True)
class CheckResult:
    """What one check found: the obligation's state and its evidence."""
    state: ObligationState
    evidence: tuple[Evidence, ...] = ()
    hits: tuple[Hit, ...] = ()
    message: str | None = None  # replaces the rule's message when the kind knows better

    @classmethod
    def met(cls, *evidence: Evidence) -> CheckResult:
        return cls(MET, tuple(evidence))

    @classmethod
    def not_met(cls, *evidence: Evidence, message: str | None = None) -> CheckResult:
        return cls(NOT_MET, tuple(evidence), message=message)

    @classmethod
    def not_checkable(cls, *evidence: Evidence, message: str | None = None) -> CheckResult:
        return cls(NOT_CHECKABLE, tuple(evidence), message=message)

    @classmethod
    def from_hits(cls, hits: list[Hit]) -> CheckResult:
        return cls(NOT_MET, hits=tuple(hits)) if hits else cls(MET)


def per_ancestor(
    ancestors: Iterable[Ancestor],
    message_for: Callable[[Ancestor], str | None],
    *,
    evidence: int | None = None,
) -> CheckResult:
    """One hit per ancestor `message_for` has a message about; met when it has none.

    Shared by the kinds that judge each ancestor on its own. Each hit names its
    ancestor and quotes its first `evidence` pieces of evidence (None: all).
    """
    hits = []
    for a in ancestors:
        message = message_for(a)
        if message is not None:
            hits.append(
                Hit(evidence=tuple(a.evidence[:evidence]), ancestor=a.repo_id, message=message)
            )
    return CheckResult.from_hits(hits)


def nearest(ancestors: Iterable[Ancestor], license_id: str) -> Ancestor:
    """The nearest (lowest depth, first listed on a tie) ancestor under `license_id`."""
    return min((a for a in ancestors if a.license == license_id), key=lambda a: a.depth)


@record
class CheckContext:
    """Read-only view of one audit, as seen by one rule.

    Licence identification ran once for the audit's final set of packs:
    `declared_pack` is the pack the card's licence metadata names, `identified`
    maps each licence-bearing file to the packs its text matches.
    """

    facts: Facts
    lineage: Lineage
    model_name: str
    packs: Mapping[str, Pack]
    pack: Pack  # the pack the rule belongs to
    ancestors: tuple[Ancestor, ...] = ()  # ancestors bringing this licence (all, for core/policy)
    declared_pack: str | None = None
    identified: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def card(self) -> Card:
        return self.facts.card

    @property
    def card_meta(self) -> Mapping[str, Any]:
        """The front matter as parsed (for the kinds that take any key from a rule)."""
        return self.facts.card.metadata

    def meta_evidence(self, key: str, seen: object = None, missing: str | None = None) -> Evidence:
        """Evidence pointing at a card metadata key."""
        line = self.facts.card.metadata_lines.get(key)
        shown = None if seen is None else str(seen)
        return Evidence(
            file=self.facts.card.path,
            line=line,
            key=f"card:{key}",
            seen=shown,
            missing=missing,
        )


class CheckKind(Protocol):
    """What the engine and the rule loader rely on in a check kind module."""

    KIND: str
    OPTIONS: Mapping[str, Any]  # option -> Python type (list[str], str | None, ...)

    def check(self, ctx: CheckContext, rule: Rule) -> CheckResult: ...


# -- option validation (yamllint's CONF, as Python types) ---------------------


def _type_name(spec: Any) -> str:
    if typing.get_origin(spec) is not None:  # list[str], str | int, ...
        return str(spec).replace("typing.", "")
    return getattr(spec, "__name__", None) or str(spec)


def _type_ok(value: Any, spec: Any) -> bool:
    if spec is Any:
        return True
    origin = typing.get_origin(spec)
    if origin is list:
        (item,) = typing.get_args(spec)
        return isinstance(value, list) and all(_type_ok(v, item) for v in value)
    if origin is dict:
        kt, vt = typing.get_args(spec)
        return isinstance(value, dict) and all(
            _type_ok(k, kt) and _type_ok(v, vt) for k, v in value.items()
        )
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, s) for s in typing.get_args(spec))
    if spec is bool:
        return isinstance(value, bool)
    if spec is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if spec is type(None):
        return value is None
    return isinstance(value, spec)


def validate_options(module: CheckKind | ModuleType, options: Mapping[str, Any]) -> list[str]:
    """Problems with `options` for a check kind module (empty list = valid)."""
    declared: dict[str, Any] = getattr(module, "OPTIONS", {})
    required: tuple[str, ...] = getattr(module, "REQUIRED", ())
    problems: list[str] = []
    for name in options:
        if name not in declared:
            allowed = ", ".join(sorted(declared)) or "none"
            problems.append(f"unknown option '{name}' for kind {module.KIND} (allowed: {allowed})")
    for name, spec in declared.items():
        if name in options and not _type_ok(options[name], spec):
            problems.append(
                f"option '{name}' of kind {module.KIND} must be {_type_name(spec)}"
                f" (got {type(options[name]).__name__})"
            )
    for name in required:
        if name not in options:
            problems.append(f"kind {module.KIND} needs option '{name}'")
    extra = getattr(module, "validate", None)
    if extra is not None and not problems:
        problems.extend(extra(options))
    return problems


def phrases(options: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The `any` / `all` phrase lists shared by the text-matching kinds."""
    return list(options.get("any") or []), list(options.get("all") or [])


def need_phrases(options: Mapping[str, Any]) -> list[str]:
    if not options.get("any") and not options.get("all"):
        return ["give at least one phrase in 'any' or 'all'"]
    return []
