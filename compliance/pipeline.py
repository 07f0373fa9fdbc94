"""run_audit: source -> facts -> lineage -> rules engine -> Report.

The local path stays light: the Hub source, the Hub resolver and the weights
module (numpy, huggingface_hub) are imported only when the audit needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from compliance import packs as packs_mod
from compliance.config import CONFIG_NAME, Config, config_for, load_config_file
from compliance.engine import evaluate
from compliance.errors import ConfigError, PathNotFoundError
from compliance.facts.model import Facts
from compliance.facts.read import read_facts
from compliance.lineage.build import build_lineage
from compliance.lineage.model import (
    AncestorResolver,
    Lineage,
    catalog_disagreement,
    set_relation,
)
from compliance.naming import model_name
from compliance.packs.identify import Identifier
from compliance.records import field, record
from compliance.repo_id import split_target
from compliance.report import RESOLVE_MODES, Finding, Report
from compliance.rule_model import Pack
from compliance.sources.base import Source
from compliance.sources.local import LocalSource

if TYPE_CHECKING:
    from compliance.lineage.catalog import Catalog


@record
class AuditOptions:
    """The options of one audit, as the command line gave them."""
    target: str  # a local directory, or a Hub repo id `org/name[@revision]`
    name: str | None = None  # --name: the published name, for naming rules
    rules_dirs: list[str] = field(default_factory=list)  # --rules DIR (repeatable)
    config_file: str | None = None  # --config FILE (instead of the repo's .modelcheck.yaml)
    resolve: str = "auto"  # auto: Hub resolver for Hub targets, catalog only for local dirs
    weights: bool = False  # --weights: weight-based lineage evidence
    fingerprint_dirs: list[str] = field(default_factory=list)


def _refuse_missing_path(target: str) -> None:
    """A target that reads as a local path is not sent to the Hub when it does not exist."""
    first = target.split("/", 1)[0]
    if target.startswith((".", "/", "~", "\\")) or ("/" in target and Path(first).is_dir()):
        why = f" ({first}/ exists here)" if Path(first).is_dir() and first not in (".", "") else ""
        raise PathNotFoundError(f"{target}: no such directory{why}")


def open_source(target: str) -> Source:
    """A LocalSource for an existing path, else a HubSource for `org/name[@rev]`."""
    try:
        exists = Path(target).exists()
    except OSError:  # e.g. "File name too long": LocalSource says it in one line
        exists = True
    if exists:
        return LocalSource(target)
    hub = split_target(target)
    if hub is not None and ".." not in target:
        _refuse_missing_path(target)
    if hub is None or ".." in target:
        shown = target if len(target) <= 200 else target[:199] + "…"
        raise PathNotFoundError(
            f"{shown}: no such directory, and not a Hub repo id (org/name[@revision])"
        )
    from compliance.facts.wanted import read_by_facts
    from compliance.sources.hub import HubSource  # lazy: network stack

    return HubSource.open(hub[0], hub[1], wanted=read_by_facts)


def _resolver(
    mode: str, source: Source, catalog: Catalog, packs: list[Pack], notes: list[str]
) -> AncestorResolver | None:
    if mode not in RESOLVE_MODES:
        raise ConfigError(f"--resolve must be one of {', '.join(RESOLVE_MODES)} (got {mode!r})")
    if mode == "catalog" or (mode == "auto" and source.kind != "hub"):
        return None
    try:
        from compliance.lineage.hub_resolver import HubResolver  # lazy: network stack
    except ImportError:
        notes.append("Hub resolver unavailable; ancestors were resolved from the catalog only.")
        return None
    # a Hub target's settings were read from the environment once, when it was opened
    return HubResolver(
        identify=Identifier(packs), catalog=catalog, settings=getattr(source, "settings", None)
    )


def _load_catalog() -> Catalog:
    from compliance.lineage.catalog import Catalog

    return Catalog.load()


def _repo_config(facts: Facts, source: Source, notes: list[str]) -> dict[str, Any]:
    raw = dict(facts.modelcheck_config)
    if raw.get("rules") and source.kind != "local":
        notes.append(
            ".modelcheck.yaml `rules:` ignored: rule directories only apply to local audits."
        )
        raw.pop("rules")
    return raw


def _lineage_notes(lineage: Lineage, by_id: dict[str, Pack]) -> list[str]:
    notes = []
    for lic in lineage.licenses():
        if lic not in by_id:
            who = ", ".join(a.repo_id for a in lineage.ancestors if a.license == lic)
            notes.append(
                f"No rule pack for licence `{lic}` ({who}); its obligations were not checked."
            )
    return notes


def _catalog_notes(lineage: Lineage, catalog: Catalog) -> list[str]:
    """Where an ancestor's own repo on the Hub names another licence than the catalog."""
    notes = []
    for a in lineage.ancestors:
        if a.resolution != "hub" or not a.license:
            continue
        entry = catalog.lookup(a.repo_id)
        other = entry.license if entry is not None else None
        if other and other != a.license:
            at = f"{a.repo_id}@{a.revision[:12]}" if a.revision else a.repo_id
            notes.append(catalog_disagreement(a.repo_id, at, a.license, a.license_source, other))
    return notes


def _weights(
    opts: AuditOptions, facts: Facts, lineage: Lineage, source: Source
) -> tuple[Any, list[Finding]]:
    try:
        from compliance.weights.audit import weight_evidence
    except ImportError as e:
        raise ConfigError("--weights needs the weights module") from e
    return weight_evidence(facts, lineage, source, list(opts.fingerprint_dirs))


def run_audit(opts: AuditOptions) -> Report:
    """Audit one model repo and return the report (findings are data; errors raise)."""
    notes: list[str] = []
    cli_config: Config | None = load_config_file(opts.config_file) if opts.config_file else None
    source = open_source(opts.target)
    # a Hub audit reads a few shard headers only, unless --weights needs them all
    facts = read_facts(source, all_shard_headers=opts.weights)

    repo_dir = Path(source.root) if isinstance(source, LocalSource) else None
    config = cli_config or config_for(_repo_config(facts, source, notes), None, repo_dir)
    # the final pack set, known only now that the repo's own .modelcheck.yaml was read
    rules_dirs = list(opts.rules_dirs) + list(config.rules if config else ())
    packs = packs_mod.load_all(rules_dirs)
    name, name_source = model_name(facts, opts.name, config)

    catalog = _load_catalog()
    resolver = _resolver(opts.resolve, source, catalog, packs, notes)
    lineage = build_lineage(facts, catalog, resolver, model_id=name)
    if config is not None and config.relation:
        set_relation(lineage, config.relation, f"{config.origin or CONFIG_NAME}: relation")
    extra: list[Finding] = []
    weights = None
    if opts.weights:
        weights, extra = _weights(opts, facts, lineage, source)
    findings, obligations = evaluate(facts, lineage, packs, config, name, extra_findings=extra)

    notes = (
        facts.notes
        + notes
        + _catalog_notes(lineage, catalog)
        + _lineage_notes(lineage, {p.id: p for p in packs})
    )
    return Report(
        target=opts.target,
        source_kind=source.kind,
        model_name=name,
        model_name_source=name_source,
        declared_license=facts.card.declared_license,
        relation=lineage.relation,
        revision=source.revision,
        commit=source.commit,
        lineage=lineage,
        findings=findings,
        obligations=obligations,
        weights=weights,
        notes=list(dict.fromkeys(notes)),
        rule_packs=[p.id for p in packs],
        rules_dirs=rules_dirs,
        config_fail_on=config.fail_on if config else None,
        facts=facts,
    )


__all__ = ["AuditOptions", "open_source", "run_audit"]
