"""Lineage dataclasses: the audited model, its ancestors, and how each is known."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from compliance.facts.model import Card, LicenseFile
from compliance.records import field, record
from compliance.report import Evidence

RELATIONS = ("finetune", "adapter", "merge", "quantized", "distilled", "upcycled")


@record
class Ancestor:
    """One model in the audited model's ancestry, with how it was found."""
    repo_id: str  # canonical id (re-uploads mapped to the original where the catalog knows)
    relation: str | None  # relation of the *child* to this ancestor
    child: str  # repo id (or label) of the node this one is a parent of
    declared: bool  # declared in the child's card base_model / GGUF general.base_model
    # (the audited repo's, or an ancestor's own); False if inferred or a catalog-only link
    evidence: list[Evidence] = field(default_factory=list)  # where it was seen
    license: str | None = None  # pack id, e.g. "llama3.1"; None if unresolved
    license_source: str | None = None  # "catalog" | "hub-card" | "hub-license-file" | ...
    resolution: str = "unresolved"  # "catalog" | "hub" | "unresolved" | "gated" | "error"
    resolution_note: str | None = None  # why unresolved / what failed
    as_written: str | None = None  # the id as written, if mapped (e.g. "unsloth/...")
    revision: str | None = None  # hub commit read
    depth: int = 1  # 1 = direct parent
    known_from: str | None = None  # how the link is known, e.g. "card base_model", "catalog"
    notice: bool | None = None  # the ancestor's repo ships a NOTICE file (None: not known)
    license_conflict: str | None = None  # Hub and catalog disagreed; the stricter was kept


@record
class Lineage:
    """The audited model's ancestry, as far as it could be resolved."""
    model: str  # the audited model's name / label
    relation: str | None  # how the audited model relates to its direct parents
    relation_source: str | None  # e.g. "card base_model_relation", "adapter_config.json"
    ancestors: list[Ancestor] = field(default_factory=list)
    # signs of derivation when no base was identified (lineage/derivation.py Signal)
    derivation_signals: list[Any] = field(default_factory=list)
    # where two sources disagree on a licence and the stricter was kept (one line each)
    license_conflicts: list[str] = field(default_factory=list)
    # the names a "merge of A, B and C" sentence of the card lists, as written
    merge_names: list[str] = field(default_factory=list)

    def direct(self) -> list[Ancestor]:
        return [a for a in self.ancestors if a.depth == 1]

    def licenses(self) -> list[str]:
        """Distinct ancestor licences, in order of first appearance."""
        seen: list[str] = []
        for a in self.ancestors:
            if a.license and a.license not in seen:
                seen.append(a.license)
        return seen


def set_relation(lineage: Lineage, relation: str, source: str) -> None:
    """The user's word on the relation (`.modelcheck.yaml` `relation:`) over the inferred one."""
    lineage.relation, lineage.relation_source = relation, source
    for a in lineage.direct():
        a.relation = relation


@record
class ResolvedRepo:
    """What a resolver learned about one ancestor repo."""

    repo_id: str
    license: str | None  # pack id, or None if it could not be identified
    license_source: str  # "catalog" | "hub-card" | "hub-license-file" | ...
    parents: list[tuple[str, str | None]] = field(default_factory=list)  # (repo_id, relation)
    commit: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "Hub says apache-2.0, catalog says qwen"
    # parent id (lower-case) -> (declared by this repo's own metadata, how it is known)
    parent_sources: dict[str, tuple[bool, str]] = field(default_factory=dict)
    notice: bool | None = None  # the repo ships a NOTICE file (None: not known)


class AncestorResolver:
    """Looks up an ancestor's licence and its own parents.

    The offline default answers from the built-in catalog only; the Hub
    resolver (compliance.lineage.hub_resolver) reads each ancestor's own repo.
    `resolve` raises `compliance.errors.SourceError` subclasses (GatedRepoError,
    RepoNotFoundError, NetworkError, OfflineError) when it cannot answer; the
    lineage builder turns those into `unverifiable` ancestors and goes on.
    """

    name = "abstract"

    def resolve(self, repo_id: str) -> ResolvedRepo | None:  # None = not known
        raise NotImplementedError


def catalog_disagreement(
    repo_id: str, at: str, license: str, license_source: str | None, catalog_license: str
) -> str:
    """The note for an ancestor whose repo on the Hub names another licence than the
    built-in catalog (`at`: the id with the commit read)."""
    return (
        f"Hub and built-in catalog disagree on `{repo_id}`: its repo on the Hub "
        f"({at}, {license_source}) says `{license}`, the built-in catalog says "
        f"`{catalog_license}`; the Hub's answer was used. Check which licence applies."
    )


class KnownModel(Protocol):
    """What lineage reads from a catalog entry (`lineage.catalog.CatalogEntry`)."""

    @property
    def repo_id(self) -> str: ...

    @property
    def license(self) -> str | None: ...

    @property
    def base(self) -> str | Sequence[str] | None: ...

    @property
    def relation(self) -> str | None: ...


class ModelCatalog(Protocol):
    """Well-known models by repo id (`lineage.catalog.Catalog`)."""

    def lookup(self, repo_id: str) -> KnownModel | None: ...


class LicenseIdentifier(Protocol):
    """Names the rule pack a licence statement means (`packs.identify.Identifier`);
    lineage asks through this so it never loads packs itself."""

    def card(self, card: Card) -> str | None: ...

    def license_value(self, value: str) -> str | None: ...

    def files(self, files: Iterable[LicenseFile]) -> Mapping[str, tuple[str, ...]]: ...
