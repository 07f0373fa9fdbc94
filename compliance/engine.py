"""The rules engine: facts + lineage + packs + config -> findings and obligation states.

No I/O, no printing. Obligations are cumulative: each ancestor licence's pack is
evaluated once, listing every ancestor that brings it, and its findings name the
nearest such ancestor. `applies_to` filters licence rules by the audited model's
relation (a model with no ancestors gets no derivative obligations). Core and
policy rules run once. Waivers mark findings, never hide them: a waiver matches by
rule id and, if it names one, by ancestor (for a licence rule, any ancestor that
brings the licence); one without a reason is not applied and is itself an error
finding, one that matches nothing an info finding. Output is sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from compliance.checks import CHECKS
from compliance.checks.base import CheckContext, CheckResult, Hit
from compliance.checks.publisher import org_of, same_publisher
from compliance.config import Config, Waiver
from compliance.facts.model import Facts
from compliance.lineage.copies import copied_model
from compliance.lineage.model import Ancestor, Lineage
from compliance.packs.identify import Identifier
from compliance.records import replace
from compliance.report import (
    Evidence,
    Finding,
    ObligationResult,
    ObligationState,
    Severity,
    finding_sort_key,
    obligation_sort_key,
)
from compliance.rule_model import Pack, Rule

WAIVER_WITHOUT_REASON = "core/waiver-without-reason"
WAIVER_UNUSED = "core/waiver-unused"
WAIVER_EXPIRED = "core/waiver-expired"
WAIVER_UNKNOWN_RULE = "core/waiver-unknown-rule"
LICENSOR_OWN_RELEASE = "core/licensor-own-release"


def _ancestors_with(lineage: Lineage, license_id: str) -> tuple[Ancestor, ...]:
    """Ancestors under `license_id`, nearest first (stable within a depth)."""
    found = [a for a in lineage.ancestors if a.license == license_id]
    return tuple(sorted(found, key=lambda a: a.depth))


def _licensors_own_release(ancestors: tuple[Ancestor, ...], model: str, lineage: Lineage) -> bool:
    """True when the audited model's publisher is the licensor of every ancestor bringing it.

    A licensor publishing a derivative of its own model (Meta's Llama Guard, Mistral AI's
    instruct models) is not a licensee of itself, so the redistribution duties its licence
    puts on others (licence copy, NOTICE, "Built with") do not bind that release. That needs
    every such ancestor in the publisher's organisation and the first of them an original the
    built-in catalog records under that licence (no parent of its own): a copy of someone
    else's model mirrored into one's own namespace keeps every obligation.
    """
    if not ancestors or not all(same_publisher(model, a.repo_id) for a in ancestors):
        return False
    root = ancestors[-1]
    has_parent = any(a.child == root.repo_id for a in lineage.ancestors)
    return root.license_source == "catalog" and not has_parent


def _own_release(
    pack: Pack, ancestors: tuple[Ancestor, ...], model: str, core: Pack | None
) -> Finding:
    """Info: a licence's obligations were skipped because its licensor publishes the model."""
    names = ", ".join(f"`{a.repo_id}`" for a in ancestors)
    return Finding(
        rule_id=LICENSOR_OWN_RELEASE,
        category="unverifiable",
        severity=Severity.INFO,
        message=(
            f"The obligations of the {pack.title} were not applied: `{model}` is published by "
            f"the same organisation as {names}, which brings that licence, and a licensor owes "
            "itself no licence copy, NOTICE or attribution. Confirm the repository belongs to "
            "the licensor."
        ),
        evidence=(Evidence(seen=f"publisher `{org_of(model)}` brings {pack.id}"),),
        fix=_fix_of(core, LICENSOR_OWN_RELEASE),
        ancestor=ancestors[0].repo_id,
    )


# What a repo that declares a model licence owes for its own copy of the weights.
COPY_DUTIES = ("missing-license-file", "missing-notice")


