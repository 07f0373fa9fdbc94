"""Lineage: declared and inferred ancestors, relation inference, catalog and resolver."""

from __future__ import annotations

from support.audit import Entry, FakeResolver, catalog, facts

from compliance.errors import GatedRepoError, NetworkError
from compliance.facts.model import AdapterFacts, GGUFFacts, MergeFacts
from compliance.lineage.build import build_lineage, repo_id_of
from compliance.lineage.model import ResolvedRepo
from compliance.lineage.offline_resolver import resolved_from_entry

CAT = catalog(
    Entry(
        "meta-llama/Llama-3.1-8B-Instruct",
        "llama3.1",
        base="meta-llama/Llama-3.1-8B",
        relation="finetune",
    ),
    Entry("meta-llama/Llama-3.1-8B", "llama3.1"),
    Entry("Qwen/Qwen2.5-3B-Instruct", "qwen-research"),
    reuploads={"unsloth/llama-3.1-8b-instruct": "meta-llama/Llama-3.1-8B-Instruct"},
)


def ids(lin):
    return [(a.repo_id, a.depth, a.declared) for a in lin.ancestors]


def test_declared_base_with_catalog_chain():
    lin = build_lineage(facts({"base_model": "meta-llama/Llama-3.1-8B-Instruct"}), CAT)
    # the depth-2 link comes from the catalog's `base`, not from the audited repo:
    # not declared, and the report says where it comes from
    assert ids(lin) == [
        ("meta-llama/Llama-3.1-8B-Instruct", 1, True),
        ("meta-llama/Llama-3.1-8B", 2, False),
    ]
    assert lin.relation == "finetune" and lin.licenses() == ["llama3.1"]
    assert lin.ancestors[0].evidence[0].key == "card:base_model"
    assert lin.ancestors[1].child == "meta-llama/Llama-3.1-8B-Instruct"
    assert [a.known_from for a in lin.ancestors] == [
        "card base_model",
        "catalog (base of meta-llama/Llama-3.1-8B-Instruct)",
    ]


def test_no_ancestors_is_a_base():
    lin = build_lineage(facts({"license": "apache-2.0"}), CAT)
    assert lin.ancestors == [] and lin.relation is None


def test_reupload_mapped_to_original_keeps_as_written():
    lin = build_lineage(facts({"base_model": "unsloth/Llama-3.1-8B-Instruct"}), CAT)
    a = lin.ancestors[0]
    assert a.repo_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert a.as_written == "unsloth/Llama-3.1-8B-Instruct"
    assert a.license == "llama3.1" and a.resolution == "catalog"


def test_stated_relation_wins_and_list_means_merge():
    f = facts({"base_model": ["meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-3B-Instruct"]})
    lin = build_lineage(f, CAT)
    assert lin.relation == "merge" and lin.relation_source.startswith("card base_model")
    f = facts({"base_model": "meta-llama/Llama-3.1-8B", "base_model_relation": "quantized"})
    assert build_lineage(f, CAT).relation == "quantized"


def test_relation_inference():
    base = {"base_model": "meta-llama/Llama-3.1-8B"}
    adapter = [AdapterFacts("adapter_config.json", "meta-llama/Llama-3.1-8B", "LORA")]
    assert build_lineage(facts(base, adapters=adapter), CAT).relation == "adapter"
    assert (
        build_lineage(facts(base, quantization={"quant_method": "awq"}), CAT).relation
        == "quantized"
    )
    assert build_lineage(facts(base, files=["model-Q4_K_M.gguf"]), CAT).relation == "quantized"
    merge = [MergeFacts("mergekit_config.yml", 1, "slerp", None, ["a/b", "c/d"])]
    assert build_lineage(facts(base, merges=merge), CAT).relation == "merge"
    lin = build_lineage(facts(base), CAT)
    assert lin.relation == "finetune" and lin.relation_source.startswith("default")


