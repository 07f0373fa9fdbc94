"""The rules engine: facts + lineage + packs + config -> findings and obligation states.

No I/O, no printing. Obligations are cumulative: each ancestor licence's pack is
evaluated once, listing every ancestor that brings it, and its findings name the
nearest such ancestor. `applies_to` filters licence rules by the audited model's
relation (a model with no ancestors gets no derivative obligations). Core and
policy rules run once. Waivers mark findings, never hide them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from compliance.checks import CHECKS
from compliance.checks.base import CheckContext, CheckResult
from compliance.config import Config, Waiver
from compliance.facts.model import Facts
from compliance.lineage.model import Ancestor, Lineage
from compliance.packs import Pack, Rule
from compliance.report import Evidence, Finding, ObligationResult, ObligationState, Severity

WAIVER_WITHOUT_REASON = "core/waiver-without-reason"
WAIVER_UNUSED = "core/waiver-unused"


def _ancestors_with(lineage: Lineage, license_id: str) -> tuple[Ancestor, ...]:
    """Ancestors under `license_id`, nearest first (stable within a depth)."""
    found = [a for a in lineage.ancestors if a.license == license_id]
    return tuple(sorted(found, key=lambda a: a.depth))


def _findings(rule: Rule, pack: Pack, result: CheckResult, ancestor: str | None) -> list[Finding]:
    clause = rule.clause.to_clause(pack.id) if rule.clause else None
    base = {
        "rule_id": rule.id,
        "severity": rule.severity,
        "clause": clause,
        "fix": rule.fix,
    }
    if result.hits:
        return [
            Finding(
                category=h.category or rule.category,
                message=h.message or rule.message,
                evidence=h.evidence,
                ancestor=h.ancestor or ancestor,
                **base,
            )
            for h in result.hits
        ]
    return [
        Finding(
            category=rule.category,
            message=result.message or rule.message,
            evidence=result.evidence,
            ancestor=ancestor,
            **base,
        )
    ]


def _run(rule: Rule, ctx: CheckContext) -> CheckResult:
    return CHECKS[rule.check.kind].check(ctx, rule)


def _reports(rule: Rule, result: CheckResult) -> bool:
    if result.state is ObligationState.NOT_MET:
        return True
    kind = CHECKS[rule.check.kind]
    return result.state is ObligationState.NOT_CHECKABLE and getattr(
        kind, "FINDING_WHEN_NOT_CHECKABLE", False
    )


def _waiver_matches(w: Waiver, f: Finding, lineage: Lineage) -> bool:
    if w.rule != f.rule_id:
        return False
    if w.ancestor is None:
        return True
    if f.ancestor is None:
        return False
    wanted = w.ancestor.lower()
    if f.ancestor.lower() == wanted:
        return True
    # a waiver may name the ancestor as written (a re-upload) rather than its canonical id
    return any(
        a.repo_id == f.ancestor and (a.as_written or "").lower() == wanted
        for a in lineage.ancestors
    )


def _apply_waivers(
    findings: list[Finding], config: Config | None, lineage: Lineage, engine_pack: Pack | None
) -> list[Finding]:
    if config is None or not config.waivers:
        return findings
    out = list(findings)
    extra: list[Finding] = []
    for w in config.waivers:
        hits = [i for i, f in enumerate(out) if _waiver_matches(w, f, lineage)]
        ev = Evidence(file=config.origin, line=w.line, key=f"waivers[{w.index}]", seen=w.rule)
        if not w.reason:
            extra.append(
                Finding(
                    rule_id=WAIVER_WITHOUT_REASON,
                    category="metadata-invalid",
                    severity=Severity.ERROR,
                    message=f"The waiver for `{w.rule}` has no `reason`, so it was not applied.",
                    evidence=(ev,),
                    fix=_fix_of(engine_pack, WAIVER_WITHOUT_REASON),
                )
            )
            continue
        if not hits:
            target = f"`{w.rule}`" + (f" (ancestor `{w.ancestor}`)" if w.ancestor else "")
            extra.append(
                Finding(
                    rule_id=WAIVER_UNUSED,
                    category="metadata-invalid",
                    severity=Severity.INFO,
                    message=f"The waiver for {target} matches no finding of this audit.",
                    evidence=(ev,),
                    fix=_fix_of(engine_pack, WAIVER_UNUSED),
                )
            )
            continue
        for i in hits:
            f = out[i]
            out[i] = replace(f, waived=True, waiver_reason=w.reason)
    return out + extra


def _fix_of(pack: Pack | None, rule_id: str) -> str | None:
    if pack is None:
        return None
    return next((r.fix for r in pack.rules if r.id == rule_id), None)


def sort_key(f: Finding) -> tuple[Any, ...]:
    ev = f.evidence[0] if f.evidence else Evidence()
    return (
        -f.severity.rank,
        f.rule_id,
        f.ancestor or "",
        ev.file or "",
        ev.line or 0,
        ev.key or "",
        f.message,
    )


def evaluate(
    facts: Facts,
    lineage: Lineage,
    packs: Sequence[Pack],
    config: Config | None = None,
    model_name: str | None = None,
    extra_findings: Sequence[Finding] = (),
) -> tuple[list[Finding], list[ObligationResult]]:
    """Every finding and obligation state for one audit, sorted.

    `extra_findings` (e.g. from weight evidence) get the same waivers and sorting.
    """
    by_id = {p.id: p for p in packs}
    name = model_name or lineage.model
    findings: list[Finding] = []
    obligations: list[ObligationResult] = []

    def context(pack: Pack, ancestors: tuple[Ancestor, ...]) -> CheckContext:
        return CheckContext(facts, lineage, name, by_id, pack, ancestors, config)

    relation = lineage.relation
    has_ancestors = bool(lineage.ancestors)
    for lic in lineage.licenses():
        pack = by_id.get(lic)
        if pack is None or pack.kind != "license":
            continue
        bringers = _ancestors_with(lineage, lic)
        names = tuple(a.repo_id for a in bringers)
        for rule in pack.rules:
            if not has_ancestors or (rule.applies_to and relation not in rule.applies_to):
                state = ObligationState.NOT_APPLICABLE
            else:
                result = _run(rule, context(pack, bringers))
                state = result.state
                if _reports(rule, result):
                    findings.extend(_findings(rule, pack, result, names[0] if names else None))
            obligations.append(ObligationResult(rule.id, lic, rule.title, state, names))

    everyone = tuple(sorted(lineage.ancestors, key=lambda a: a.depth))
    for pack in packs:
        if pack.kind == "license":
            continue
        for rule in pack.rules:
            if rule.applies_to and relation not in rule.applies_to:
                continue
            result = _run(rule, context(pack, everyone))
            if _reports(rule, result):
                findings.extend(_findings(rule, pack, result, None))

    findings.extend(extra_findings)
    findings = _apply_waivers(findings, config, lineage, by_id.get("core"))
    findings.sort(key=sort_key)
    obligations.sort(key=lambda o: (o.license, o.rule_id))
    return findings, obligations
