"""Distillation teachers named by `datasets:` entries, and `.modelcheck.yaml` `relation:`."""

from __future__ import annotations

import pytest

from compliance.config import parse_config
from compliance.errors import ConfigError
from compliance.lineage.catalog import Catalog
from compliance.lineage.distill_datasets import Teacher, dataset_teachers
from tests.audit_support import audit_files, card


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    from compliance.pipeline import _load_catalog

    return _load_catalog()


def test_a_dataset_named_after_a_catalog_model_names_its_teacher(catalog: Catalog) -> None:
    evol = "arcee-ai/EvolKit-Llama-3.1-405B-Instruct-20k"
    found = dataset_teachers([evol, "HuggingFaceH4/ultrachat_200k"], catalog)
    assert found == [Teacher("meta-llama/Llama-3.1-405B-Instruct", evol)]


def test_ordinary_datasets_name_no_teacher(catalog: Catalog) -> None:
    plain = ["cerebras/SlimPajama-627B", "bigcode/starcoderdata", "teknium/OpenHermes-2.5"]
    assert dataset_teachers(plain, catalog) == []


def test_the_teacher_is_a_distilled_ancestor_and_no_undeclared_base(tmp_path) -> None:
    meta = "license: apache-2.0\ndatasets: [arcee-ai/EvolKit-Llama-3.1-405B-Instruct-20k]"
    report = audit_files(tmp_path / "x", {"README.md": card(meta, "A small chat model.\n")})
    teacher = [a for a in report.lineage.ancestors if a.depth == 1]
    assert [(a.repo_id, a.relation) for a in teacher] == [
        ("meta-llama/Llama-3.1-405B-Instruct", "distilled")
    ]
    assert report.relation == "distilled"
    ids = {f.rule_id for f in report.findings}
    assert "llama3.1/name-prefix" in ids
    assert "core/undeclared-base-model" not in ids


def test_config_relation_is_validated() -> None:
    assert parse_config({"relation": "distilled"}, ".modelcheck.yaml", None).relation == "distilled"
    with pytest.raises(ConfigError, match="relation"):
        parse_config({"relation": "copied"}, ".modelcheck.yaml", None)