def test_inferred_from_adapter_config_is_undeclared_but_counts():
    adapter = [AdapterFacts("adapter_config.json", "meta-llama/Llama-3.1-8B", "LORA")]
    lin = build_lineage(facts({}, adapters=adapter), CAT)
    a = lin.ancestors[0]
    assert (a.repo_id, a.declared, a.relation, a.license) == (
        "meta-llama/Llama-3.1-8B",
        False,
        "adapter",
        "llama3.1",
    )
    assert a.evidence[0].key == "adapter_config.json:base_model_name_or_path"


def test_declared_and_inferred_same_base_merge_evidence():
    adapter = [AdapterFacts("adapter_config.json", "meta-llama/Llama-3.1-8B", "LORA")]
    lin = build_lineage(facts({"base_model": "meta-llama/Llama-3.1-8B"}, adapters=adapter), CAT)
    assert len(lin.direct()) == 1 and lin.ancestors[0].declared
    assert len(lin.ancestors[0].evidence) == 2


def test_name_or_path_only_when_it_names_another_repo():
    f = facts({}, name_or_path="mistralai/Mistral-7B-v0.1")
    assert ids(build_lineage(f, CAT)) == [("mistralai/Mistral-7B-v0.1", 1, False)]
    assert build_lineage(facts({}, name_or_path="/home/me/ckpt"), CAT).ancestors == []
    assert build_lineage(facts({}, name_or_path="outputs/checkpoint-500"), CAT).ancestors == []
    own = facts({}, name_or_path="acme/model", repo_id="acme/model")
    assert build_lineage(own, CAT).ancestors == []
    checkout = facts({}, name_or_path="acme/Acme-8B", label="/work/Acme-8B")  # the model itself
    assert build_lineage(checkout, CAT).ancestors == []


def test_merge_config_models_and_prose():
    merge = [
        MergeFacts(
            "mergekit_config.yml",
            3,
            "slerp",
            "meta-llama/Llama-3.1-8B",
            ["meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-3B-Instruct"],
        )
    ]
    body = "A merge of my models.\n\nThis model is a fine-tuned version of acme/secret-base.\n"
    f = facts({}, body, merges=merge)
    lin = build_lineage(f, CAT)
    assert [(a.repo_id, a.declared) for a in lin.direct()] == [
        ("meta-llama/Llama-3.1-8B", False),
        ("Qwen/Qwen2.5-3B-Instruct", False),
        ("acme/secret-base", False),
    ]
    prose = lin.direct()[2].evidence[0]
    assert prose.key == "card prose" and prose.line == f.card.body_start_line + 2
    assert lin.relation == "merge"


def test_gguf_base_model_is_declared():
    f = facts({})
    f.gguf = [
        GGUFFacts(
            "m.gguf", base_models=[{"repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B"}]
        )
    ]
    lin = build_lineage(f, CAT)
    assert ids(lin)[0] == ("meta-llama/Llama-3.1-8B", 1, True)
    assert lin.ancestors[0].evidence[0].key == "gguf:general.base_model.0.repo_url"


def test_unknown_ancestor_is_unresolved_never_guessed():
    lin = build_lineage(facts({"base_model": "someone/llama-looking-name"}), CAT)
    a = lin.ancestors[0]
    assert a.license is None and a.resolution == "unresolved" and a.resolution_note
    # a family *and version* in the name is evidence, reported as such (rules/name_families.yaml)
    lin = build_lineage(facts({"base_model": "someone/llama-3.1-looking-name"}), CAT)
    a = lin.ancestors[0]
    assert a.license == "llama3.1" and a.resolution == "name"
    assert "inferred from the name" in (a.resolution_note or "")


def test_resolver_recursion_cycle_and_depth():
    answers = {
        "acme/a": ResolvedRepo("acme/a", "llama3.1", "hub-card", parents=[("acme/b", "finetune")]),
        "acme/b": ResolvedRepo(
            "acme/b", "llama3.1", "hub-card", parents=[("acme/a", "finetune"), ("acme/c", None)]
        ),
        "acme/c": ResolvedRepo("acme/c", "llama3.1", "hub-card", parents=[("acme/d", None)]),
        "acme/d": ResolvedRepo("acme/d", "llama3.1", "hub-card", parents=[("acme/e", None)]),
    }
    r = FakeResolver(answers)
    lin = build_lineage(facts({"base_model": "acme/a"}), catalog(), r, max_depth=3)
    assert ids(lin) == [("acme/a", 1, True), ("acme/b", 2, True), ("acme/c", 3, True)]
    assert r.asked.count("acme/a") == 1  # the cycle b -> a is not followed again
    assert "depth limit 3" in lin.ancestors[2].resolution_note
    assert all(a.resolution == "hub" for a in lin.ancestors)


