"""Build the audited model's lineage: declared and inferred ancestors, then their licences.

Declared: card `base_model` (+ `base_model_relation`) and GGUF `general.base_model.N`.
Inferred (evidence, not declaration): config.json `_name_or_path`, an adapter's
`base_model_name_or_path`, merge configs, card prose. Inferred ancestors still bring their
obligations (declared=False). Every ancestor records how its link is known (`known_from`).

Licences, recursively with cycle detection and a depth bound:
- without a resolver (local audits, `--resolve catalog`): from the built-in catalog
  (re-uploads mapped to the original); the catalog's own `base` entries are followed as
  catalog-only links (declared=False);
- with a resolver (Hub mode): every ancestor goes through the resolver, catalog-known or
  not, so each is read from its own repo and pinned to the commit read. The catalog is
  the fallback when the resolver cannot answer (gated, failed, not found, no licence
  identified); the Hub resolver itself cross-checks the two and notes disagreement.
An unknown licence stays unknown ("unresolved"); it is never guessed.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from compliance.errors import GatedRepoError, SourceError
from compliance.facts.legacy_ids import canonical_legacy_id
from compliance.facts.local_path import looks_local, model_folder
from compliance.facts.model import Facts
from compliance.lineage.base_mentions import find_mentions
from compliance.lineage.catalog_names import lookup_name
from compliance.lineage.distill_datasets import dataset_teachers
from compliance.lineage.license_strictness import stricter_of
from compliance.lineage.local_paths import from_local_path
from compliance.lineage.merge_sentence import merge_sentence_names
from compliance.lineage.model import (
    RELATIONS,
    Ancestor,
    AncestorResolver,
    KnownModel,
    Lineage,
    ModelCatalog,
    ResolvedRepo,
)
from compliance.lineage.name_families import base_from_name, family_of, vendor_license
from compliance.lineage.offline_resolver import entry_bases
from compliance.lineage.prose import find_bases
from compliance.lineage.training_configs import config_bases
from compliance.records import field, record
from compliance.regex_cache import compiled
from compliance.repo_id import is_valid_repo_id
from compliance.report import Evidence

_HF_URL = compiled(r"^https?://(?:www\.)?huggingface\.co/")
# `_name_or_path` often holds a local training directory such as "output/checkpoint"
_LOCAL_DIRS = {
    "models", "model", "checkpoints", "checkpoint", "ckpt", "output", "outputs", "out", "tmp",
    "data", "home", "workspace", "mnt", "root", "content", "runs", "results", "save", "saved",
}  # fmt: skip
_NOT_MODEL_PATHS = {"datasets", "spaces", "docs", "blog", "papers", "collections", "organizations"}
# AutoGPTQ / AutoAWQ configs and the EXL2 measurement file; GGUF is recognised by extension
_QUANT_FILES = ("quantize_config.json", "quant_config.json", "measurement.json")


def repo_id_of(value: Any) -> str | None:
    """A Hub id from a metadata value ("org/name" or a huggingface.co URL), else None."""
    if not isinstance(value, str):
        return None
    text = _HF_URL.sub("", value.strip()).rstrip("/")
    text = re.sub(r"/(?:tree|blob|resolve)/.*$", "", text)
    return text if is_valid_repo_id(text) else None


def _path_or_id(value: Any, catalog: Any) -> tuple[str | None, str]:
    """(id, how) for a model reference that may be a local path. A path that names no
    known model keeps its folder name: the base exists, its licence is unknown."""
    if not isinstance(value, str):
        return None, ""
    legacy = canonical_legacy_id(value)
    if legacy is not None:
        return legacy, f" (legacy id of {legacy})"
    local = from_local_path(value, catalog)
    if local is not None:
        return local[0], f" (a local path; {local[1]})"
    if looks_local(value):
        folder = model_folder(value)
        return folder, " (a local path naming no known model)" if folder else ""
    return repo_id_of(value), ""


@record
class _Seen:
    """A direct parent as first seen; evidence accumulates from every place it shows up."""

    repo_id: str
    declared: bool
    relation: str | None
    evidence: list[Evidence] = field(default_factory=list)
    known_from: list[str] = field(default_factory=list)  # one label per kind of evidence


def _card_bases(facts: Facts) -> list[str]:
    return facts.card.base_model_entries


def _gguf_bases(facts: Facts) -> list[tuple[str, Evidence]]:
    out = []
    for g in facts.gguf:
        for n, bm in enumerate(g.base_models):
            rid = repo_id_of(bm.get("repo_url"))
            key = f"gguf:general.base_model.{n}.repo_url"
            if rid is None and bm.get("organization") and bm.get("name"):
                rid = repo_id_of(f"{bm['organization']}/{bm['name']}")
                key = f"gguf:general.base_model.{n}.organization+name"
            if rid:
                out.append((rid, Evidence(file=g.file, key=key, seen=rid)))
    return out


def _collect_direct(facts: Facts, own: set[str], catalog: Any = None) -> list[_Seen]:
    seen: dict[str, _Seen] = {}

    def add(repo_id: str, declared: bool, relation: str | None, ev: Evidence, how: str) -> None:
        key = repo_id.lower()
        if key in own:
            return
        if key in seen:
            s = seen[key]
            s.declared = s.declared or declared
            s.evidence.append(ev)
            if how not in s.known_from:
                s.known_from.append(how)
            return
        seen[key] = _Seen(repo_id, declared, relation, [ev], [how])

    card_file = facts.card.path  # README.md, or however the card's file name is cased
    line = facts.card.metadata_lines.get("base_model")
    for b in _card_bases(facts):
        ev = Evidence(file=card_file, line=line, key="card:base_model", seen=b)
        if looks_local(b):
            rid, path_how = _path_or_id(b, catalog)
            add(rid or b, True, None, ev, f"card base_model{path_how}")
            continue
        legacy = canonical_legacy_id(b)
        how = f"card base_model (legacy id of {legacy})" if legacy else "card base_model"
        add(legacy or repo_id_of(b) or b, True, None, ev, how)
    for rid, ev in _gguf_bases(facts):
        add(rid, True, None, ev, f"GGUF general.base_model ({ev.file})")
    for a in facts.adapters:
        rid, path_how = _path_or_id(a.base_model, catalog)
        if rid:
            key = f"{a.file}:base_model_name_or_path"
            how = f"inferred: {a.file} base_model_name_or_path{path_how}"
            add(rid, False, "adapter", Evidence(file=a.file, key=key, seen=a.base_model), how)
    for m in facts.merges:
        for n, raw in enumerate(([m.base_model] if m.base_model else []) + list(m.models)):
            rid, path_how = _path_or_id(raw, catalog)
            if rid:
                field_name = "base_model" if n == 0 and m.base_model else "models"
                key = f"{m.file}:{field_name}"
                at = f" (line {m.line})" if m.line else ""
                how = f"inferred: {m.file} merge config {field_name}{at}{path_how}"
                ev = Evidence(file=m.file, line=m.line, key=key, seen=raw)
                add(rid, False, "merge", ev, how)
    nop = facts.config.name_or_path
    local = from_local_path(nop, catalog) if isinstance(nop, str) else None
    rid = local[0] if local else repo_id_of(nop)
    # a checkout's config often names the model itself; compare names without the org too
    own_short = {o.rsplit("/", 1)[-1] for o in own} | {
        facts.label.rstrip("/").rsplit("/", 1)[-1].lower()
    }
    if (
        rid
        and rid.split("/", 1)[0].lower() not in _LOCAL_DIRS
        and rid.rsplit("/", 1)[-1].lower() not in own_short
    ):
        ev = Evidence(file="config.json", key="config.json:_name_or_path", seen=nop)
        how = "inferred: config.json _name_or_path"
        add(rid, False, None, ev, how + (f" (a local path; {local[1]})" if local else ""))
    link = facts.card.text("license_link")
    link_id = repo_id_of(link) if link and _HF_URL.match(link) else None
    if link_id and link_id.split("/", 1)[0].lower() not in _NOT_MODEL_PATHS:
        ev = Evidence(
            file=card_file,
            line=facts.card.metadata_lines.get("license_link"),
            key="card:license_link",
            seen=link,
        )
        add(link_id, False, None, ev, "inferred: card license_link points into its repo")
    if facts.card.present and facts.card.body:
        exclude = set(own) | set(facts.card.datasets)
        for pb in find_bases(facts.card.body, facts.card.body_start_line, exclude):
            ev = Evidence(file=card_file, line=pb.line, key="card prose", seen=pb.text[:200])
            how = f"inferred: card prose ({card_file} line {pb.line})"
            add(pb.repo_id, False, pb.relation, ev, how)
        for cb in config_bases(facts.card.body, facts.card.body_start_line):
            rid, path_how = _path_or_id(cb.value, catalog)
            if rid:
                ev = Evidence(
                    file=card_file,
                    line=cb.line,
                    key=f"card training config {cb.key}",
                    seen=cb.value,
                )
                how = f"inferred: training config in the card ({cb.key}, line {cb.line}){path_how}"
                add(rid, False, None, ev, how)
        tags = {t.strip().lower() for t in facts.card.strings("tags")}
        merge_card = bool(tags & {"merge", "moe", "mergekit", "frankenmerge"})
        body, start = facts.card.body, facts.card.body_start_line
        for mention in find_mentions(body, catalog, start, merge_card=merge_card):
            ev = Evidence(file=card_file, line=mention.line, key="card prose", seen=mention.text)
            how = f"inferred: card prose, {mention.how} ({card_file} line {mention.line})"
            add(mention.repo_id, False, mention.relation, ev, how)
    return list(seen.values())


def infer_relation(facts: Facts, direct: list[_Seen]) -> tuple[str | None, str | None]:
    """(relation, where it came from), the way the Hub infers it when the card does not say."""
    if not direct:
        return None, None
    stated = (facts.card.base_model_relation or "").lower()
    if stated in RELATIONS:
        return stated, "card base_model_relation"
    if facts.adapters:
        return "adapter", facts.adapters[0].file
    if facts.merges:
        return "merge", facts.merges[0].file
    if len(_card_bases(facts)) > 1:
        return "merge", "card base_model (several models)"
    tags = {t.strip().lower() for t in facts.card.strings("tags")}
    if tags & {"merge", "moe", "mergekit", "frankenmerge"} and len(direct) > 1:
        return "merge", "card tags (merge/moe) and several parents"
    if facts.config.quantization:
        return "quantized", f"config.json {facts.config.quantization_key}"
    for path in sorted(facts.files):
        low = path.lower()
        if low.endswith(".gguf") or low.rsplit("/", 1)[-1] in _QUANT_FILES:
            return "quantized", path
    from compliance.lineage.derivation import prose_relation  # needed by some repos only
    stated_in_prose = prose_relation(facts)
    if stated_in_prose is not None:
        return stated_in_prose
    return "finetune", "default (no adapter, merge or quantization evidence)"


@record(frozen=True)
class _Parent:
    """An ancestor's own parent, and how that link is known."""

    repo_id: str
    relation: str | None
    declared: bool  # declared in the ancestor's own metadata (False: inferred / catalog)
    known_from: str


