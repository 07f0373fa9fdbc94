"""One pass and one fail per check kind, on tiny Facts built in the test (yamllint style)."""

from __future__ import annotations

from support.audit import all_packs, ancestor, demo_pack, facts, lineage, run_check

from compliance.checks import CHECKS
from compliance.checks.base import validate_options
from compliance.facts.model import AdapterFacts, LicenseFile, Problem, WeightFile
from compliance.packs import Derivatives, Identity
from compliance.report import Evidence, ObligationState

MET, NOT_MET, NC = ObligationState.MET, ObligationState.NOT_MET, ObligationState.NOT_CHECKABLE


def test_every_kind_has_docs_and_options():
    for kind, module in CHECKS.items():
        assert kind == module.KIND
        doc = module.__doc__ or ""
        assert "What" in doc and "Why" in doc, kind
        assert isinstance(module.OPTIONS, dict)


# card-contains ----------------------------------------------------------------


def test_card_contains_found_with_line_and_normalised_quotes():
    f = facts({"license": "llama3.1"}, "# Model\n\nThis model is “Built  with\nLlama”.\n")
    r = run_check("card-contains", {"any": ['"Built with Llama"']}, f=f)  # straight quotes
    assert r.state is MET
    assert r.evidence[0].line == f.card.body_start_line + 2  # where the phrase starts
    assert run_check("card-contains", {"any": ["Built with Qwen"]}, f=f).state is NOT_MET


def test_card_contains_missing_phrase():
    r = run_check("card-contains", {"all": ["Built with Qwen"]}, f=facts({}, "Nothing here."))
    assert r.state is NOT_MET
    assert r.evidence[0].missing == "Built with Qwen"


def test_card_contains_case_sensitive_option():
    f = facts({}, "built with llama")
    assert (
        run_check("card-contains", {"any": ["Built with Llama"], "case_sensitive": True}, f=f).state
        is NOT_MET
    )


def test_card_contains_without_card():
    r = run_check("card-contains", {"any": ["x"]}, f=facts(card_present=False))
    assert r.state is NOT_MET and "no model card" in (r.message or "")


def test_card_contains_needs_a_phrase():
    assert validate_options(CHECKS["card-contains"], {}) == [
        "give at least one phrase in 'any' or 'all'"
    ]
    assert "unknown option 'anyy'" in validate_options(CHECKS["card-contains"], {"anyy": ["x"]})[0]
    assert "must be list[str]" in validate_options(CHECKS["card-contains"], {"any": "x"})[0]


# file-contains ----------------------------------------------------------------

NOTICE = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta."


def test_file_contains_notice_present():
    f = facts(license_files=[LicenseFile("NOTICE", "notice", NOTICE)])
    r = run_check("file-contains", {"kind": "notice", "any": ["Llama 3.1 is licensed under"]}, f=f)
    assert r.state is MET and r.evidence[0].file == "NOTICE" and r.evidence[0].line == 1


def test_file_contains_no_file():
    r = run_check("file-contains", {"files": ["NOTICE*"], "any": ["x"]}, f=facts())
    assert r.state is NOT_MET and r.evidence[0].missing == "NOTICE*"


def test_file_contains_wrong_text():
    f = facts(license_files=[LicenseFile("NOTICE.txt", "notice", "Copyright Acme")])
    r = run_check("file-contains", {"files": ["notice*"], "all": ["Llama 3.1"]}, f=f)
    assert r.state is NOT_MET and r.evidence[0].file == "NOTICE.txt"


def test_file_contains_identified():
    # identified against the audit's packs by its signature phrases, not by file name
    pack = demo_pack(id="demo", identity=Identity(signatures=(("demo licence agreement",),)))
    ok = facts(license_files=[LicenseFile("LICENSE", "license", "DEMO LICENCE AGREEMENT v1")])
    bad = facts(license_files=[LicenseFile("LICENSE", "license", "Apache License 2.0")])
    assert (
        run_check("file-contains", {"kind": "license", "identified": True}, f=ok, pack=pack).state
        is MET
    )
    assert (
        run_check("file-contains", {"kind": "license", "identified": True}, f=bad, pack=pack).state
        is NOT_MET
    )


def test_file_contains_validates_kind():
    assert validate_options(CHECKS["file-contains"], {"kind": "readme"}) == [
        "option 'kind' must be one of license, notice, use-policy"
    ]


# name-starts-with -------------------------------------------------------------


def test_name_starts_with_strips_org_and_separators():
    assert (
        run_check("name-starts-with", {"prefix": "Llama 3"}, name="acme/llama-3-Acme-8B").state
        is MET
    )