def test_resolver_cycle_back_to_the_audited_model():
    answers = {"acme/a": ResolvedRepo("acme/a", "mit", "hub-card", parents=[("acme/me", None)])}
    lin = build_lineage(
        facts({"base_model": "acme/a"}, repo_id="acme/me"), catalog(), FakeResolver(answers)
    )
    assert ids(lin) == [("acme/a", 1, True)]


def test_gated_and_failing_ancestors_do_not_stop_the_audit():
    answers = {
        "meta-llama/Secret": GatedRepoError("meta-llama/Secret: 401 gated"),
        "acme/flaky": NetworkError("acme/flaky: timed out"),
    }
    f = facts({"base_model": ["meta-llama/Secret", "acme/flaky", "meta-llama/Llama-3.1-8B"]})
    resolver = FakeResolver(answers)
    lin = build_lineage(f, CAT, resolver)
    assert "meta-llama/Llama-3.1-8B" in resolver.asked  # Hub mode asks about every ancestor
    by = {a.repo_id: a for a in lin.ancestors}
    assert by["meta-llama/Secret"].resolution == "gated"
    assert "HF_TOKEN" in by["meta-llama/Secret"].resolution_note
    assert by["acme/flaky"].resolution == "error"
    # the resolver knows nothing of it: the catalog is the fallback, and says so
    llama = by["meta-llama/Llama-3.1-8B"]
    assert (llama.license, llama.resolution) == ("llama3.1", "catalog")
    assert "licence from the built-in catalog" in llama.resolution_note


def test_catalog_entry_as_an_answer():
    r = resolved_from_entry(CAT.lookup("meta-llama/Llama-3.1-8B-Instruct"))
    assert r is not None and r.license_source == "catalog"
    assert r.license == "llama3.1" and r.parents == [("meta-llama/Llama-3.1-8B", "finetune")]
    assert resolved_from_entry(CAT.lookup("x/y")) is None


def test_repo_id_of():
    assert repo_id_of("https://huggingface.co/org/name/tree/main") == "org/name"
    assert repo_id_of("org/name") == "org/name"
    assert (
        repo_id_of("/abs/path") is None and repo_id_of("a/../b") is None and repo_id_of(3) is None
    )


def test_reupload_declared_and_original_inferred_are_one_ancestor():
    f = facts(
        {"base_model": "unsloth/Llama-3.1-8B-Instruct"},
        name_or_path="meta-llama/Llama-3.1-8B-Instruct",
    )
    lin = build_lineage(f, CAT)
    direct = lin.direct()
    assert len(direct) == 1 and direct[0].declared
    assert direct[0].repo_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert {e.key for e in direct[0].evidence} == {"card:base_model", "config.json:_name_or_path"}


HINT = "set HF_TOKEN or accept the licence on the Hub"