def _catalog_parents(a: Ancestor, entry: KnownModel) -> list[_Parent]:
    relation = entry.relation
    how = f"catalog (base of {a.repo_id})"
    return [_Parent(b, relation, False, how) for b in entry_bases(entry)]


def _use_catalog(a: Ancestor, entry: KnownModel) -> list[_Parent]:
    """Take `a`'s licence (and canonical id) from its catalog entry; return its catalog bases."""
    if entry.repo_id != a.repo_id:
        a.as_written = a.as_written or a.repo_id
        a.repo_id = entry.repo_id
    a.license, a.license_source, a.resolution = entry.license, "catalog", "catalog"
    a.notice = getattr(entry, "notice", None)
    return _catalog_parents(a, entry)


def _resolve_from_catalog(a: Ancestor, catalog: ModelCatalog | None) -> list[_Parent]:
    """The catalog-only path (local audits, `--resolve catalog`)."""
    entry = catalog.lookup(a.repo_id) if catalog is not None else None
    if entry is not None and entry.license:
        return _use_catalog(a, entry)
    if entry is not None and entry.repo_id != a.repo_id:
        a.as_written = a.as_written or a.repo_id
        a.repo_id = entry.repo_id
    if _license_from_name(a):
        return []
    a.resolution_note = "not in the built-in catalog; Hub lookup not enabled"
    return []