def test_name_starts_with_fails():
    r = run_check("name-starts-with", {"prefix": "Llama"}, name="acme/Acme-8B")
    assert r.state is NOT_MET and r.evidence[0].seen == "acme/Acme-8B"


def test_name_starts_with_case_sensitive():
    opts = {"any": ["Llama"], "case_sensitive": True}
    assert run_check("name-starts-with", opts, name="acme/llama-x").state is NOT_MET


# metadata-equals / metadata-in ------------------------------------------------


def test_metadata_equals():
    f = facts({"license": "Llama3.1"})
    assert run_check("metadata-equals", {"key": "license", "value": "llama3.1"}, f=f).state is MET
    r = run_check("metadata-equals", {"key": "license", "value": "apache-2.0"}, f=f)
    assert r.state is NOT_MET and r.evidence[0].key == "card:license" and r.evidence[0].line == 2


def test_metadata_in():
    f = facts({"license": "cc-by-nc-4.0"})
    opts = {"key": "license", "values": ["cc-by-nc-4.0", "cc-by-nc-sa-4.0"]}
    assert run_check("metadata-in", opts, f=f).state is MET
    assert run_check("metadata-in", opts, f=facts({"license": "mit"})).state is NOT_MET
    assert run_check("metadata-in", opts, f=facts({})).state is NOT_MET
    assert run_check("metadata-in", {**opts, "missing_ok": True}, f=facts({})).state is MET


def test_metadata_equals_requires_key():
    assert validate_options(CHECKS["metadata-equals"], {"key": "license"}) == [
        "kind metadata-equals needs option 'value'"
    ]


# license-compatible -----------------------------------------------------------

LLAMA = demo_pack(
    id="llama3.1",
    title="Llama 3.1",
    commercial=True,
    derivatives=Derivatives(acceptable_ids=("llama3.1",), acceptable_names=("llama3.1",)),
)
QWEN_R = demo_pack(
    id="qwen-research",
    title="Qwen RESEARCH",
    commercial=False,
    category="non-commercial",
    derivatives=Derivatives(acceptable_names=("qwen-research",)),
)


def test_license_compatible_same_id():
    lin = lineage(ancestor("meta-llama/Llama-3.1-8B", "llama3.1"))
    r = run_check("license-compatible", f=facts({"license": "llama3.1"}), lin=lin, pack=LLAMA)
    assert r.state is MET


def test_license_compatible_other_with_name():
    f = facts({"license": "other", "license_name": "qwen-research"})
    assert run_check("license-compatible", f=f, pack=QWEN_R).state is MET


def test_license_compatible_permissive_on_llama():
    lin = lineage(ancestor("meta-llama/Llama-3.1-8B", "llama3.1"))
    r = run_check("license-compatible", f=facts({"license": "apache-2.0"}), lin=lin, pack=LLAMA)
    assert r.state is NOT_MET
    assert "`apache-2.0`" in r.message and "meta-llama/Llama-3.1-8B" in r.message
    assert not r.hits  # the rule's own category applies


def test_license_compatible_commercial_claim_on_non_commercial_ancestor():
    lin = lineage(ancestor("Qwen/Qwen2.5-3B", "qwen-research"))
    r = run_check("license-compatible", f=facts({"license": "mit"}), lin=lin, pack=QWEN_R)
    assert r.state is NOT_MET
    assert r.hits[0].category == "non-commercial"
    assert "permits commercial use" in r.hits[0].message


def test_license_compatible_other_without_matching_name():
    f = facts({"license": "other", "license_name": "my-licence"})
    r = run_check("license-compatible", f=f, pack=QWEN_R)
    assert r.state is NOT_MET and r.evidence[1].key == "card:license_name"


def test_license_compatible_without_declaration_is_not_checkable():
    assert run_check("license-compatible", f=facts({}), pack=LLAMA).state is NC


# informational / ancestor-license ---------------------------------------------


def test_informational_is_not_checkable_and_reported():
    assert run_check("informational").state is NC
    assert CHECKS["informational"].FINDING_WHEN_NOT_CHECKABLE is True


def test_ancestor_license_policy():
    lin = lineage(
        ancestor("acme/ft", "llama3.1"), ancestor("Qwen/Qwen2.5-3B", "qwen-research", depth=2)
    )
    r = run_check("ancestor-license", {"forbid_categories": ["non-commercial"]}, lin=lin)
    assert r.state is NOT_MET
    assert [h.ancestor for h in r.hits] == ["Qwen/Qwen2.5-3B"]
    ok = run_check("ancestor-license", {"forbid_ids": ["gemma"]}, lin=lin)
    assert ok.state is MET


# core kinds -------------------------------------------------------------------


