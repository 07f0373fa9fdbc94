"""From findings to a plan of edits: which sentences, keys and files each automatic
fix (a rule's `autofix:`) asks for. Pure: reads nothing, writes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compliance.report import Finding
from compliance.rule_model import Rule

Value = str | list[str]
HUB_RELATIONS = ("adapter", "merge", "quantized", "finetune")  # base_model_relation values


@dataclass
class Plan:
    notice: list[str] = field(default_factory=list)  # sentences the NOTICE file gains
    card: list[str] = field(default_factory=list)  # sentences the card body gains
    metadata: dict[str, Value] = field(default_factory=dict)  # front-matter keys to set
    license_for: list[str] = field(default_factory=list)  # packs whose text --license-file gives
    suggestions: list[str] = field(default_factory=list)  # shown, never applied
    not_fixed: list[str] = field(default_factory=list)  # automatic fixes that cannot run, why
    rules: list[str] = field(default_factory=list)  # rule ids the plan addresses

    @property
    def empty(self) -> bool:
        return not (self.notice or self.card or self.metadata or self.license_for)


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def plan_fixes(
    findings: Sequence[Finding],
    rules: Mapping[str, Rule],
    metadata: Mapping[str, Any],
    *,
    relation: str | None = None,
    written_as: Mapping[str, str] | None = None,
) -> Plan:
    """What to change so the fixable findings go away.

    `metadata` is the card's current front matter; `relation` the audit's relation
    (for `base_model_relation`); `written_as` maps an ancestor's canonical id to the
    id the repo itself wrote, which is what `base_model` should carry.
    """
    plan = Plan()
    wanted: dict[str, dict[str, list[str]]] = {}  # key -> value -> rule ids asking for it
    bases = _strings(metadata.get("base_model"))
    for f in findings:
        rule = rules.get(f.rule_id)
        fix = rule.autofix if rule else None
        if f.waived or fix is None:
            continue
        if fix.suggest:
            _add(plan.suggestions, f"{f.rule_id}: {f.fix or f.message}")
            continue
        if fix.notice:
            _add(plan.notice, fix.notice)
        if fix.card:
            _add(plan.card, fix.card)
        for key, value in fix.metadata.items():
            wanted.setdefault(key, {}).setdefault(value, []).append(f.rule_id)
        if fix.base_model and f.ancestor:
            base = (written_as or {}).get(f.ancestor, f.ancestor)
            if base not in bases:
                bases.append(base)
        if fix.license_file:
            _add(plan.license_for, f.rule_id.split("/", 1)[0])
        _add(plan.rules, f.rule_id)
    for key, values in wanted.items():
        if len(values) > 1:
            asked = "; ".join(f"{v!r} ({', '.join(r)})" for v, r in values.items())
            plan.not_fixed.append(f"`{key}`: rules ask for different values: {asked}")
            continue
        value = next(iter(values))
        if metadata.get(key) != value:
            plan.metadata[key] = value
    if bases != _strings(metadata.get("base_model")):
        plan.metadata["base_model"] = bases[0] if len(bases) == 1 else bases
        if relation in HUB_RELATIONS and not metadata.get("base_model_relation"):
            plan.metadata["base_model_relation"] = relation
    return plan