def _license_from_name(a: Ancestor) -> bool:
    """A vendor family rule or a family and version in the ancestor's name; weaker than
    its own metadata, so the report says where the licence came from."""
    vendor = vendor_license(a.repo_id)
    family = None if vendor else family_of(a.repo_id)
    if vendor is None and family is None:
        return False
    a.license = vendor or family.license  # type: ignore[union-attr]
    a.license_source, a.resolution = "name", "name"
    a.resolution_note = (
        "licence from the vendor's family rule (rules/name_families.yaml)"
        if vendor
        else f"licence inferred from the name ({family.name}); weaker than a declaration"  # type: ignore[union-attr]
    )
    return True


def _fallback(
    a: Ancestor, entry: KnownModel | None, resolution: str, note: str
) -> list[_Parent]:
    """The resolver could not answer: the catalog's licence if it has one, else one read
    from the name, else `resolution`."""
    if entry is not None and entry.license:
        parents = _use_catalog(a, entry)
        a.resolution_note = f"{note}; licence from the built-in catalog"
        return parents
    if _license_from_name(a):
        a.resolution_note = f"{note}; {a.resolution_note}"
        return []
    a.resolution, a.resolution_note = resolution, note
    return []


def _resolver_parents(a: Ancestor, r: ResolvedRepo, resolver: AncestorResolver) -> list[_Parent]:
    out = []
    at = f"{a.repo_id}@{r.commit[:7]}" if r.commit else a.repo_id
    for pid, prel in r.parents:
        source = r.parent_sources.get(pid.lower())
        if source is not None:
            declared, how = source
            out.append(_Parent(pid, prel, declared, f"{how} of {at} ({resolver.name})"))
        elif r.license_source == "catalog" and r.commit is None:
            out.append(_Parent(pid, prel, False, f"catalog (base of {a.repo_id})"))
        else:  # a resolver that does not say how: its answer is the repo's own metadata
            out.append(_Parent(pid, prel, True, f"metadata of {at} ({resolver.name})"))
    return out