def test_license_missing():
    assert run_check("license-missing", f=facts({"license": "mit"})).state is MET
    assert run_check("license-missing", f=facts({"tags": ["x"]})).state is NOT_MET
    assert run_check("license-missing", f=facts({"license": "unknown"})).state is NOT_MET
    assert run_check("license-missing", f=facts({"license": ["mit", "apache-2.0"]})).state is MET
    r = run_check("license-missing", f=facts(card_present=False))
    assert r.state is NOT_MET and "no model card" in r.message


def test_license_other_unnamed():
    assert run_check("license-other-unnamed", f=facts({"license": "mit"})).state is MET
    full = {"license": "other", "license_name": "qwen", "license_link": "LICENSE"}
    assert run_check("license-other-unnamed", f=facts(full)).state is MET
    r = run_check("license-other-unnamed", f=facts({"license": "other", "license_name": "qwen"}))
    assert r.state is NOT_MET and "`license_link`" in r.message


def test_license_unknown():
    opts = {"hub_ids": ["apache-2.0", "other"]}
    assert run_check("license-unknown", opts, f=facts({"license": "Apache-2.0"})).state is MET
    assert (
        run_check("license-unknown", opts, f=facts({"license": "llama3.1"})).state is MET
    )  # a pack id
    r = run_check("license-unknown", opts, f=facts({"license": "apache2"}))
    assert r.state is NOT_MET and "apache2" in r.message


def test_license_file_mismatch():
    lf = [LicenseFile("LICENSE", "license", "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT")]
    assert (
        run_check("license-file-mismatch", f=facts({"license": "llama3.1"}, license_files=lf)).state
        is MET
    )
    r = run_check("license-file-mismatch", f=facts({"license": "mit"}, license_files=lf))
    assert r.state is NOT_MET
    assert "`mit`" in r.message and "`llama3.1`" in r.message
    assert r.evidence[1].file == "LICENSE"


def test_license_file_mismatch_silent_without_identification():
    lf = [LicenseFile("LICENSE", "license", "Some text")]
    assert (
        run_check("license-file-mismatch", f=facts({"license": "mit"}, license_files=lf)).state
        is MET
    )


def test_undeclared_base_model():
    a = ancestor("meta-llama/Llama-3.1-8B", "llama3.1", declared=False)
    a.evidence.append(
        Evidence(file="adapter_config.json", key="adapter_config.json:base_model_name_or_path")
    )
    r = run_check("undeclared-base-model", lin=lineage(a))
    assert r.state is NOT_MET and r.hits[0].ancestor == "meta-llama/Llama-3.1-8B"
    assert "adapter_config.json" in r.hits[0].message
    assert run_check("undeclared-base-model", lin=lineage(ancestor("x/y", "mit"))).state is MET


def test_unresolved_ancestor_gated():
    a = ancestor("meta-llama/Secret", None)
    a.resolution = "gated"
    r = run_check("unresolved-ancestor", lin=lineage(a))
    assert r.state is NOT_MET and "HF_TOKEN" in r.hits[0].message
    assert run_check("unresolved-ancestor", lin=lineage(ancestor("x/y", "mit"))).state is MET


def test_unresolved_ancestor_gated_hint_appears_once():
    a = ancestor("meta-llama/Secret", None)
    a.resolution = "gated"
    a.resolution_note = "HTTP 403; set HF_TOKEN or accept the licence on the Hub"
    r = run_check("unresolved-ancestor", lin=lineage(a))
    assert r.hits[0].message.count("set HF_TOKEN") == 1


def test_pickle_weights():
    f = facts()
    f.weights = [WeightFile("pytorch_model.bin", "pickle", 10)]
    r = run_check("pickle-weights", f=f)
    assert r.state is NOT_MET and r.evidence[0].file == "pytorch_model.bin"
    f.weights = [WeightFile("model.safetensors", "safetensors", 10)]
    assert run_check("pickle-weights", f=f).state is MET


def test_facts_problems_include_exclude():
    f = facts()
    f.problems = [
        Problem(
            "metadata-invalid",
            "README.md: front matter is not valid YAML",
            Evidence(file="README.md", line=3),
        ),
        Problem(
            "unverifiable",
            "model.safetensors: header truncated",
            Evidence(file="model.safetensors"),
        ),
    ]
    r = run_check("facts-problems", {"exclude": ["unverifiable"]}, f=f)
    assert [h.message for h in r.hits] == ["README.md: front matter is not valid YAML"]
    r = run_check("facts-problems", {"include": ["unverifiable"]}, f=f)
    assert [h.evidence[0].file for h in r.hits] == ["model.safetensors"]
    assert run_check("facts-problems", f=facts()).state is MET


