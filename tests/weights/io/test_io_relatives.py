"""Parent vs sibling: several matching candidates are ranked, the report says weight
similarity is symmetric, and a known relative of the declared base is not reported as an
undeclared base model."""

from __future__ import annotations

import pytest

from compliance.facts.model import Facts, WeightFile
from compliance.lineage.catalog import Catalog
from compliance.lineage.model import Ancestor, Lineage
from compliance.reporters.lineage_markdown import render
from compliance.sources.local import LocalSource
from compliance.weights.audit import weight_evidence
from compliance.weights.compare import compare_many, open_view
from compliance.weights.fingerprint import FingerprintView, write_fingerprint
from compliance.weights.relatives import known_relative
from compliance.weights.wording import SYMMETRY
from tests.support import synth


def _catalog(instruct_base: str | None = "org/base") -> Catalog:
    instruct = {"id": "org/base-instruct"}
    if instruct_base:
        instruct.update(base=instruct_base, relation="finetune")
    return Catalog.from_data({"schema": 1, "families": [
        {"family": "fam", "license": "apache-2.0",
         "models": [{"id": "org/base"}, instruct]},
        {"family": "other", "license": "mit", "models": [{"id": "org/elsewhere"}]},
    ]})


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    root = tmp_path_factory.mktemp("rel")
    b = synth.base(3)
    lib = root / "lib"
    lib.mkdir()
    base_dir = synth.write_model(b, root / "base")
    instruct_dir = synth.write_model(synth.fine_tune(b, 0.3, seed=11), root / "instruct")
    suspect_dir = synth.write_model(synth.fine_tune(b, 0.1, seed=12), root / "suspect")
    write_fingerprint(open_view(str(base_dir)), lib / "a.safetensors", repo_id="org/base")
    write_fingerprint(open_view(str(instruct_dir)), lib / "b.safetensors",
                      repo_id="org/base-instruct")
    return suspect_dir, lib


def _audit(case, catalog):
    suspect_dir, lib = case
    facts = Facts(source_kind="local", label=str(suspect_dir), repo_id="org/suspect",
                  revision=None, commit=None,
                  weights=[WeightFile("model.safetensors", "safetensors", None, True)])
    lineage = Lineage(model="org/suspect", relation="finetune", relation_source="card",
                      ancestors=[Ancestor("org/base", "finetune", "org/suspect", True)])
    return weight_evidence(facts, lineage, LocalSource(suspect_dir), [lib], catalog=catalog)


def test_sibling_of_declared_base_is_not_an_undeclared_base(case) -> None:
    section, findings = _audit(case, _catalog())
    assert [f.category for f in findings] == []
    assert any("org/base-instruct" in n and "descendant of the declared base org/base" in n
               for n in section.notes)


def test_candidates_are_ranked_and_symmetry_is_stated(case) -> None:
    section, _ = _audit(case, _catalog())
    ranking = section.notes[0]
    assert ranking.startswith("2 candidates match; closest first: org/base (aligned cosine")
    assert "org/base is the closest" in ranking and "cannot tell a parent from a sibling" in ranking


def test_unrelated_match_still_raises_the_finding(case) -> None:
    # the same library, but the catalog says nothing relating the two: the finding stays
    cat = Catalog.from_data({"schema": 1, "families": [
        {"family": "x", "license": "mit", "models": [{"id": "org/base"}]},
        {"family": "y", "license": "mit", "models": [{"id": "org/base-instruct"}]},
    ]})
    _section, findings = _audit(case, cat)
    assert [f.ancestor for f in findings] == ["org/base-instruct"]


def test_known_relative_kinds() -> None:
    cat = Catalog.from_data({"schema": 1, "families": [
        {"family": "fam", "license": "mit", "models": [
            {"id": "org/root"},
            {"id": "org/base", "base": "org/root", "relation": "finetune"},
            {"id": "org/sib", "base": "org/root", "relation": "finetune"},
            {"id": "org/kid", "base": "org/base", "relation": "finetune"},
            {"id": "org/cousin"},
        ]},
        {"family": "else", "license": "mit", "models": [{"id": "org/far"}]},
    ]})
    assert "ancestor" in known_relative("org/root", ["org/base"], None, cat)
    assert "descendant" in known_relative("org/kid", ["org/base"], None, cat)
    assert "sibling" in known_relative("org/sib", ["org/base"], None, cat)
    assert "same catalog family" in known_relative("org/cousin", ["org/base"], None, cat)
    assert known_relative("org/far", ["org/base"], None, cat) is None
    assert known_relative("org/far", [], None, cat) is None


def test_lineage_report_ranks_and_states_symmetry(case) -> None:
    suspect_dir, lib = case
    comps = compare_many(
        open_view(str(suspect_dir)),
        [FingerprintView(lib / "b.safetensors"), FingerprintView(lib / "a.safetensors")],
    )
    text = render(str(suspect_dir), comps)
    assert "**Several candidates match.** 2 candidates match; closest first: org/base" in text
    assert SYMMETRY in text