def _declared_copy_duties(
    lineage: Lineage,
    pack: Pack | None,
    context: Callable[[Pack, tuple[Ancestor, ...]], CheckContext],
    obligations: list[ObligationResult],
    copied: bool = False,
    link_missing: bool = False,
) -> list[Finding]:
    """A derivative whose bases cannot be resolved, under a licence it declares itself.

    The repo says it derives from something (derivation signals) and names a model licence
    no resolved ancestor brings: that licence still travels with the weights, so its copy
    duties (licence text, Notice) apply to the repo itself. Naming and display duties are
    left out: they hang on knowing the base.
    A copy of a model (`copied`) and a card whose `license_link` names a file the repo
    lacks owe the same.
    """
    if pack is None or pack.kind != "license":
        return []
    if not (lineage.derivation_signals or copied or link_missing):
        return []
    if pack.id in lineage.licenses():
        return []
    out: list[Finding] = []
    for rule in pack.rules:
        if rule.category not in COPY_DUTIES:
            continue
        result = _run(rule, context(pack, ()))
        if _reports(rule, result):
            out.extend(_findings(rule, pack, result, None))
        obligations.append(ObligationResult(rule.id, pack.id, rule.title, result.state, ()))
    return out


def _relation_to(bringers: tuple[Ancestor, ...], lineage: Lineage) -> str | None:
    """"distilled" when a licence comes in only through models the repo was distilled from
    (a teacher named by `datasets:`), else the repo's relation."""
    by_id = {a.repo_id: a for a in lineage.ancestors}

    def direct_of(a: Ancestor) -> Ancestor:
        for _ in range(len(lineage.ancestors)):
            parent = by_id.get(a.child)
            if a.depth <= 1 or parent is None:
                break
            a = parent
        return a

    roots = [direct_of(a) for a in bringers]
    if roots and all(r.relation == "distilled" for r in roots):
        return "distilled"
    return lineage.relation


def _link_missing(facts: Facts) -> bool:
    """The card's `license_link` names a file in the repo (no URL) that the repo lacks."""
    link = (facts.card.license_link or "").strip().removeprefix("./")
    if not link or "://" in link or len(link) > 300:
        return False
    return link not in facts.files


