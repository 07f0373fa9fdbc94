"""Build the audited model's lineage: declared and inferred ancestors, then their licences.

Declared: card `base_model` (+ `base_model_relation`) and GGUF `general.base_model.N`.
Inferred (evidence, not declaration): config.json `_name_or_path`, an adapter's
`base_model_name_or_path`, merge configs, card prose. Inferred ancestors still bring their
obligations (declared=False). Licences come from the catalog (re-uploads mapped to the
original), else from `resolver` (the Hub), recursively with cycle detection and a depth
bound. An unknown licence stays unknown ("unresolved"); it is never guessed.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from compliance.errors import GatedRepoError, SourceError
from compliance.facts.model import Facts
from compliance.lineage.model import RELATIONS, Ancestor, AncestorResolver, Lineage
from compliance.lineage.offline_resolver import entry_bases
from compliance.lineage.prose import find_bases
from compliance.report import Evidence

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_HF_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/")
# `_name_or_path` often holds a local training directory such as "output/checkpoint"
_LOCAL_DIRS = {
    "models", "model", "checkpoints", "checkpoint", "ckpt", "output", "outputs", "out", "tmp",
    "data", "home", "workspace", "mnt", "root", "content", "runs", "results", "save", "saved",
}  # fmt: skip
# AutoGPTQ / AutoAWQ configs and the EXL2 measurement file; GGUF is recognised by extension
_QUANT_FILES = ("quantize_config.json", "quant_config.json", "measurement.json")


def repo_id_of(value: Any) -> str | None:
    """A Hub id from a metadata value ("org/name" or a huggingface.co URL), else None."""
    if not isinstance(value, str):
        return None
    text = _HF_URL.sub("", value.strip()).rstrip("/")
    text = re.sub(r"/(?:tree|blob|resolve)/.*$", "", text)
    return text if _REPO_ID.match(text) and ".." not in text else None


@dataclass
class _Seen:
    """A direct parent as first seen; evidence accumulates from every place it shows up."""

    repo_id: str
    declared: bool
    relation: str | None
    evidence: list[Evidence] = field(default_factory=list)


def _card_bases(facts: Facts) -> list[str]:
    value = facts.card.get("base_model")
    values = value if isinstance(value, list) else [value] if value else []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _gguf_bases(facts: Facts) -> list[tuple[str, Evidence]]:
    out = []
    for g in facts.gguf:
        for n, bm in enumerate(g.base_models):
            if not isinstance(bm, dict):
                continue
            rid = repo_id_of(bm.get("repo_url"))
            key = f"gguf:general.base_model.{n}.repo_url"
            if rid is None and bm.get("organization") and bm.get("name"):
                rid = repo_id_of(f"{bm['organization']}/{bm['name']}")
                key = f"gguf:general.base_model.{n}.organization+name"
            if rid:
                out.append((rid, Evidence(file=g.file, key=key, seen=rid)))
    return out


def _collect_direct(facts: Facts, own: set[str]) -> list[_Seen]:
    seen: dict[str, _Seen] = {}

    def add(repo_id: str, declared: bool, relation: str | None, ev: Evidence) -> None:
        key = repo_id.lower()
        if key in own:
            return
        if key in seen:
            s = seen[key]
            s.declared = s.declared or declared
            s.evidence.append(ev)
            return
        seen[key] = _Seen(repo_id, declared, relation, [ev])

    line = facts.card.metadata_lines.get("base_model")
    for b in _card_bases(facts):
        rid = repo_id_of(b) or b
        add(rid, True, None, Evidence(file="README.md", line=line, key="card:base_model", seen=b))
    for rid, ev in _gguf_bases(facts):
        add(rid, True, None, ev)
    for a in facts.adapters:
        rid = repo_id_of(a.base_model)
        if rid:
            key = f"{a.file}:base_model_name_or_path"
            add(rid, False, "adapter", Evidence(file=a.file, key=key, seen=a.base_model))
    for m in facts.merges:
        for n, raw in enumerate(([m.base_model] if m.base_model else []) + list(m.models)):
            rid = repo_id_of(raw)
            if rid:
                key = f"{m.file}:{'base_model' if n == 0 and m.base_model else 'models'}"
                add(rid, False, "merge", Evidence(file=m.file, line=m.line, key=key, seen=raw))
    nop = facts.config.name_or_path
    rid = repo_id_of(nop)
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
        add(rid, False, None, ev)
    if facts.card.present and facts.card.body:
        datasets = facts.card.get("datasets")
        exclude = set(own) | {
            d for d in (datasets if isinstance(datasets, list) else []) if isinstance(d, str)
        }
        for pb in find_bases(facts.card.body, facts.card.body_start_line, exclude):
            ev = Evidence(file="README.md", line=pb.line, key="card prose", seen=pb.text[:200])
            add(pb.repo_id, False, pb.relation, ev)
    return list(seen.values())


def infer_relation(facts: Facts, direct: list[_Seen]) -> tuple[str | None, str | None]:
    """(relation, where it came from), the way the Hub infers it when the card does not say."""
    if not direct:
        return None, None
    stated = facts.card.get("base_model_relation")
    if isinstance(stated, str) and stated.strip().lower() in RELATIONS:
        return stated.strip().lower(), "card base_model_relation"
    if facts.adapters:
        return "adapter", facts.adapters[0].file
    if facts.merges:
        return "merge", facts.merges[0].file
    if len(_card_bases(facts)) > 1:
        return "merge", "card base_model (several models)"
    if facts.config.quantization:
        return "quantized", "config.json quantization_config"
    for path in sorted(facts.files):
        low = path.lower()
        if low.endswith(".gguf") or low.rsplit("/", 1)[-1] in _QUANT_FILES:
            return "quantized", path
    return "finetune", "default (no adapter, merge or quantization evidence)"


def _resolve(
    a: Ancestor, catalog: Any, resolver: AncestorResolver | None
) -> list[tuple[str, str | None]]:
    """Fill in `a`'s licence; return its own parents (repo id, relation)."""
    entry = catalog.lookup(a.repo_id) if catalog is not None else None
    if entry is not None:
        if entry.repo_id != a.repo_id:
            a.as_written = a.as_written or a.repo_id
            a.repo_id = entry.repo_id
        if entry.license:
            a.license, a.license_source, a.resolution = entry.license, "catalog", "catalog"
            return [(b, getattr(entry, "relation", None)) for b in entry_bases(entry)]
    if resolver is None:
        a.resolution_note = "not in the built-in catalog; Hub lookup not enabled"
        return []
    try:
        r = resolver.resolve(a.repo_id)
    except GatedRepoError as e:
        a.resolution = "gated"
        a.resolution_note = f"{e}; set HF_TOKEN or accept the licence on the Hub"
        return []
    except SourceError as e:
        a.resolution, a.resolution_note = "error", str(e)
        return []
    if r is None:
        a.resolution_note = f"not found by the {resolver.name} resolver"
        return []
    a.revision = r.commit
    if r.notes:
        a.resolution_note = "; ".join(r.notes)
    if r.license:
        a.license, a.license_source = r.license, r.license_source
        a.resolution = "catalog" if r.license_source == "catalog" else "hub"
    elif not a.resolution_note:
        a.resolution_note = f"{resolver.name}: licence not identified"
    return list(r.parents)


