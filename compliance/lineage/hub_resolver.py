"""The Hub `AncestorResolver`: reads each ancestor's own repo.

For one ancestor it opens a `HubSource` (pinned to the commit read), reads its
facts with the same `read_facts` a local audit uses, and answers:

- the licence, from the ancestor's own card (`license` / `license_name` /
  `license_link`), else from its licence files, else from a GGUF
  `general.license`; the built-in catalog is only the fallback (offline, or when
  the Hub says nothing identifiable);
- its own parents (declared and inferred, exactly as the audited model's are),
  which `build_lineage` follows recursively with cycle detection and a depth
  bound;
- notes where the Hub and the catalog disagree, or the card and the licence file;
- how each parent is known (`parent_sources`: the card's `base_model`, a GGUF header,
  or inferred from a config), so the report can say where a deep link comes from.

When the Hub cannot be read at all, `OfflineError` falls back to the catalog here;
other failures (gated, not found, network) are raised and `build_lineage` falls back
to the catalog for a catalog-known ancestor, keeping the error in the note.

Answers (and failures) are memoised per repo id, so a diamond or a cycle costs
one Hub read per repo. Failures are `compliance.errors.SourceError` subclasses;
the lineage builder records them on the ancestor and goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from compliance.errors import OfflineError, SourceError
from compliance.facts.read import read_facts
from compliance.facts.wanted import read_by_facts
from compliance.lineage.build import build_lineage
from compliance.lineage.catalog import Catalog, CatalogEntry
from compliance.lineage.model import (
    AncestorResolver,
    LicenseIdentifier,
    ResolvedRepo,
    catalog_disagreement,
)
from compliance.lineage.offline_resolver import resolved_from_entry
from compliance.sources.base import Source

if TYPE_CHECKING:
    from compliance.sources.http_range import ByteCounter
    from compliance.sources.hub import HubSettings

OpenSource = Callable[[str], Source]


class HubResolver(AncestorResolver):
    name = "hub"

    def __init__(
        self,
        *,
        identify: LicenseIdentifier,
        catalog: Catalog | None = None,
        settings: HubSettings | None = None,
        open_source: OpenSource | None = None,
        counter: ByteCounter | None = None,
    ) -> None:
        """`identify` names the pack an ancestor's licence statements mean;
        `catalog.lookup(repo_id)` gives the built-in entry (or None); `open_source`
        defaults to `HubSource.open` with `settings` (default: from the environment)."""
        self.catalog = catalog
        self._identify = identify
        self._settings = settings
        self._open = open_source
        self.counter = counter
        self._memo: dict[str, ResolvedRepo | SourceError] = {}
        self.read: dict[str, str | None] = {}  # repo id -> commit read (for reports, benchmarks)
        self._asked = 0  # distinct repos looked up: capped (a card may list 1,000 bases)

    # ------------------------------------------------------------------ api

    def resolve(self, repo_id: str) -> ResolvedRepo | None:
        key = repo_id.lower()
        if key not in self._memo:
            try:
                self._memo[key] = self._resolve(repo_id)
            except SourceError as e:
                self._memo[key] = e
        answer = self._memo[key]
        if isinstance(answer, SourceError):
            raise answer
        return answer

    # -------------------------------------------------------------- helpers

    def _source(self, repo_id: str) -> Source:
        if self._open is not None:
            return self._open(repo_id)
        from compliance.sources.hub import HubSettings, HubSource

        if self._settings is None:
            self._settings = HubSettings.from_env()
        return HubSource.open(
            repo_id, settings=self._settings, counter=self.counter, wanted=read_by_facts
        )

    def _check_fan_out(self, repo_id: str) -> None:
        from compliance.sources.hub_limits import MAX_ANCESTORS_ENV, HubLimitError, HubLimits

        limits = getattr(self._settings, "limits", None) or HubLimits.from_env()
        self._asked += 1
        if self._asked > limits.max_ancestors:
            raise HubLimitError(
                f"{repo_id}: not read on the Hub, this audit already read "
                f"{limits.max_ancestors} ancestors there ({MAX_ANCESTORS_ENV} raises the cap)"
            )

    def _catalog_entry(self, repo_id: str) -> CatalogEntry | None:
        return self.catalog.lookup(repo_id) if self.catalog is not None else None

    def _resolve(self, repo_id: str) -> ResolvedRepo:
        entry = self._catalog_entry(repo_id)
        self._check_fan_out(repo_id)
        try:
            source = self._source(repo_id)
        except OfflineError as e:
            fallback = resolved_from_entry(entry, [f"{e}; licence from the built-in catalog"])
            if fallback is None:
                raise
            return fallback
        return self._from_source(repo_id, source, entry)

    def _from_source(
        self, repo_id: str, source: Source, entry: CatalogEntry | None
    ) -> ResolvedRepo:
        facts = read_facts(source)
        self.read[repo_id] = source.commit
        notes: list[str] = []
        at = f"{repo_id}@{source.commit[:12]}" if source.commit else repo_id

        declared = self._identify.card(facts.card)
        card_value = facts.card.named_license if facts.card.present else None
        file_ids: list[str] = []
        licences = [lf for lf in facts.license_files if lf.kind == "license"]
        for ids in self._identify.files(licences).values():
            file_ids += [i for i in ids if i not in file_ids]
        gguf_ids = [
            p
            for g in facts.gguf
            if g.license
            for p in [self._identify.license_value(g.license)]
            if p
        ]

        license: str | None = None
        source_kind = "hub-card"
        if declared:
            license = declared
            if file_ids and declared not in file_ids:
                notes.append(
                    f"{at}: the card declares {declared} but its licence file reads as "
                    f"{', '.join(file_ids)}"
                )
        elif len(file_ids) == 1:
            license, source_kind = file_ids[0], "hub-license-file"
        elif len(file_ids) > 1:
            notes.append(f"{at}: licence files match several licences ({', '.join(file_ids)})")
        elif gguf_ids:
            license, source_kind = gguf_ids[0], "hub-gguf"
        if license is None and card_value:
            notes.append(f"{at}: card licence {card_value!r} is not one modelcheck knows")

        catalog_license = entry.license if entry is not None else None
        if license and catalog_license and catalog_license != license:
            notes.append(catalog_disagreement(repo_id, at, license, source_kind, catalog_license))
        if license is None and catalog_license:
            license, source_kind = catalog_license, "catalog"
            notes.append(f"{at}: no licence identified on the Hub; using the built-in catalog")

        own = build_lineage(facts, None, None, max_depth=1, model_id=repo_id)
        parents = [(a.repo_id, a.relation) for a in own.ancestors]
        # how each parent is known from this repo's own files (card, GGUF, config...)
        parent_sources = {
            a.repo_id.lower(): (a.declared, a.known_from or "metadata") for a in own.ancestors
        }
        notes += [n for n in source.notes() if n.startswith("Offline")]
        return ResolvedRepo(
            repo_id=repo_id,
            license=license,
            license_source=source_kind if license else "hub",
            parents=parents,
            commit=source.commit,
            notes=notes,
            parent_sources=parent_sources,
            notice=any(lf.kind == "notice" for lf in facts.license_files),
        )