def _findings(
    rule: Rule,
    pack: Pack,
    result: CheckResult,
    ancestor: str | None,
    relation: str | None = None,
) -> list[Finding]:
    """One finding per hit; a result without hits is one finding about the result itself."""
    clause = rule.clause.to_clause(pack.id) if rule.clause else None
    hits = result.hits or (Hit(evidence=result.evidence, message=result.message),)
    return [
        Finding(
            rule_id=rule.id,
            category=h.category or rule.category,
            severity=h.severity or rule.severity_for(relation),
            message=h.message or rule.message,
            evidence=h.evidence,
            clause=clause,
            fix=rule.fix,
            ancestor=h.ancestor or ancestor,
        )
        for h in hits
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


def _waiver_names(f: Finding, lineage: Lineage, licence_packs: frozenset[str]) -> set[str]:
    """Every name (lower case) a waiver's `ancestor` may give for what `f` is about.

    A licence rule's finding is the obligation of that licence as a whole: it names the
    nearest ancestor that brings it, but a waiver may name any of them (the obligation
    lists them all), e.g. `meta-llama/Llama-3.1-8B` behind a fine-tune of the Instruct
    model. Other findings are about their own ancestor only. An ancestor may also be
    named as written (a re-upload) rather than by its canonical id.
    """
    if f.ancestor is None:
        return set()
    licence = f.rule_id.split("/", 1)[0]
    brought = licence in licence_packs and any(
        a.repo_id == f.ancestor and a.license == licence for a in lineage.ancestors
    )
    about = [
        a
        for a in lineage.ancestors
        if (a.license == licence if brought else a.repo_id == f.ancestor)
    ]
    names = {f.ancestor.lower()}
    names.update(n.lower() for a in about for n in (a.repo_id, a.as_written) if n)
    return names


def _waiver_matches(w: Waiver, f: Finding, names: set[str]) -> bool:
    if w.rule != f.rule_id:
        return False
    return w.ancestor is None or w.ancestor.lower() in names


def _engine_finding(
    rule_id: str, severity: Severity, message: str, evidence: Evidence, engine_pack: Pack | None
) -> Finding:
    """A finding about the audit's own configuration (a waiver), fixed in .modelcheck.yaml."""
    return Finding(
        rule_id=rule_id,
        category="metadata-invalid",
        severity=severity,
        message=message,
        evidence=(evidence,),
        fix=_fix_of(engine_pack, rule_id),
    )


def _apply_waivers(
    findings: list[Finding],
    config: Config | None,
    lineage: Lineage,
    packs: Mapping[str, Pack],
) -> list[Finding]:
    if config is None or not config.waivers:
        return findings
    licence_packs = frozenset(p.id for p in packs.values() if p.kind == "license")
    names = [_waiver_names(f, lineage, licence_packs) for f in findings]
    core = packs.get("core")
    out = list(findings)
    extra: list[Finding] = []
    for w in config.waivers:
        ev = Evidence(file=config.origin, line=w.line, key=f"waivers[{w.index}]", seen=w.rule)
        if not w.reason:
            message = f"The waiver for `{w.rule}` has no `reason`, so it was not applied."
            extra.append(_engine_finding(WAIVER_WITHOUT_REASON, Severity.ERROR, message, ev, core))
            continue
        problem = _waiver_problem(w, packs, {f.rule_id for f in out})
        if problem is not None:
            extra.append(_engine_finding(problem[0], Severity.WARNING, problem[1], ev, core))
            continue
        hits = [i for i, f in enumerate(out) if _waiver_matches(w, f, names[i])]
        if not hits:
            target = f"`{w.rule}`" + (f" (ancestor `{w.ancestor}`)" if w.ancestor else "")
            message = f"The waiver for {target} matches no finding of this audit."
            extra.append(_engine_finding(WAIVER_UNUSED, Severity.INFO, message, ev, core))
            continue
        for i in hits:
            out[i] = replace(out[i], waived=True, waiver_reason=w.reason)
    return out + extra


# Rule ids the engine emits without a rule file (weight evidence, only with --weights).
ENGINE_RULE_PREFIXES = ("weights/",)


def _waiver_problem(
    w: Waiver, packs: Mapping[str, Pack], fired: set[str]
) -> tuple[str, str] | None:
    """(rule id, message) when a waiver has expired or names no existing rule."""
    import datetime
    import difflib

    if w.expires and datetime.date.fromisoformat(w.expires) < datetime.date.today():
        return WAIVER_EXPIRED, (
            f"The waiver for `{w.rule}` expired on {w.expires}, so it was not applied."
        )
    known = sorted({r.id for p in packs.values() for r in p.rules} | fired)
    if w.rule in known or w.rule.startswith(ENGINE_RULE_PREFIXES):
        return None
    close = difflib.get_close_matches(w.rule, known, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else "."
    return WAIVER_UNKNOWN_RULE, f"The waiver names `{w.rule}`, which is not a rule id{hint}"


def _fix_of(pack: Pack | None, rule_id: str) -> str | None:
    if pack is None:
        return None
    return next((r.fix for r in pack.rules if r.id == rule_id), None)


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
    identify = Identifier(packs)
    declared_pack = identify.card(facts.card)
    identified = identify.files(facts.license_files)

    def context(pack: Pack, ancestors: tuple[Ancestor, ...]) -> CheckContext:
        return CheckContext(facts, lineage, name, by_id, pack, ancestors, declared_pack, identified)

    copy = copied_model(facts, lineage, name)
    # Only ancestors bring licences: a model without any gets no derivative obligations.
    for lic in lineage.licenses():
        pack = by_id.get(lic)
        if pack is None or pack.kind != "license":
            continue
        bringers = _ancestors_with(lineage, lic)
        own = _licensors_own_release(bringers, name, lineage)
        if own:
            findings.append(_own_release(pack, bringers, name, by_id.get("core")))
        names = tuple(a.repo_id for a in bringers)
        relation = _relation_to(bringers, lineage)
        as_copy = copy is not None and copy in bringers
        for rule in pack.rules:
            if as_copy:
                skip = rule.category not in COPY_DUTIES
            else:
                skip = bool(rule.applies_to) and relation not in (rule.applies_to or ())
            if own or skip:
                state = ObligationState.NOT_APPLICABLE
            else:
                result = _run(rule, context(pack, bringers))
                state = result.state
                if _reports(rule, result):
                    nearest = names[0] if names else None
                    findings.extend(_findings(rule, pack, result, nearest, relation))
            obligations.append(ObligationResult(rule.id, lic, rule.title, state, names))

    relation = lineage.relation
    findings.extend(
        _declared_copy_duties(
            lineage, by_id.get(declared_pack or ""), context, obligations,
            copied=copy is not None, link_missing=_link_missing(facts),
        )
    )

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
    findings = _apply_waivers(findings, config, lineage, by_id)
    findings.sort(key=finding_sort_key)
    obligations.sort(key=obligation_sort_key)
    return findings, obligations
