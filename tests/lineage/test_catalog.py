"""The built-in base-model catalog (rules/catalog.yaml) and its lookup rules."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
import yaml

from compliance.errors import RulePackError
from compliance.lineage.catalog import Catalog, CatalogEntry
from compliance.lineage.model import RELATIONS

RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def found(catalog: Catalog, repo_id: str) -> CatalogEntry:
    """The entry for `repo_id`, which must exist."""
    entry = catalog.lookup(repo_id)
    assert entry is not None, f"{repo_id} is not in the catalog"
    return entry


def fields(entry: CatalogEntry, *names: str) -> tuple[object, ...]:
    return tuple(getattr(entry, n) for n in names)


def test_default_path_is_the_shipped_catalog(catalog: Catalog) -> None:
    assert len(Catalog.load(RULES / "catalog.yaml")) == len(catalog)


def test_has_at_least_60_models(catalog: Catalog) -> None:
    assert len(catalog) >= 60


def test_every_licence_is_an_existing_pack(catalog: Catalog) -> None:
    packs = {p.parent.name for p in RULES.glob("*/pack.yaml")}
    missing = sorted(catalog.licenses() - packs)
    assert not missing, f"catalog names licence packs that do not exist under rules/: {missing}"


def test_every_base_is_itself_in_the_catalog(catalog: Catalog) -> None:
    for entry in catalog:
        if entry.base:
            parent = catalog.lookup(entry.base)
            assert parent is not None, f"{entry.repo_id}: base {entry.base} not in the catalog"
            assert parent.as_written is None, f"{entry.repo_id}: base should be a canonical id"
        assert entry.relation is None or entry.relation in RELATIONS


@pytest.mark.parametrize(
    ("repo_id", "license"),
    [
        ("meta-llama/Llama-2-7b-chat-hf", "llama2"),
        ("meta-llama/Meta-Llama-3-8B-Instruct", "llama3"),
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"),
        ("meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama3.3"),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4"),
        ("Qwen/Qwen-7B", "tongyi-qianwen"),
        ("Qwen/Qwen-72B-Chat", "tongyi-qianwen"),
        ("Qwen/Qwen-1_8B", "tongyi-qianwen-research"),
        ("Qwen/Qwen2-72B-Instruct", "tongyi-qianwen"),
        ("Qwen/Qwen2.5-14B", "apache-2.0"),
        ("Qwen/Qwen2.5-72B", "qwen"),
        ("Qwen/Qwen2.5-3B", "qwen-research"),
        ("Qwen/Qwen2.5-Coder-3B-Instruct", "qwen-research"),
        ("Qwen/Qwen3-8B", "apache-2.0"),
        ("google/gemma-2-9b", "gemma"),
        ("google/gemma-3-27b-it", "gemma"),
        ("mistralai/Mistral-7B-v0.1", "apache-2.0"),
        ("mistralai/Mistral-Large-Instruct-2407", "mrl"),
        ("mistralai/Codestral-22B-v0.1", "mnpl"),
        ("deepseek-ai/deepseek-llm-7b-base", "deepseek"),
        ("deepseek-ai/DeepSeek-V3", "deepseek"),
        ("deepseek-ai/DeepSeek-R1", "mit"),
        ("microsoft/phi-4", "mit"),
        ("tiiuae/falcon-7b", "apache-2.0"),
        ("tiiuae/falcon-180B", "falcon-180b"),
        ("tiiuae/falcon-11B", "falcon2"),
        ("tiiuae/Falcon3-7B-Instruct", "falcon3"),
        ("01-ai/Yi-34B", "apache-2.0"),
        ("THUDM/glm-4-9b", "glm-4"),
        ("xai-org/grok-2", "grok2-community"),
    ],
)
def test_known_models(catalog: Catalog, repo_id: str, license: str) -> None:
    entry = found(catalog, repo_id)
    assert (entry.repo_id, entry.license) == (repo_id, license)
    assert entry.as_written is None and entry.via_pattern is None


def test_instruct_model_records_its_base(catalog: Catalog) -> None:
    entry = found(catalog, "meta-llama/Llama-3.1-8B-Instruct")
    assert fields(entry, "base", "relation", "family") == (
        "meta-llama/Llama-3.1-8B",
        "finetune",
        "llama",
    )


def test_renamed_meta_llama_ids_map_to_the_current_name(catalog: Catalog) -> None:
    entry = found(catalog, "meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert fields(entry, "repo_id", "as_written", "via_pattern") == (
        "meta-llama/Llama-3.1-8B-Instruct",
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "alias",
    )


def test_lookup_is_case_insensitive_and_keeps_what_was_written(catalog: Catalog) -> None:
    entry = found(catalog, "qwen/qwen2.5-3b")
    assert fields(entry, "repo_id", "license", "as_written") == (
        "Qwen/Qwen2.5-3B",
        "qwen-research",
        "qwen/qwen2.5-3b",
    )


@pytest.mark.parametrize(
    ("asked", "original", "pattern"),
    [
        (
            "unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit",
            "meta-llama/Llama-3.1-8B-Instruct",
            "unsloth",
        ),
        ("unsloth/llama-3-8b-Instruct-bnb-4bit", "meta-llama/Meta-Llama-3-8B-Instruct", "unsloth"),
        (
            "unsloth/Llama-3.2-1B-Instruct-unsloth-bnb-4bit",
            "meta-llama/Llama-3.2-1B-Instruct",
            "unsloth",
        ),
        ("unsloth/gemma-2-9b-it-bnb-4bit", "google/gemma-2-9b-it", "unsloth"),
        (
            "mlx-community/Meta-Llama-3.1-8B-Instruct-4bit",
            "meta-llama/Llama-3.1-8B-Instruct",
            "mlx-community",
        ),
        ("mlx-community/Qwen2.5-7B-Instruct-8bit", "Qwen/Qwen2.5-7B-Instruct", "mlx-community"),
        ("TheBloke/Llama-2-7B-Chat-GGUF", "meta-llama/Llama-2-7b-chat-hf", "thebloke"),
        ("TheBloke/Llama-2-13B-GPTQ", "meta-llama/Llama-2-13b-hf", "thebloke"),
        ("TheBloke/CodeLlama-7B-Instruct-AWQ", "codellama/CodeLlama-7b-Instruct-hf", "thebloke"),
        (
            "TheBloke/Mistral-7B-Instruct-v0.2-GGUF",
            "mistralai/Mistral-7B-Instruct-v0.2",
            "thebloke",
        ),
        (
            "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            "meta-llama/Llama-3.1-8B-Instruct",
            "bartowski",
        ),
        (
            "lmstudio-community/Qwen2.5-72B-Instruct-GGUF",
            "Qwen/Qwen2.5-72B-Instruct",
            "lmstudio-community",
        ),
        ("NousResearch/Meta-Llama-3.1-8B", "meta-llama/Llama-3.1-8B", "nousresearch"),
        ("NousResearch/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf", "nousresearch"),
        (
            "Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8",
            "Qwen/Qwen2.5-72B-Instruct",
            "original-org-conversions",
        ),
    ],
)
def test_reuploads_map_to_the_original(
    catalog: Catalog, asked: str, original: str, pattern: str
) -> None:
    entry = found(catalog, asked)
    assert fields(entry, "repo_id", "as_written", "via_pattern") == (original, asked, pattern)
    assert entry.license == found(catalog, original).license


@pytest.mark.parametrize(
    "repo_id",
    [
        "acme/Llama-3.1-8B-Instruct",  # not a known re-upload org: never guessed
        "NousResearch/Hermes-3-Llama-3.1-8B",  # a fine-tune, not a re-upload
        "unsloth/Some-Unknown-Model-bnb-4bit",
        "Qwen/Qwen1.5-0.5B",  # licence per size not established: deliberately absent
        "meta-llama",
        "",
    ],
)
def test_unknown_ids_are_none(catalog: Catalog, repo_id: str) -> None:
    assert catalog.lookup(repo_id) is None


def test_entries_are_frozen(catalog: Catalog) -> None:
    entry = found(catalog, "google/gemma-2-9b")
    assert isinstance(entry, CatalogEntry)
    with pytest.raises(FrozenInstanceError):
        entry.license = "mit"  # type: ignore[misc]


def test_name_normalisation_strips_conversion_suffixes(catalog: Catalog) -> None:
    assert catalog.normalise_name("Llama-3.2-1B-Instruct-unsloth-bnb-4bit") == (
        "llama-3.2-1b-instruct"
    )
    assert catalog.normalise_name("Qwen2.5-72B-Instruct-GPTQ-Int8") == "qwen2.5-72b-instruct"
    assert catalog.normalise_name("Meta-Llama-3-8B") == "llama-3-8b"


def test_ambiguous_reupload_name_is_not_guessed(tmp_path: Path) -> None:
    data = {
        "schema": 1,
        "reupload_patterns": [{"id": "tb", "orgs": ["TheBloke"]}],
        "strip_suffixes": ["-gguf"],
        "families": [
            {"family": "a", "license": "mit", "models": [{"id": "one/Model-7B"}]},
            {"family": "b", "license": "apache-2.0", "models": [{"id": "two/Model-7B"}]},
        ],
    }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    cat = Catalog.load(path)
    assert cat.lookup("TheBloke/Model-7B-GGUF") is None
    assert cat.lookup("one/Model-7B").license == "mit"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("families", "problem"),
    [
        ([{"family": "x", "models": [{"id": "a/b"}]}], "no licence pack id"),
        ([{"family": "x", "license": "mit", "models": [{"id": "a/b"}, {"id": "A/B"}]}], "twice"),
        ([{"family": "x", "license": "mit", "models": [{"id": "nope"}]}], "not an org/name"),
        (
            [{"family": "x", "license": "mit", "models": [{"id": "a/b", "base": "c/d"}]}],
            "both base and relation",
        ),
        (
            [
                {
                    "family": "x",
                    "license": "mit",
                    "models": [{"id": "a/b", "base": "c/d", "relation": "cousin"}],
                }
            ],
            "unknown relation",
        ),
    ],
)
def test_bad_catalog_raises_rule_pack_error(tmp_path: Path, families: list, problem: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"schema": 1, "families": families}), encoding="utf-8")
    with pytest.raises(RulePackError, match=problem) as info:
        Catalog.load(path)
    assert str(path) in str(info.value)


def test_unreadable_catalog_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("schema: 1\nfamilies: [\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="invalid YAML"):
        Catalog.load(path)
    with pytest.raises(RulePackError, match="cannot read"):
        Catalog.load(tmp_path / "missing.yaml")


def test_a_listed_copy_does_not_capture_other_reuploads(catalog: Catalog) -> None:
    """TheBloke's Yi-34B copy (taken under the Yi v2.1 licence) is listed as itself; another
    re-upload of the same name still maps to the Apache-2.0 original, not to the copy."""
    copy = found(catalog, "TheBloke/Yi-34B-GGUF")
    assert fields(copy, "license", "base", "relation") == ("yi", "01-ai/Yi-34B", "quantized")
    other = found(catalog, "bartowski/Yi-34B-GGUF")
    assert fields(other, "repo_id", "license", "via_pattern") == (
        "01-ai/Yi-34B",
        "apache-2.0",
        "bartowski",
    )


def test_hub_urls_are_accepted(catalog: Catalog) -> None:
    assert found(catalog, "https://huggingface.co/google/gemma-2-9b").repo_id == "google/gemma-2-9b"


@pytest.mark.parametrize(
    ("repo_id", "license"),
    [
        ("google/gemma-3-270m-it", "gemma"),
        ("google/gemma-3n-E4B-it", "gemma"),
        ("HuggingFaceTB/SmolLM2-1.7B-Instruct", "apache-2.0"),
        ("allenai/OLMo-2-1124-7B", "apache-2.0"),
        ("bigcode/starcoder2-15b", "bigcode-openrail-m"),
        ("sentence-transformers/all-MiniLM-L6-v2", "apache-2.0"),
        ("openai/gpt-oss-20b", "apache-2.0"),
        ("deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", "deepseek"),
        ("deepseek-ai/DeepSeek-V3-0324", "mit"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "mit"),
        ("Qwen/Qwen2-7B-Instruct", "apache-2.0"),
        ("Qwen/QwQ-32B", "apache-2.0"),
        ("Qwen/Qwen2.5-Math-72B", "qwen"),
        ("meta-llama/Llama-3.2-90B-Vision-Instruct", "llama3.2"),
        ("mistralai/Ministral-8B-Instruct-2410", "mrl"),
        ("mistralai/Mistral-Small-Instruct-2409", "mrl"),
        ("mistralai/Pixtral-12B-2409", "apache-2.0"),
        ("CohereLabs/c4ai-command-r-v01", "cc-by-nc-4.0"),
        ("tiiuae/Falcon3-10B-Instruct", "falcon3"),
        ("mistral-community/Mixtral-8x22B-v0.1", "apache-2.0"),
        ("codellama/CodeLlama-34b-Instruct-hf", "llama2"),
    ],
)
def test_families_real_cards_cite(catalog: Catalog, repo_id: str, license: str) -> None:
    assert found(catalog, repo_id).license == license


def test_llama4_entries_are_marked_multimodal() -> None:
    import yaml

    data = yaml.safe_load((RULES / "catalog.yaml").read_text(encoding="utf-8"))
    llama4 = [
        m for f in data["families"] for m in f["models"] if m["id"].startswith("meta-llama/Llama-4")
    ]
    assert llama4 and all(m.get("multimodal") is True for m in llama4)