def _resolve(
    a: Ancestor, catalog: ModelCatalog | None, resolver: AncestorResolver
) -> list[_Parent]:
    """Hub mode: fill in `a`'s licence through the resolver; return its own parents."""
    entry = catalog.lookup(a.repo_id) if catalog is not None else None
    if not is_valid_repo_id(a.repo_id):
        # e.g. a card `base_model` that is not org/name (already a metadata-invalid
        # problem): no repo to read, and a resolver must only be asked about repo ids
        return _fallback(a, entry, "unresolved", "not a Hub repo id (expected org/name)")
    try:
        r = resolver.resolve(a.repo_id)
    except GatedRepoError as e:
        from compliance.sources.hub_errors import TOKEN_HINT  # Hub mode only

        # the resolver's message may already carry the hint: say it once
        note = str(e) if TOKEN_HINT in str(e) else f"{e}; {TOKEN_HINT}"
        return _fallback(a, entry, "gated", note)
    except SourceError as e:
        return _fallback(a, entry, "error", str(e))
    if r is None:
        return _fallback(a, entry, "unresolved", f"not found by the {resolver.name} resolver")
    if r.repo_id and r.repo_id.lower() != a.repo_id.lower():
        a.as_written = a.as_written or a.repo_id
        a.repo_id = r.repo_id
    a.revision = r.commit
    if r.notes:
        a.resolution_note = "; ".join(r.notes)
    parents = _resolver_parents(a, r, resolver)
    if (
        r.license
        and entry is not None
        and entry.license
        and stricter_of(r.license, entry.license) != r.license
    ):
        # the Hub says a permissive licence the catalog has corrected (DeepSeek's Llama
        # distills say mit): keep the stricter, and say so in a finding
        a.license, a.license_source, a.resolution = entry.license, "catalog", "catalog"
        a.license_conflict = (
            f"`{a.repo_id}`: its repo on the Hub says `{r.license}` ({r.license_source}), the "
            f"built-in catalog says `{entry.license}`; the stricter, `{entry.license}`, was applied"
        )
    elif r.license:
        a.license, a.license_source = r.license, r.license_source
        a.notice = r.notice
        a.resolution = "catalog" if r.license_source == "catalog" else "hub"
    elif entry is not None and entry.license:
        note = f"{resolver.name}: licence not identified; licence from the built-in catalog"
        a.license, a.license_source, a.resolution = entry.license, "catalog", "catalog"
        a.resolution_note = f"{a.resolution_note}; {note}" if a.resolution_note else note
        if not parents:
            parents = _catalog_parents(a, entry)
    elif not a.resolution_note:
        a.resolution_note = f"{resolver.name}: licence not identified"
    return parents