def test_hub_mode_reads_catalog_known_ancestors_through_the_resolver():
    answers = {
        "meta-llama/Llama-3.1-8B-Instruct": ResolvedRepo(
            "meta-llama/Llama-3.1-8B-Instruct",
            "apache-2.0",
            "hub-card",
            parents=[("meta-llama/Llama-3.1-8B", "finetune")],
            commit="a" * 40,
            notes=["the Hub says apache-2.0 (hub-card), the built-in catalog says llama3.1"],
            parent_sources={"meta-llama/llama-3.1-8b": (True, "card base_model")},
        ),
        "meta-llama/Llama-3.1-8B": ResolvedRepo(
            "meta-llama/Llama-3.1-8B", "llama3.1", "hub-card", commit="b" * 40
        ),
    }
    resolver = FakeResolver(answers)
    lin = build_lineage(facts({"base_model": "meta-llama/Llama-3.1-8B-Instruct"}), CAT, resolver)
    assert resolver.asked == ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B"]
    top, base = lin.ancestors
    # a permissive Hub answer does not override the catalog's licence: the stricter is
    # kept, still pinned to the commit read, and the disagreement becomes a finding
    assert (top.license, top.resolution, top.revision) == ("llama3.1", "catalog", "a" * 40)
    assert "the built-in catalog says llama3.1" in top.resolution_note
    assert top.license_conflict and lin.license_conflicts == [top.license_conflict]
    assert (base.license, base.resolution, base.revision) == ("llama3.1", "hub", "b" * 40)
    # the deeper link was declared by the ancestor's own card, read on the Hub
    assert base.declared and base.depth == 2
    assert base.known_from == "card base_model of meta-llama/Llama-3.1-8B-Instruct@aaaaaaa (hub)"


def test_catalog_mode_never_calls_a_resolver_and_is_unchanged():
    lin = build_lineage(facts({"base_model": "unsloth/Llama-3.1-8B-Instruct"}), CAT, None)
    assert [(a.repo_id, a.resolution, a.revision) for a in lin.ancestors] == [
        ("meta-llama/Llama-3.1-8B-Instruct", "catalog", None),
        ("meta-llama/Llama-3.1-8B", "catalog", None),
    ]


def test_hub_mode_reupload_is_read_as_written():
    answers = {
        "unsloth/Llama-3.1-8B-Instruct": ResolvedRepo(
            "unsloth/Llama-3.1-8B-Instruct", "llama3.1", "hub-card", commit="c" * 40
        )
    }
    resolver = FakeResolver(answers)
    lin = build_lineage(facts({"base_model": "unsloth/Llama-3.1-8B-Instruct"}), CAT, resolver)
    assert resolver.asked == ["unsloth/Llama-3.1-8B-Instruct"]
    (a,) = lin.ancestors
    assert (a.repo_id, a.resolution, a.revision) == (
        "unsloth/Llama-3.1-8B-Instruct",
        "hub",
        "c" * 40,
    )


def test_gated_hint_is_said_once():
    answers = {
        "acme/with-hint": GatedRepoError(f"acme/with-hint: gated or private (HTTP 403); {HINT}"),
        "acme/without-hint": GatedRepoError("acme/without-hint: 401 gated"),
    }
    f = facts({"base_model": ["acme/with-hint", "acme/without-hint"]})
    lin = build_lineage(f, CAT, FakeResolver(answers))
    for a in lin.ancestors:
        assert a.resolution == "gated" and a.license is None
        assert a.resolution_note.count(HINT) == 1, a.resolution_note


def test_gated_catalog_known_ancestor_falls_back_to_the_catalog():
    msg = f"meta-llama/Llama-3.1-8B: gated or private (HTTP 403); {HINT}"
    answers = {"meta-llama/Llama-3.1-8B": GatedRepoError(msg)}
    lin = build_lineage(
        facts({"base_model": "meta-llama/Llama-3.1-8B"}), CAT, FakeResolver(answers)
    )
    (a,) = lin.ancestors
    assert (a.license, a.license_source, a.resolution) == ("llama3.1", "catalog", "catalog")
    assert a.resolution_note == f"{msg}; licence from the built-in catalog"


def test_resolver_without_a_licence_falls_back_to_the_catalog():
    answers = {
        "meta-llama/Llama-3.1-8B": ResolvedRepo(
            "meta-llama/Llama-3.1-8B", None, "hub", commit="d" * 40
        )
    }
    lin = build_lineage(
        facts({"base_model": "meta-llama/Llama-3.1-8B"}), CAT, FakeResolver(answers)
    )
    (a,) = lin.ancestors
    assert (a.license, a.resolution, a.revision) == ("llama3.1", "catalog", "d" * 40)
    assert "licence from the built-in catalog" in a.resolution_note


