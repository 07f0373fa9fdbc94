"""Honest disclosure of upcycling passes: the fix an `undisclosed-upcycling` finding
suggests uses only values the Hub accepts, and following it makes the finding go away."""

from __future__ import annotations

import dataclasses

import pytest

from compliance.config import parse_config
from compliance.facts.model import Card, Facts, WeightFile
from compliance.lineage.model import Ancestor, Lineage
from compliance.sources.local import LocalSource
from compliance.weights.audit import weight_evidence
from compliance.weights.compare import open_view
from compliance.weights.disclosure import collect, from_prose
from compliance.weights.fingerprint import write_fingerprint
from tests.support import synth

HUB_RELATIONS = ("adapter", "merge", "quantized", "finetune")


@pytest.fixture(scope="module")
def moe_case(models, tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib-disc")
    write_fingerprint(open_view(str(models["base"])), lib / "base.safetensors", repo_id="org/base")
    moe = synth.upcycle_moe(synth.from_view(open_view(str(models["base"]))), n_experts=4)
    moe_dir = synth.write_model(moe, tmp_path_factory.mktemp("moe") / "m", dtype="BF16")
    return moe_dir, lib


def _facts(model_dir, body: str = "", tags: tuple[str, ...] = (), config=None) -> Facts:
    meta = {"base_model": "org/base", "base_model_relation": "finetune"}
    if tags:
        meta["tags"] = list(tags)
    card = Card(present=True, metadata=meta, body=body)
    f = Facts(source_kind="local", label=str(model_dir), repo_id="org/moe", revision=None,
              commit=None, weights=[WeightFile("model.safetensors", "safetensors", None, True)])
    return dataclasses.replace(f, card=card, modelcheck_config=config or {})


def _lineage() -> Lineage:
    return Lineage(model="org/moe", relation="finetune", relation_source="card",
                   ancestors=[Ancestor("org/base", "finetune", "org/moe", True)])


def _categories(facts, moe_case) -> list[str]:
    moe_dir, lib = moe_case
    _section, findings = weight_evidence(facts, _lineage(), LocalSource(moe_dir), [lib])
    return [f.category for f in findings]


def test_finding_suggests_a_relation_the_hub_accepts(moe_case) -> None:
    moe_dir, lib = moe_case
    _s, findings = weight_evidence(_facts(moe_dir), _lineage(), LocalSource(moe_dir), [lib])
    (f,) = [f for f in findings if f.category == "undisclosed-upcycling"]
    assert "base_model_relation: upcycled" not in f.fix
    assert "base_model_relation: finetune" in f.fix
    assert "upcycled from org/base" in f.fix and "upcycled_from: org/base" in f.fix


@pytest.mark.parametrize(
    "how",
    ["prose", "prose-initialised", "prose-link", "config", "tag"],
)
def test_following_the_fix_makes_the_finding_go_away(moe_case, how: str) -> None:
    moe_dir, _lib = moe_case
    facts = {
        "prose": _facts(moe_dir, "This MoE was upcycled from org/base with 4 experts."),
        "prose-initialised": _facts(moe_dir, "Experts were initialized from `org/base`."),
        "prose-link": _facts(
            moe_dir, "Sparse upcycling of [base](https://huggingface.co/org/base)."
        ),
        "config": _facts(moe_dir, config={"lineage": {"upcycled_from": ["org/base"]}}),
        "tag": _facts(moe_dir, tags=("moe", "upcycled")),
    }[how]
    assert "undisclosed-upcycling" not in _categories(facts, moe_case)


def test_disclosing_another_base_or_another_kind_does_not_count(moe_case) -> None:
    moe_dir, _lib = moe_case
    assert "undisclosed-upcycling" in _categories(
        _facts(moe_dir, "This MoE was upcycled from org/elsewhere."), moe_case
    )
    assert "undisclosed-upcycling" in _categories(
        _facts(moe_dir, "Pruned from org/base."), moe_case
    )


def test_prose_patterns_and_the_config_field_are_accepted() -> None:
    found = list(from_prose("x\nwe distilled from Org/Teacher-7B.\ndepth up-scaled from a/b", 10))
    assert found == [("distilled", "Org/Teacher-7B.", 11), ("up-scaled", "a/b", 12)]
    assert collect(_facts("x", "distilled from Org/Teacher-7B.")).covers("upcycled-moe",
                                                                         "org/teacher-7b") is False
    cfg = parse_config({"lineage": {"upcycled_from": "org/base"}}, ".modelcheck.yaml", None)
    assert cfg.origin == ".modelcheck.yaml"