def build_lineage(
    facts: Facts,
    catalog: ModelCatalog | None,
    resolver: AncestorResolver | None = None,
    max_depth: int = 8,
    model_id: str | None = None,
) -> Lineage:
    """Ancestors of the audited model, nearest first (breadth-first, so depth is minimal).

    With `resolver` (Hub mode) every ancestor is resolved through it and the catalog is
    only the fallback; without, the catalog alone answers (module docstring)."""
    own_ids = [model_id, facts.repo_id, facts.git_remote_repo_id]
    own = {i.lower() for i in own_ids if i}
    model = model_id or facts.repo_id or facts.label
    direct = _collect_direct(facts, own, catalog)
    own_entry, how_known = _catalog_self(model, catalog)
    if own_entry is not None and how_known == "id":
        # the catalog knows this model's lineage better than its card's prose
        direct = [d for d in direct if d.declared] or _own_entry_base(own_entry)
    elif own_entry is not None and how_known == "pattern" and not direct:
        direct = [_reupload_of(model, own_entry)]
    elif not direct:
        direct = _base_from_shape(facts) or _base_from_names(facts, model)
    relation, relation_source = infer_relation(facts, direct)
    signals = [] if direct or own_entry is not None else _derivation_signals(facts)
    if signals:
        relation, relation_source = signals[0].relation, signals[0].source
    elif len(direct) == 1 and not direct[0].declared and not facts.merges and own_entry is None:
        # a merge has several parents: one identified leaves the others unknown
        merge_signs = [g for g in _derivation_signals(facts) if g.relation == "merge"]
        if merge_signs:
            signals = merge_signs
            relation, relation_source = "merge", merge_signs[0].source
    if not (own_entry is not None and how_known == "id"):
        teachers = _teachers(facts, catalog, own | {d.repo_id.lower() for d in direct})
        if teachers and not direct:
            relation, relation_source = "distilled", "card datasets (model outputs)"
            signals = []
        direct = [*direct, *teachers]
    queue: deque[Ancestor] = deque()
    for s in direct:
        rel = relation if s.declared or s.relation is None else s.relation
        a = Ancestor(s.repo_id, rel, model, s.declared, list(s.evidence), depth=1)
        a.known_from = "; ".join(s.known_from)
        queue.append(a)
    visited: set[str] = set(own)
    ancestors: list[Ancestor] = []
    by_id: dict[str, Ancestor] = {}
    while queue:
        a = queue.popleft()
        if a.repo_id.lower() in visited and a.repo_id.lower() not in by_id:
            continue  # the audited model itself, reached again: a cycle
        parents: list[_Parent] = []
        if a.repo_id.lower() not in by_id:
            if resolver is None:
                parents = _resolve_from_catalog(a, catalog)
            else:
                parents = _resolve(a, catalog, resolver)
        key = a.repo_id.lower()
        if key in visited:
            # a diamond, a re-upload of something already listed, or a cycle: keep one node
            if key in by_id and a.depth == 1:
                kept = by_id[key]
                kept.evidence.extend(a.evidence)
                kept.declared = kept.declared or a.declared
                if a.known_from and a.known_from not in (kept.known_from or ""):
                    kept.known_from = "; ".join(filter(None, [kept.known_from, a.known_from]))
            continue
        visited.add(key)
        ancestors.append(a)
        by_id[key] = a
        if not parents:
            continue
        if a.depth >= max_depth:
            note = f"its own base models were not followed (depth limit {max_depth})"
            a.resolution_note = f"{a.resolution_note}; {note}" if a.resolution_note else note
            continue
        for p in parents:
            rid = repo_id_of(p.repo_id) or p.repo_id
            ev = Evidence(key=f"{a.repo_id}: base_model", seen=rid)
            child = Ancestor(rid, p.relation, a.repo_id, p.declared, [ev], depth=a.depth + 1)
            child.known_from = p.known_from
            queue.append(child)
    conflicts = [a.license_conflict for a in ancestors if a.license_conflict]
    if own_entry is not None and how_known == "id":
        conflicts += _declared_conflict(facts, own_entry)
    return Lineage(
        license_conflicts=conflicts,
        model=model,
        relation=relation,
        relation_source=relation_source,
        ancestors=ancestors,
        derivation_signals=signals,
        merge_names=merge_sentence_names(facts.card.body[:200_000]) if facts.card.present else [],
    )


def _derivation_signals(facts: Facts) -> list[Any]:
    from compliance.lineage.derivation import derivation_signals  # some repos only

    return derivation_signals(facts)