def build_lineage(
    facts: Facts,
    catalog: Any,
    resolver: AncestorResolver | None = None,
    max_depth: int = 8,
    model_id: str | None = None,
) -> Lineage:
    """Ancestors of the audited model, nearest first (breadth-first, so depth is minimal)."""
    own_ids = [model_id, facts.repo_id, facts.git_remote_repo_id]
    own = {i.lower() for i in own_ids if i}
    model = model_id or facts.repo_id or facts.label
    direct = _collect_direct(facts, own)
    relation, relation_source = infer_relation(facts, direct)
    queue: deque[Ancestor] = deque()
    for s in direct:
        rel = relation if s.declared or s.relation is None else s.relation
        a = Ancestor(s.repo_id, rel, model, s.declared, list(s.evidence), depth=1)
        queue.append(a)
    visited: set[str] = set(own)
    ancestors: list[Ancestor] = []
    by_id: dict[str, Ancestor] = {}
    while queue:
        a = queue.popleft()
        if a.repo_id.lower() in visited and a.repo_id.lower() not in by_id:
            continue  # the audited model itself, reached again: a cycle
        parents = _resolve(a, catalog, resolver) if a.repo_id.lower() not in by_id else []
        key = a.repo_id.lower()
        if key in visited:
            # a diamond, a re-upload of something already listed, or a cycle: keep one node
            if key in by_id and a.depth == 1:
                by_id[key].evidence.extend(a.evidence)
                by_id[key].declared = by_id[key].declared or a.declared
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
        for pid, prel in parents:
            rid = repo_id_of(pid) or pid
            ev = Evidence(key=f"{a.repo_id}: base_model", seen=rid)
            child = Ancestor(rid, prel, a.repo_id, True, [ev], depth=a.depth + 1)
            queue.append(child)
    return Lineage(
        model=model, relation=relation, relation_source=relation_source, ancestors=ancestors
    )