def test_relation_evidence():
    adapter = [AdapterFacts("adapter_config.json", "meta-llama/Llama-3.1-8B", "LORA")]
    f = facts(
        {"base_model": "meta-llama/Llama-3.1-8B", "base_model_relation": "finetune"},
        adapters=adapter,
    )
    r = run_check("relation-evidence", f=f)
    assert r.state is NOT_MET and "adapter_config.json" in r.hits[0].message
    ok = facts({"base_model": "x/y", "base_model_relation": "adapter"}, adapters=adapter)
    assert run_check("relation-evidence", f=ok).state is MET
    bad = run_check(
        "relation-evidence", f=facts({"base_model": "x/y", "base_model_relation": "copy"})
    )
    assert "not one of" in bad.hits[0].message
    merge1 = run_check(
        "relation-evidence", f=facts({"base_model": "x/y", "base_model_relation": "merge"})
    )
    assert "fewer than two" in merge1.hits[0].message


def test_non_commercial_ancestor():
    lin = lineage(
        ancestor("acme/ft", "llama3.1"), ancestor("Qwen/Qwen2.5-3B", "qwen-research", depth=2)
    )
    r = run_check("non-commercial-ancestor", lin=lin)
    assert [h.ancestor for h in r.hits] == ["Qwen/Qwen2.5-3B"]
    assert (
        run_check("non-commercial-ancestor", lin=lineage(ancestor("a/b", "llama3.1"))).state is MET
    )


MERGE_OPTS = {
    "share_alike": ["cc-by-sa-4.0", "cc-by-nc-sa-4.0"],
    "custom_categories": ["custom-with-conditions"],
    "versioned_families": {"llama": ["llama2", "llama3", "llama3.1"]},
    "outputs_ban": ["llama2"],
    "families": {"llama": ["llama2", "llama3", "llama3.1"]},
    "research_only": ["mrl"],
}


def test_merge_conflict_two_llama_versions_and_outputs_ban():
    lin = lineage(
        ancestor("meta-llama/Llama-2-7b-hf", "llama2"),
        ancestor("meta-llama/Llama-3.1-8B", "llama3.1"),
        ancestor("mistralai/Mistral-7B-v0.1", "apache-2.0"),
        relation="merge",
    )
    r = run_check("merge-conflict", MERGE_OPTS, lin=lin)
    letters = sorted(h.message.split("(")[1][0] for h in r.hits)
    assert letters == ["b", "c"]


def test_merge_conflict_share_alike_and_research_only():
    packs = {
        "mrl": demo_pack(id="mrl", commercial=False),
        "cc-by-sa-4.0": demo_pack(id="cc-by-sa-4.0"),
    }
    lin = lineage(
        ancestor("a/sa", "cc-by-sa-4.0"),
        ancestor("meta-llama/Llama-3.1-8B", "llama3.1"),
        ancestor("mistralai/Mistral-Large-Instruct-2407", "mrl"),
        relation="merge",
    )
    r = run_check(
        "merge-conflict",
        MERGE_OPTS,
        lin=lin,
        f=facts({"license": "apache-2.0"}),
        packs={**all_packs(), **packs},
    )
    letters = sorted(h.message.split("(")[1][0] for h in r.hits)
    assert "a" in letters and "d" in letters


def test_merge_conflict_clean_merge():
    lin = lineage(ancestor("a/x", "llama3.1"), ancestor("b/y", "llama3.1"), relation="merge")
    assert run_check("merge-conflict", MERGE_OPTS, lin=lin).state is MET


def test_license_file_mismatch_accepts_a_version_sharing_the_hub_id():
    old_terms = demo_pack(
        id="gemma-2024",
        identity=Identity(hub_ids=("gemma",), signatures=(("old gemma terms",),)),
    )
    lf = [LicenseFile("LICENSE", "license", "Old Gemma Terms ...")]
    f = facts({"license": "gemma"}, license_files=lf)
    assert run_check("license-file-mismatch", f=f, pack=old_terms).state is MET


def test_license_compatible_non_commercial_pack_without_derivative_list():
    """A non-commercial ancestor makes the model non-commercial even when its pack lists
    no acceptable licence for derivatives."""
    bare = demo_pack(id="nc-bare", title="Bare NC", commercial=False, category="non-commercial")
    lin = lineage(ancestor("lab/research-model", "nc-bare"))
    r = run_check("license-compatible", f=facts({"license": "mit"}), lin=lin, pack=bare)
    assert r.state is NOT_MET and r.hits[0].category == "non-commercial"
    assert r.hits[0].message.endswith("(nc-bare), which does not.")
    f = facts({"license": "cc-by-nc-4.0"})
    assert run_check("license-compatible", f=f, lin=lin, pack=bare).state is MET
    assert run_check("license-compatible", f=facts({"license": "mit"}), lin=lin).state is MET