def _teachers(facts: Facts, catalog: ModelCatalog | None, known: set[str]) -> list[_Seen]:
    """Models whose outputs a `datasets:` entry holds: distillation teachers."""
    if not facts.card.present:
        return []
    return [
        _Seen(
            t.repo_id, False, "distilled", [Evidence(key="card datasets", seen=t.dataset)],
            [f"inferred: card datasets ({t.dataset} holds its outputs)"],
        )
        for t in dataset_teachers(facts.card.datasets, catalog)
        if t.repo_id.lower() not in known
    ]


def _base_from_shape(facts: Facts) -> list[_Seen]:
    """A base whose exact config.json shape the repo's config has (rules/shapes.yaml)."""
    from compliance.lineage.config_shapes import shape_match
    match = shape_match(facts.config.data) if facts.config.present else None
    if match is None:
        return []
    rid, keys = match
    ev = Evidence(file="config.json", key="config.json shape", seen=", ".join(keys))
    how = f"inferred: config.json shape matches {rid} exactly ({len(keys)} keys)"
    return [_Seen(rid, False, None, [ev], [how])]


def _base_from_names(facts: Facts, model: str) -> list[_Seen]:
    """A base read from the model's own name ("…-Llama-3.1-70B-…"), when nothing else
    names one: weaker than any declaration, and said so."""
    folder = facts.label.rstrip("/\\").rsplit("/", 1)[-1]
    for where, name in (
        ("model name", model),
        ("card first heading", facts.card.first_heading),
        ("folder name", folder),
    ):
        found = base_from_name(name) if name else None
        if found is None:
            continue
        family, rid = found
        ev = Evidence(key=where, seen=(name or "")[:200])
        how = (
            f"inferred: the {where} carries {family.name} and a size; licence inferred "
            "from the name, weaker than a declaration"
        )
        return [_Seen(rid, False, None, [ev], [how])]
    return []


def _declared_conflict(facts: Facts, entry: Any) -> list[str]:
    """The audited repo is a catalog model whose card declares a permissive licence the
    catalog has corrected (a DeepSeek Llama distill saying `mit`)."""
    declared = facts.card.text("license")
    if declared and declared.strip().lower() == "other":
        declared = facts.card.text("license_name")
    if (
        not declared
        or stricter_of(declared.strip().lower(), entry.license) == declared.strip().lower()
    ):
        return []
    why = entry.note or "its weights derive from a base under that licence"
    return [
        f"`{entry.repo_id}`: the card declares `{declared.strip()}`, the built-in catalog "
        f"records `{entry.license}` for this model ({why}); the stricter, "
        f"`{entry.license}`, applies"
    ]


def _own_entry_base(entry: Any) -> list[_Seen]:
    """The audited repo is a catalog model built on another vendor's model (DeepSeek's Llama
    distills): that base's licence still applies, whatever the card declares. A vendor's
    own chain (Qwen's instruct on Qwen's base) adds nothing the vendor owes itself."""
    base = getattr(entry, "base", None)
    if base is None:
        return []
    if base.split("/", 1)[0].lower() == entry.repo_id.split("/", 1)[0].lower():
        return []
    ev = Evidence(key="catalog", seen=f"{entry.repo_id} -> {base}")
    how = f"catalog: {entry.repo_id} derives from {base}"
    return [_Seen(base, False, entry.relation, [ev], [how])]


def _reupload_of(model: str, entry: Any) -> _Seen:
    """A repo of a known re-upload org whose name is a catalog model's: a copy of it."""
    ev = Evidence(key="catalog re-upload pattern", seen=model[:200])
    how = f"catalog: {model} is a re-upload of {entry.repo_id} ({entry.via_pattern})"
    return _Seen(entry.repo_id, False, None, [ev], [how])


def _catalog_self(model: str, catalog: Any) -> tuple[Any, str | None]:
    """(catalog entry, how) when the audited repo is a catalog model itself: "id" (its id or
    an alias), "pattern" (a re-upload org's copy), "name" (a folder or title with the name
    only: a training output dir is often named after its base, so weaker); else (None, None)."""
    if catalog is None or not hasattr(catalog, "lookup"):
        return None, None
    if "/" in model:
        entry = catalog.lookup(model)
        if entry is not None:
            via = getattr(entry, "via_pattern", None)
            return entry, "id" if via in (None, "alias") else "pattern"
    entry = lookup_name(catalog, model.rstrip("/").rsplit("/", 1)[-1])
    return entry, "name" if entry is not None else None
