"""Licences read from names: family + version (+ size for a base), vendor family rules."""

from __future__ import annotations

import pytest

from compliance.lineage.name_families import base_from_name, family_of, vendor_license
from tests.audit_support import audit_files, card


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("someorg/Llama-3.1-8B-SuperChat", "Llama 3.1"),
        ("jondurbin/airoboros-l2-70b-2.1", "Llama 2"),
        ("Meta-Llama-3-8B-Instruct-abliterated", "Llama 3"),
        ("gemma-3-270m-it-4bit", "Gemma 3"),
        ("gemma-3n-E2B-it-lora", "Gemma 3n"),
    ],
)
def test_family_and_version(name, family):
    assert family_of(name).name == family


@pytest.mark.parametrize(
    "name", ["LLaMA-13b", "Llama-30B-x", "Llamafied-7b", "gpt2-l2norm", "glm-45"]
)
def test_no_version_no_family(name):
    assert family_of(name) is None


def test_size_picks_the_catalog_base():
    assert base_from_name("jondurbin/airoboros-l2-70b-2.1")[1] == "meta-llama/Llama-2-70b-hf"
    assert base_from_name("someorg/Llama-3.1-SuperChat") is None  # no size: no base


def test_vendor_rule():
    assert vendor_license("google/gemma-3n-E2B-it") == "gemma"
    assert vendor_license("google/codegemma-2b") == "gemma"
    assert vendor_license("google/t5-base") is None
    assert vendor_license("someone/gemma-clone") is None


def test_own_name_is_the_only_lineage(tmp_path):
    body = "This is an instruction fine-tuned llama-2 model.\n"
    r = audit_files(tmp_path / "airoboros-l2-70b-2.1", {"README.md": card("license: llama2", body)})
    (a,) = r.lineage.direct()
    assert a.repo_id == "meta-llama/Llama-2-70b-hf" and a.license == "llama2"
    assert "licence inferred from the name" in a.known_from
    assert "undeclared-base-model" in {f.category for f in r.findings}


def test_ancestor_under_a_vendor_family_rule(tmp_path):
    r = audit_files(
        tmp_path, {"README.md": card("license: gemma\nbase_model: google/gemma-9z-new")}
    )
    (a,) = r.lineage.direct()
    assert a.license == "gemma" and a.resolution == "name"
