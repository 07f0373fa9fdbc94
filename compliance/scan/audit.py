"""One repo through the audit stages, with the packs, catalog and resolver built once.

The same stages as `pipeline.run_audit` (facts -> .modelcheck.yaml -> lineage -> rules),
but the source and the ancestor resolver are the scan's: packs are the built-in ones
(a Hub repo's `rules:` never applies), loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.config import config_for
from compliance.engine import evaluate
from compliance.facts.read import read_facts
from compliance.lineage.build import build_lineage
from compliance.lineage.catalog import Catalog
from compliance.lineage.model import AncestorResolver, Lineage
from compliance.naming import model_name
from compliance.report import Finding, Severity
from compliance.rule_model import Pack
from compliance.sources.base import Source


@dataclass
class Audited:
    findings: list[Finding]
    lineage: Lineage
    declared_license: str | None


def audit_source(
    source: Source,
    packs: list[Pack],
    catalog: Catalog,
    resolver: AncestorResolver | None,
    fingerprint_dirs: tuple[str, ...] | None = None,
) -> Audited:
    """`fingerprint_dirs` not None: also compare the weights with that library (never
    with base weights downloaded from the Hub: a scan reads each child's weights only)."""
    weights = fingerprint_dirs is not None
    facts = read_facts(source, all_shard_headers=weights)
    repo_config = dict(facts.modelcheck_config)
    repo_config.pop("rules", None)  # rule folders only apply to local audits
    config = config_for(repo_config, None, None)
    name, _ = model_name(facts, None, config)
    lineage = build_lineage(facts, catalog, resolver, model_id=name)
    extra: list[Finding] = []
    if fingerprint_dirs is not None:
        from compliance.weights.audit import weight_evidence

        _section, extra = weight_evidence(
            facts, lineage, source, list(fingerprint_dirs), network=False
        )
    findings, _obligations = evaluate(facts, lineage, packs, config, name, extra_findings=extra)
    return Audited(findings, lineage, facts.card.declared_license)


def is_compliant(findings: list[Finding]) -> bool:
    """No unwaived error: what `modelcheck audit --fail-on error` would pass."""
    return not any(f.severity is Severity.ERROR and not f.waived for f in findings)