def test_known_from_names_each_kind_of_evidence():
    f = facts(
        {"base_model": "acme/card-base"},
        "A model.\n\nThis model is a fine-tuned version of acme/prose-base.\n",
        name_or_path="acme/config-base",
        adapters=[AdapterFacts("adapter_config.json", "acme/adapter-base", "LORA")],
        merges=[MergeFacts("mergekit_config.yml", 3, "slerp", None, ["acme/merge-base"])],
    )
    f.gguf = [GGUFFacts("m.gguf", base_models=[{"repo_url": "acme/card-base"}])]
    lin = build_lineage(f, catalog())
    got = {a.repo_id: (a.declared, a.known_from) for a in lin.ancestors}
    prose_line = f.card.body_start_line + 2
    assert got == {
        "acme/card-base": (True, "card base_model; GGUF general.base_model (m.gguf)"),
        "acme/adapter-base": (False, "inferred: adapter_config.json base_model_name_or_path"),
        "acme/merge-base": (False, "inferred: mergekit_config.yml merge config models (line 3)"),
        "acme/config-base": (False, "inferred: config.json _name_or_path"),
        "acme/prose-base": (False, f"inferred: card prose (README.md line {prose_line})"),
    }


def test_invalid_card_base_model_is_not_sent_to_the_resolver(tmp_path):
    # A card `base_model` that is not org/name stays an unresolved ancestor; handing it
    # to the Hub resolver made HubSource.open raise ConfigError and abort the audit.
    from compliance.lineage.hub_resolver import HubResolver
    from compliance.packs import Identifier
    from compliance.sources.hub import HubSettings

    f = facts({"base_model": ["not a repo", "acme/a"]}, source_kind="hub")
    fake = FakeResolver({"acme/a": ResolvedRepo("acme/a", "mit", "hub-card")})
    lin = build_lineage(f, catalog(), fake)
    assert fake.asked == ["acme/a"]
    bad = lin.ancestors[0]
    assert (bad.repo_id, bad.resolution) == ("not a repo", "unresolved")
    assert "not a Hub repo id" in (bad.resolution_note or "")

    hub = HubResolver(
        identify=Identifier([]),
        catalog=catalog(),
        settings=HubSettings(offline=True, cache_dir=str(tmp_path)),
    )
    lin = build_lineage(facts({"base_model": "not a repo"}), catalog(), hub)
    assert [(a.repo_id, a.resolution) for a in lin.ancestors] == [("not a repo", "unresolved")]


def test_card_evidence_names_the_cards_own_file():
    f = facts({"base_model": "meta-llama/Llama-3.1-8B"}, body="Fine-tuned from acme/base.\n")
    f.card.path = "readme.md"
    lin = build_lineage(f, CAT)
    assert [e.file for a in lin.ancestors for e in a.evidence] == ["readme.md", "readme.md"]
    assert lin.ancestors[1].known_from.startswith("inferred: card prose (readme.md line ")


def test_a_single_string_datasets_value_is_not_a_prose_base():
    body = "Fine-tuned from acme/chat-data.\n"
    assert [a.repo_id for a in build_lineage(facts({}, body=body), CAT).ancestors] == [
        "acme/chat-data"
    ]
    for datasets in ("acme/chat-data", ["acme/chat-data"]):
        assert build_lineage(facts({"datasets": datasets}, body=body), CAT).ancestors == []


def test_mlx_reupload_without_a_relation_is_a_quantization(tmp_path):
    """An mlx-community style 4-bit re-upload: base_model in the card, no relation, the
    quantization only in config.json's `quantization` key."""
    import json

    from compliance.facts.read import read_facts
    from compliance.sources.local import LocalSource

    (tmp_path / "README.md").write_text(
        "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\ntags:\n- mlx\n---\n# x\n"
    )
    (tmp_path / "config.json").write_text(
        json.dumps({"model_type": "llama", "quantization": {"group_size": 64, "bits": 4}})
    )
    lin = build_lineage(read_facts(LocalSource(tmp_path)), CAT)
    assert lin.relation == "quantized"
    assert lin.relation_source == "config.json quantization"
