"""weight_evidence(): declared bases verified via fingerprints, undeclared bases and
undisclosed upcycling found, unverifiable cases stated (never exceptions)."""

from __future__ import annotations

import pytest

from compliance.facts.model import Facts, WeightFile
from compliance.lineage.model import Ancestor, Lineage
from compliance.sources.local import LocalSource
from compliance.weights.audit import (
    NO_EVIDENCE,
    NOT_VERIFIABLE,
    SUPPORTED,
    weight_evidence,
)
from compliance.weights.compare import open_view
from compliance.weights.fingerprint import write_fingerprint
from tests.support import synth


def _facts(model_dir, repo_id="org/suspect"):
    return Facts(source_kind="local", label=str(model_dir), repo_id=repo_id, revision=None,
                 commit=None, weights=[WeightFile("model.safetensors", "safetensors", None, True)])


def _lineage(*declared, relation="finetune"):
    return Lineage(model="org/suspect", relation=relation, relation_source="card",
                   ancestors=[Ancestor(b, relation, "org/suspect", True) for b in declared])


@pytest.fixture(scope="module")
def library(models, tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib")
    write_fingerprint(open_view(str(models["base"])), lib / "base.safetensors", repo_id="org/base")
    write_fingerprint(open_view(str(models["other"])), lib / "other.safetensors",
                      repo_id="org/other")
    return lib


@pytest.fixture(scope="module")
def declared_two(models, library):
    return weight_evidence(_facts(models["ft"]), _lineage("org/base", "org/other"),
                           LocalSource(models["ft"]), [library])


def test_declared_base_supported_and_unrelated_declared_base_not(declared_two):
    section, findings = declared_two
    by = {s.base: s for s in section.statements}
    assert by["org/base"].status == SUPPORTED
    assert "consistent with derivation" in by["org/base"].detail
    assert by["org/other"].status == NO_EVIDENCE
    assert "cannot detect distillation" in by["org/other"].detail
    assert findings == []
    assert section.to_dict()["details"][0]["signals"]


def test_inapplicable_signal_is_not_listed_as_not_computed(declared_two):
    # a dense suspect: the MoE-upcycling signal does not apply; the audit used its own copy
    # of the method lists and said it "could not be computed" (wording.py did not)
    section, _ = declared_two
    detail = {s.base: s for s in section.statements}["org/other"].detail
    assert "MoE" not in detail and "could not be computed" not in detail


def test_undeclared_base_found_from_the_library(models, library):
    section, findings = weight_evidence(_facts(models["ft"]), _lineage(),
                                        LocalSource(models["ft"]), [library])
    assert [f.category for f in findings] == ["undeclared-base-model"]
    assert findings[0].ancestor == "org/base"
    assert {c.candidate for c in section.comparisons} == {"org/base", "org/other"}


def test_declared_base_without_fingerprint_is_not_verifiable_offline(models):
    section, findings = weight_evidence(_facts(models["ft"]), _lineage("org/unknown"),
                                        LocalSource(models["ft"]), [])
    (s,) = section.statements
    assert s.status == NOT_VERIFIABLE and "--fingerprints" in s.detail
    assert findings == []


def test_repo_without_safetensors_is_not_verifiable(tmp_path, library):
    facts = Facts(source_kind="local", label=str(tmp_path), repo_id="org/gguf", revision=None,
                  commit=None, weights=[WeightFile("m.gguf", "gguf", 10)])
    section, findings = weight_evidence(facts, _lineage("org/base"), LocalSource(tmp_path),
                                        [library])
    assert section.statements[0].status == NOT_VERIFIABLE
    assert "gguf" in section.statements[0].detail and findings == []


def test_undisclosed_moe_upcycling(tmp_path, library, models):
    base_view = open_view(str(models["base"]))
    dense = synth.from_view(base_view)
    moe = synth.upcycle_moe(dense, n_experts=4)
    moe_dir = synth.write_model(moe, tmp_path / "moe", dtype="BF16")
    section, findings = weight_evidence(_facts(moe_dir, "org/moe"), _lineage("org/base"),
                                        LocalSource(moe_dir), [library])
    cats = [f.category for f in findings]
    assert "undisclosed-upcycling" in cats
    assert section.statements[0].base == "org/base"


def test_weights_partial_renders_in_the_report_environment(declared_two):
    from compliance.reporters.to_markdown import environment

    section, _ = declared_two
    text = environment().get_template("_weights.md.j2").render(weights=section)
    assert "## Weight evidence" in text
    assert "| `org/base` | supported |" in text
    assert "| `org/other` | no weight evidence found |" in text


def test_weights_partial_says_how_to_reproduce(declared_two, models):
    from compliance.reporters.to_markdown import environment
    from compliance.weights import provenance
    from compliance.weights.signals import SamplePlan

    section, _ = declared_two
    text = environment().get_template("_weights.md.j2").render(weights=section)
    line = text.split("Reproduce (", 1)[1]
    assert "`model.safetensors` `" in line.splitlines()[0]  # the suspect's file and digest
    plan = provenance.plan_version(SamplePlan().as_dict())
    for base, fp in (("org/base", "base.safetensors"), ("org/other", "other.safetensors")):
        item = next(ln for ln in line.splitlines() if ln.startswith(f"- `{base}`"))
        assert f"plan `{plan}`" in item and f"rules `{provenance.rules_version()}`" in item
        assert f"`{fp}` `" in item  # the fingerprint file by its own hash
    assert section.to_dict()["details"][0]["rules_version"] == provenance.rules_version()
