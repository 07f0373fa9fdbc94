"""Weight evidence for `modelcheck audit --weights` (lineage.md §5.2).

For each declared base: compare the audited weights with the base's weights (a
fingerprint from --fingerprints, or the Hub repo when the audit itself is remote)
and state "supported" / "no weight evidence found with methods …" / "not verifiable
because …". Other candidates (bases inferred from metadata, every fingerprint in
the library) are compared too; a positive verdict for a base that is not declared
becomes an `undeclared-base-model` finding, and an MoE-upcycling / pruning / depth
up-scaling pattern not declared as such becomes `undisclosed-upcycling`.
Weight problems (unreadable files, incompatible shapes) become statements, never
exceptions that lose the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from os import PathLike
from typing import Any

from compliance.errors import ModelcheckError
from compliance.report import Evidence, Finding, Severity

SUPPORTED = "supported"
NO_EVIDENCE = "no weight evidence found"
SUGGESTIVE = "suggestive, not conclusive"
NOT_VERIFIABLE = "not verifiable"
UPCYCLING_SUBTYPES = {
    "upcycled-moe": "an MoE whose experts were derived from a dense model's MLP (upcycling)",
    "pruned": "depth pruning (layers removed)",
    "up-scaled": "depth up-scaling (layers duplicated)",
}


@dataclass
class BaseStatement:
    base: str
    status: str  # SUPPORTED | NO_EVIDENCE | SUGGESTIVE | NOT_VERIFIABLE
    detail: str
    via: str | None = None  # "fingerprint <file>" | "hub" | None


@dataclass
class ComparisonRow:
    candidate: str
    declared: bool
    kind: str  # verdict kind (normalised)
    verdict: str  # human title
    evidence: str  # headline sentence
    bytes_read: str


@dataclass
class WeightsSection:
    suspect: str
    statements: list[BaseStatement] = field(default_factory=list)
    comparisons: list[ComparisonRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: list[Any] = field(default_factory=list)  # compare.LineageComparison

    def to_dict(self) -> dict[str, Any]:
        from compliance.weights.compare import jsonable

        return {
            "suspect": self.suspect,
            "statements": [asdict(s) for s in self.statements],
            "comparisons": [asdict(c) for c in self.comparisons],
            "notes": list(self.notes),
            "details": [jsonable(d.to_dict()) for d in self.details],
        }


def _declared_bases(lineage: Any) -> list[str]:
    out: list[str] = []
    for a in (lineage.direct() if lineage is not None else []):
        if a.declared and a.repo_id not in out:
            out.append(a.repo_id)
    return out


def _inferred_bases(lineage: Any, declared: list[str]) -> list[str]:
    out: list[str] = []
    for a in (lineage.direct() if lineage is not None else []):
        if not a.declared and a.repo_id not in declared and a.repo_id not in out:
            out.append(a.repo_id)
    return out


def _suspect_view(facts: Any, source: Any, label: str) -> Any:
    from compliance.weights.files import SourceFiles
    from compliance.weights.safetensors_view import SafetensorsView

    local = getattr(source, "kind", None) == "local"
    return SafetensorsView(
        SourceFiles(source),
        label=label,
        revision=facts.commit,
        config=dict(facts.config.data) if facts.config.present else None,
        # hashing a local tensor only costs reading it; remotely it means downloading it
        digest_max_bytes=None if local else 0,
    )


def _open_candidate(
    repo_id: str, library: dict[str, Any], network: bool, hub_source: Any
) -> tuple[Any | None, str | None, str | None]:
    """(view, via, reason-if-none)."""
    if repo_id in library:
        fp = library[repo_id]
        return fp, f"fingerprint {fp.path.name}", None
    if not network:
        return None, None, (
            f"no fingerprint of {repo_id} was given (--fingerprints DIR) and a local audit "
            "does not download base weights"
        )
    from compliance.weights.compare import open_view

    try:
        return open_view(repo_id, None, hub_source), "hub", None
    except ModelcheckError as exc:
        return None, None, f"its weights could not be read ({exc})"


def _library(fingerprint_dirs: list[Any], notes: list[str]) -> dict[str, Any]:
    from compliance.weights.fingerprint import load_library

    views, lib_notes = load_library(fingerprint_dirs)
    notes.extend(lib_notes)
    out: dict[str, Any] = {}
    for v in views:
        key = str(v.meta.get("repo_id") or v.label)
        if key in out:
            notes.append(
                f"{v.path}: skipped, {key} is already loaded from {out[key].path.name}"
            )
            continue
        out[key] = v
    return out


def _statement(base: str, comparison: Any, via: str | None) -> BaseStatement:
    from compliance.weights.labels import POSITIVE, verdict_kind
    from compliance.weights.wording import abstain_reasons, methods, uncomputed

    kind = verdict_kind(comparison.verdict)
    headline = _plain(comparison.wording[0] if comparison.wording else "")
    if kind in POSITIVE:
        return BaseStatement(base, SUPPORTED, headline, via)
    if kind == "suggestive":
        return BaseStatement(base, SUGGESTIVE, headline, via)
    done, undone = methods(comparison.signals), uncomputed(comparison.signals)
    if kind == "no_weight_evidence":
        detail = "No weight evidence of derivation was found with methods " + "; ".join(done)
        detail += "; these methods cannot detect distillation"
        detail += (", and " + "; ".join(undone) + " could not be computed.") if undone else "."
        return BaseStatement(base, NO_EVIDENCE, detail, via)
    reason = "; ".join(abstain_reasons(comparison.verdict, comparison.signals)) or (
        "no weight signal could be computed"
    )
    return BaseStatement(base, NOT_VERIFIABLE, f"not verifiable because {reason}", via)


def _row(comparison: Any, declared: bool) -> ComparisonRow:
    from compliance.weights.labels import fmt_bytes, share, verdict_kind, verdict_title

    s = comparison.suspect
    read = (
        "local files (every tensor hashed)"
        if s.kind == "local"
        else fmt_bytes(s.bytes_read) + share(s.bytes_read, s.total_bytes)
    )
    return ComparisonRow(
        candidate=comparison.candidate.label,
        declared=declared,
        kind=verdict_kind(comparison.verdict),
        verdict=verdict_title(comparison.verdict),
        evidence=_plain(comparison.wording[0] if comparison.wording else ""),
        bytes_read=read,
    )


def _plain(text: str) -> str:
    """Wording marks labels as `code`; the report escapes backticks, so drop them."""
    return text.replace("`", "")


def _undeclared_finding(candidate: str, comparison: Any) -> Finding:
    from compliance.repo_id import is_valid_repo_id

    headline = comparison.wording[0] if comparison.wording else ""
    if not is_valid_repo_id(candidate):  # a fingerprint made without a repo id
        fix = (
            f"Find which model {candidate} was made from, regenerate it with `modelcheck "
            "fingerprint --name ORG/NAME`, and if the model derives from it, declare it in "
            "the model card's base_model and meet its licence's obligations."
        )
    else:
        fix = (
            f"If the model derives from {candidate}, declare it in the model card's "
            "base_model and meet its licence's obligations; otherwise explain why the "
            "weights match."
        )
    return Finding(
        rule_id="weights/undeclared-base-model",
        category="undeclared-base-model",
        severity=Severity.WARNING,
        message=(
            f"The weights are consistent with derivation from {candidate}, which is not "
            "declared as a base model."
        ),
        evidence=(Evidence(key="weights", seen=_plain(headline)[:400]),),
        fix=fix,
        ancestor=candidate,
    )


def _upcycling_finding(candidate: str, comparison: Any, subtype: str) -> Finding:
    from compliance.weights.disclosure import fix_text

    return Finding(
        rule_id="weights/undisclosed-upcycling",
        category="undisclosed-upcycling",
        severity=Severity.WARNING,
        message=(
            f"The weights are consistent with {UPCYCLING_SUBTYPES[subtype]} of {candidate}, "
            "but neither the model card nor .modelcheck.yaml discloses that derivation."
        ),
        evidence=(Evidence(key="weights", seen=_plain((comparison.wording or [""])[0])[:400]),),
        fix=fix_text(candidate, subtype),
        ancestor=candidate,
    )


INFERRED_FROM_WEIGHTS = "inferred from weights"


def _inherit(lineage: Any, child: str, repo_id: str, comparison: Any, catalog: Any) -> None:
    """A base the weights show with a deciding signal joins the lineage as an inferred
    ancestor, so its licence's obligations are checked like those of any inferred base
    (hiding a base must never score better than declaring it)."""
    from compliance.lineage.model import Ancestor
    from compliance.repo_id import is_valid_repo_id

    if lineage is None or not is_valid_repo_id(repo_id):
        return
    if any(a.repo_id.lower() == repo_id.lower() for a in lineage.ancestors):
        return
    entry = catalog.lookup(repo_id) if catalog is not None else None
    ev = Evidence(key="weights", seen=_plain((comparison.wording or [""])[0])[:400])
    lineage.ancestors.append(Ancestor(
        repo_id=entry.repo_id if entry is not None else repo_id,
        relation=None,
        child=child,
        declared=False,
        evidence=[ev],
        license=entry.license if entry is not None else None,
        license_source="catalog" if entry is not None else None,
        resolution="catalog" if entry is not None else "unresolved",
        resolution_note=None if entry is not None else (
            "found only in the weights; its licence is not in the built-in catalog"
        ),
        depth=1,
        known_from=INFERRED_FROM_WEIGHTS,
    ))
    if lineage.relation is None:  # as the Hub infers `finetune` for a bare base_model
        lineage.relation = "finetune"
        lineage.relation_source = INFERRED_FROM_WEIGHTS


def weight_evidence(
    facts: Any,
    lineage: Any,
    source: Any,
    fingerprint_dirs: list[str | PathLike[str]] | None = None,
    *,
    hub_source: Any = None,
    network: bool | None = None,
    catalog: Any = None,
) -> tuple[WeightsSection, list[Finding]]:
    """Weight evidence for the audit report. `network` (default: the audited source is
    the Hub) allows reading base weights from the Hub when no fingerprint is given;
    `catalog` (default: the built-in one) tells which candidates are known relatives of
    a declared base."""
    from compliance.weights.compare import compare_many
    from compliance.weights.labels import POSITIVE, verdict_kind, verdict_subtype
    from compliance.weights.relatives import default_catalog, known_relative, rank, ranking_note

    network = (getattr(source, "kind", None) == "hub") if network is None else network
    name = getattr(lineage, "model", None) if lineage is not None else None
    section = WeightsSection(suspect=str(name or facts.repo_id or facts.label))
    findings: list[Finding] = []
    declared = _declared_bases(lineage)
    from compliance.weights.disclosure import collect

    disclosed = collect(facts, getattr(lineage, "relation", None) if lineage else None)
    library = _library(list(fingerprint_dirs or []), section.notes)

    safetensors = [w for w in facts.weights if w.format == "safetensors"]
    relation = getattr(lineage, "relation", None) if lineage is not None else None
    why_not: str | None = None
    if relation == "adapter" or facts.adapters:
        why_not = "the repo holds an adapter (LoRA deltas), not full weights"
    elif not safetensors:
        kinds = sorted({w.format for w in facts.weights}) or ["none"]
        why_not = f"the repo has no safetensors weights (weight formats: {', '.join(kinds)})"
    suspect = None
    if why_not is None:
        try:
            suspect = _suspect_view(facts, source, section.suspect)
        except ModelcheckError as exc:
            why_not = f"the weights could not be read ({exc})"
    if suspect is None:
        for base in declared:
            section.statements.append(
                BaseStatement(base, NOT_VERIFIABLE, f"not verifiable because {why_not}")
            )
        if not declared:
            section.notes.append(f"Weights were not compared: {why_not}.")
        return section, findings

    candidates: list[tuple[str, bool]] = [(b, True) for b in declared]
    candidates += [(b, False) for b in _inferred_bases(lineage, declared)]
    seen = {c for c, _ in candidates} | {facts.repo_id, facts.label}
    candidates += [(k, False) for k in library if k not in seen]  # never the model itself
    views: list[Any] = []
    meta: list[tuple[str, bool, str | None]] = []
    for repo_id, is_declared in candidates:
        view, via, reason = _open_candidate(repo_id, library, network, hub_source)
        if view is None:
            if is_declared:
                section.statements.append(
                    BaseStatement(repo_id, NOT_VERIFIABLE, f"not verifiable because {reason}")
                )
            continue
        views.append(view)
        meta.append((repo_id, is_declared, via))
    if not views:
        return section, findings
    try:
        comparisons = compare_many(suspect, views)
    except ModelcheckError as exc:
        for repo_id, is_declared, _via in meta:
            if is_declared:
                section.statements.append(BaseStatement(
                    repo_id, NOT_VERIFIABLE, f"not verifiable because the comparison failed ({exc})"
                ))
        return section, findings
    for (repo_id, is_declared, via), comp in zip(meta, comparisons, strict=True):
        section.details.append(comp)
        section.comparisons.append(_row(comp, is_declared))
        kind = verdict_kind(comp.verdict)
        if is_declared:
            section.statements.append(_statement(repo_id, comp, via))
        elif kind in POSITIVE:
            if declared and catalog is None:
                catalog = default_catalog()
            related = known_relative(repo_id, declared, lineage, catalog)
            if related is None:
                findings.append(_undeclared_finding(repo_id, comp))
                if catalog is None:
                    catalog = default_catalog()
                _inherit(lineage, section.suspect, repo_id, comp, catalog)
            else:
                section.notes.append(
                    f"The weights also match {repo_id}, which is {related}; a known relative "
                    "is not reported as an undeclared base."
                )
        sub = verdict_subtype(comp.verdict)
        if kind in POSITIVE and sub in UPCYCLING_SUBTYPES and not disclosed.covers(sub, repo_id):
            findings.append(_upcycling_finding(repo_id, comp, sub))
    ranked = ranking_note(rank(comparisons))
    if ranked:
        section.notes.insert(0, ranked)
    order = {b: i for i, b in enumerate(declared)}
    section.statements.sort(key=lambda s: order.get(s.base, len(order)))
    return section, findings
