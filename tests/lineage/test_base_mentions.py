"""Bases named without a Hub id: key-value lines, bare names, merge lists, CJK prose."""

from __future__ import annotations

import pytest

from compliance.lineage.base_mentions import find_mentions
from compliance.lineage.catalog import Catalog
from tests.audit_support import audit_files, card


@pytest.fixture(scope="module")
def cat():
    return Catalog.load()


CASES = [
    ("This model is based on Qwen-14B-Chat.", "Qwen/Qwen-14B-Chat"),
    (
        "* **Base model:** [google/gemma-2-9b-it](https://huggingface.co/google/gemma-2-9b-it)",
        "google/gemma-2-9b-it",
    ),
    (
        "- **Finetuned from model [optional]:** Llama 3.1 8B Instruct",
        "meta-llama/Llama-3.1-8B-Instruct",
    ),
    ("本模型基于 Qwen-7B-Chat 进行微调。", "Qwen/Qwen-7B-Chat"),
    ("本模型基于Qwen-7B-Chat训练", "Qwen/Qwen-7B-Chat"),
    ("このモデルは Qwen2.5-7B-Instruct をベースに学習しました", "Qwen/Qwen2.5-7B-Instruct"),
    ("이 모델은 gemma-2-9b-it 를 기반으로 파인튜닝했습니다", "google/gemma-2-9b-it"),
    ("Weights initialized from Llama-2-13b-hf.", "meta-llama/Llama-2-13b-hf"),
]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_forms(cat, body, expected):
    assert [m.repo_id for m in find_mentions(body, cat)] == [expected]


def test_merge_details_list(cat):
    body = (
        "## Merge Details\n### Models Merged\n\nThe following models:\n"
        "* Mistral-7B-v0.1\n* [a/b](https://huggingface.co/a/b)\n### Configuration\n* phi-2\n"
    )
    got = [(m.repo_id, m.relation) for m in find_mentions(body, cat)]
    assert got == [("mistralai/Mistral-7B-v0.1", "merge"), ("a/b", "merge")]


@pytest.mark.parametrize(
    "body",
    [
        "It is based on the Llama architecture.",
        "Built upon a LLaMA-style decoder.",
        "The base model is mistral",
        "Based on SomeUnknownModel-7B.",  # not in the catalog: no org guessed
        "```\nbased on Qwen-7B-Chat\n```",
    ],
)
def test_conservative(cat, body):
    assert find_mentions(body, cat) == []


def test_license_link_into_another_repo(tmp_path):
    meta = (
        "license: other\nlicense_name: llama3.1\n"
        "license_link: https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE"
    )
    r = audit_files(tmp_path, {"README.md": card(meta, "# Llama-3.1-Foo\n")})
    assert [a.repo_id for a in r.lineage.direct()] == ["meta-llama/Llama-3.1-8B"]


def test_bare_name_in_card_reaches_lineage(tmp_path):
    r = audit_files(
        tmp_path, {"README.md": card("license: other", "本模型基于 Qwen-7B-Chat 进行微调。\n")}
    )
    (a,) = r.lineage.direct()
    assert a.repo_id == "Qwen/Qwen-7B-Chat" and a.license and not a.declared
    assert "undeclared-base-model" in {f.category for f in r.findings}


def test_merge_card_links_and_list_after_intro(tmp_path):
    body = (
        "We decided to use [a/one-7b](https://huggingface.co/a/one-7b) and "
        "[b/two-7b](https://huggingface.co/b/two-7b).\n"
    )
    r = audit_files(
        tmp_path / "m", {"README.md": card("license: apache-2.0\ntags: [moe, merge]", body)}
    )
    assert [a.repo_id for a in r.lineage.direct()] == ["a/one-7b", "b/two-7b"]
    assert r.relation == "merge"
    body = "My first MoE model based on\n* [c/three-34b]\n* [d/four-34b]\n"
    r = audit_files(tmp_path / "n", {"README.md": card("license: apache-2.0\ntags: [moe]", body)})
    assert [a.repo_id for a in r.lineage.direct()] == ["c/three-34b", "d/four-34b"]


def test_links_without_merge_tags_need_a_derivation_sentence(tmp_path):
    body = "See also [a/one-7b](https://huggingface.co/a/one-7b).\n"
    r = audit_files(tmp_path, {"README.md": card("license: apache-2.0", body)})
    assert r.lineage.direct() == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "BLOOM-zh is a modification from [BLOOMZ](https://huggingface.co/bigscience/bloomz).",
            "bigscience/bloomz",
        ),
        (
            "Solar-Ko represents an advanced iteration of the upstage/SOLAR-10.7B-v1.0 model.",
            "upstage/SOLAR-10.7B-v1.0",
        ),
    ],
)
def test_modification_and_iteration(tmp_path, body, expected):
    r = audit_files(tmp_path, {"README.md": card("license: apache-2.0", body + "\n")})
    assert [a.repo_id for a in r.lineage.direct()] == [expected]


def test_links_to_a_design_or_comparison_are_not_parents(tmp_path):
    body = (
        "The first MoE made with four [microsoft/phi-2](https://huggingface.co/microsoft/phi-2) "
        "models, inspired by the [mistralai/Mixtral-8x7B-v0.1]"
        "(https://huggingface.co/mistralai/Mixtral-8x7B-v0.1) architecture.\n"
    )
    r = audit_files(tmp_path, {"README.md": card("license: mit\ntags: [moe]", body)})
    assert [a.repo_id for a in r.lineage.direct()] == ["microsoft/phi-2"]
