"""HubResolver: every ancestor read from its own repo on a real server (olah),
recursively, pinned, with cycle detection, a depth bound and catalog cross-checks."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from faultproxy import Fault
from hubrepos import LLAMA_LICENSE, build_family, card, make_repo
from hubserver import settings_for

from compliance.errors import GatedRepoError, OfflineError
from compliance.facts.read import read_facts
from compliance.facts.wanted import read_by_facts
from compliance.lineage.build import build_lineage
from compliance.lineage.hub_resolver import HubResolver
from compliance.packs import Identifier, load_all
from compliance.sources.hub import HubSource

pytestmark = pytest.mark.hub

_n = itertools.count()


class FakeCatalog:
    def __init__(self, entries: dict[str, tuple[str, list[str]]]) -> None:
        self.entries = entries

    def lookup(self, repo_id: str) -> SimpleNamespace | None:
        hit = self.entries.get(repo_id)
        if hit is None:
            return None
        return SimpleNamespace(repo_id=repo_id, license=hit[0], base=hit[1], relation="finetune")


@pytest.fixture(scope="module")
def family(olah) -> dict[str, str]:
    return build_family(olah.mirrors, f"res{next(_n)}")


def _resolver(endpoint: str, cache: Path, catalog=None, **kw) -> HubResolver:
    return HubResolver(
        identify=Identifier(load_all()),
        catalog=catalog,
        settings=settings_for(endpoint, cache, **kw),
    )


def _lineage(endpoint: str, cache: Path, target: str, resolver: HubResolver, **kw):
    src = HubSource.open(target, settings=settings_for(endpoint, cache), wanted=read_by_facts)
    facts = read_facts(src)
    return build_lineage(facts, None, resolver, model_id=target, **kw)


def test_ancestor_licence_parents_and_commit(olah, tmp_path, family) -> None:
    r = _resolver(olah.url, tmp_path / "hf").resolve(family["ft1"])
    assert r is not None
    assert (r.license, r.license_source) == ("llama3.1", "hub-card")
    assert r.parents == [(family["base"], "finetune")]
    assert r.commit and re.fullmatch(r"[0-9a-f]{40}", r.commit)
    assert r.notes == []


def test_licence_from_the_licence_file_when_the_card_is_silent(olah, tmp_path, family) -> None:
    r = _resolver(olah.url, tmp_path / "hf").resolve(family["qwen"])
    assert r is not None and (r.license, r.license_source) == ("qwen", "hub-license-file")


def test_three_levels_resolved_recursively_each_pinned(olah, tmp_path, family) -> None:
    resolver = _resolver(olah.url, tmp_path / "hf")
    lineage = _lineage(olah.url, tmp_path / "hf", family["ft2"], resolver)
    got = {(a.repo_id, a.depth, a.license, a.resolution) for a in lineage.ancestors}
    assert got == {
        (family["ft1"], 1, "llama3.1", "hub"),
        (family["base"], 2, "llama3.1", "hub"),
    }
    assert all(a.revision and len(a.revision) == 40 for a in lineage.ancestors)
    assert set(resolver.read) == {family["ft1"], family["base"]}
    # the deep link was declared by ft1's own card, read on the Hub at the commit shown
    ft1, base = lineage.ancestors
    assert base.declared
    assert base.known_from == f"card base_model of {family['ft1']}@{ft1.revision[:7]} (hub)"


def test_merge_of_two_families(olah, tmp_path, family) -> None:
    lineage = _lineage(
        olah.url, tmp_path / "hf", family["merge"], _resolver(olah.url, tmp_path / "hf")
    )
    assert lineage.relation == "merge"
    by_id = {a.repo_id: a for a in lineage.ancestors}
    assert by_id[family["ft1"]].license == "llama3.1"
    assert by_id[family["qwen"]].license == "qwen"
    assert by_id[family["base"]].depth == 2
    assert set(lineage.licenses()) == {"llama3.1", "qwen"}


def test_gguf_quantization_declares_its_base_in_the_header_too(olah, tmp_path, family) -> None:
    lineage = _lineage(
        olah.url, tmp_path / "hf", family["gguf"], _resolver(olah.url, tmp_path / "hf")
    )
    assert lineage.relation == "quantized"
    ft1 = next(a for a in lineage.ancestors if a.repo_id == family["ft1"])
    assert any(e.key and e.key.startswith("gguf:") for e in ft1.evidence)
    assert {a.repo_id for a in lineage.ancestors} == {family["ft1"], family["base"]}


def test_gated_ancestor_does_not_lose_the_rest(proxy, tmp_path, family) -> None:
    gated = re.escape(family["gated"])
    proxy.add(Fault(gated, status=403, headers={"X-Error-Code": "GatedRepo"}))
    resolver = _resolver(proxy.url, tmp_path / "hf")
    with pytest.raises(GatedRepoError, match="set HF_TOKEN or accept the licence on the Hub"):
        resolver.resolve(family["gated"])
    lineage = _lineage(proxy.url, tmp_path / "hf", family["on_gated"], resolver)
    (a,) = lineage.ancestors
    assert a.repo_id == family["gated"] and a.resolution == "gated"
    assert (a.resolution_note or "").count("set HF_TOKEN or accept the licence on the Hub") == 1


def test_gated_catalog_known_ancestor_falls_back_to_the_catalog(proxy, tmp_path, family) -> None:
    gated = family["gated"]
    proxy.add(Fault(re.escape(gated), status=403, headers={"X-Error-Code": "GatedRepo"}))
    catalog = FakeCatalog({gated: ("llama3.1", [])})
    resolver = _resolver(proxy.url, tmp_path / "hf", catalog)
    src = HubSource.open(
        family["on_gated"], settings=settings_for(proxy.url, tmp_path / "hf"), wanted=read_by_facts
    )
    facts = read_facts(src)
    (a,) = build_lineage(facts, catalog, resolver, model_id=family["on_gated"]).ancestors
    assert (a.license, a.resolution) == ("llama3.1", "catalog")
    note = a.resolution_note or ""
    assert "HTTP 403" in note and "licence from the built-in catalog" in note
    assert note.count("set HF_TOKEN or accept the licence on the Hub") == 1


def test_cycle_terminates_and_reads_each_repo_once(olah, proxy, tmp_path) -> None:
    org = f"cyc{next(_n)}"
    a, b = f"{org}/a", f"{org}/b"
    for me, parent in ((a, b), (b, a)):
        make_repo(
            olah.mirrors,
            me,
            {
                "README.md": card(f"license: llama3.1\nbase_model: {parent}"),
                "LICENSE": LLAMA_LICENSE,
            },
        )
    top = f"{org}/top"
    make_repo(olah.mirrors, top, {"README.md": card(f"license: llama3.1\nbase_model: {a}")})
    lineage = _lineage(proxy.url, tmp_path / "hf", top, _resolver(proxy.url, tmp_path / "hf"))
    assert [(x.repo_id, x.depth) for x in lineage.ancestors] == [(a, 1), (b, 2)]
    revision_lookups = [e.path for e in proxy.log if "/revision/" in e.path]
    assert sum(f"/{a}/" in p for p in revision_lookups) == 1
    assert sum(f"/{b}/" in p for p in revision_lookups) == 1


def test_depth_bound(olah, tmp_path) -> None:
    org = f"deep{next(_n)}"
    chain = [f"{org}/m{i}" for i in range(5)]
    for i, rid in enumerate(chain):
        meta = "license: llama3.1" + (f"\nbase_model: {chain[i + 1]}" if i + 1 < len(chain) else "")
        make_repo(olah.mirrors, rid, {"README.md": card(meta)})
    lineage = _lineage(
        olah.url, tmp_path / "hf", chain[0], _resolver(olah.url, tmp_path / "hf"), max_depth=2
    )
    assert [a.repo_id for a in lineage.ancestors] == chain[1:3]
    assert "depth limit 2" in (lineage.ancestors[-1].resolution_note or "")


def test_catalog_disagreement_is_noted(olah, tmp_path, family) -> None:
    catalog = FakeCatalog({family["base"]: ("qwen", [])})
    r = _resolver(olah.url, tmp_path / "hf", catalog).resolve(family["base"])
    assert r is not None and r.license == "llama3.1"  # the Hub's own card wins
    assert any("hub-card) says `llama3.1`, the built-in catalog says `qwen`" in n for n in r.notes)


def test_offline_falls_back_to_the_catalog(olah, tmp_path, family) -> None:
    catalog = FakeCatalog({family["base"]: ("llama3.1", [])})
    off = _resolver("http://127.0.0.1:9", tmp_path / "empty", catalog, offline=True)
    r = off.resolve(family["base"])
    assert r is not None and (r.license, r.license_source) == ("llama3.1", "catalog")
    assert "HF_HUB_OFFLINE=1" in r.notes[0]
    with pytest.raises(OfflineError):
        off.resolve(family["ft1"])


def test_offline_uses_the_cache_when_present(olah, tmp_path, family) -> None:
    cache = tmp_path / "hf"
    _resolver(olah.url, cache).resolve(family["ft1"])
    r = _resolver("http://127.0.0.1:9", cache, offline=True).resolve(family["ft1"])
    assert r is not None and (r.license, r.license_source) == ("llama3.1", "hub-card")
    assert r.parents == [(family["base"], "finetune")]
