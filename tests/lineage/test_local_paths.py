"""Base models written as local paths: the cache layout gives the id, a folder name is
matched against the catalog, anything else stays unknown (no org guessed)."""

from __future__ import annotations

import json

from compliance.facts.local_path import cache_repo_id, looks_local, model_folder
from tests.audit_support import audit_files, card

CACHE = (
    "/home/me/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B-Instruct/"
    "snapshots/0e9e39f249a16976918f6564b8830bc894c89659"
)


def test_path_helpers():
    assert cache_repo_id(CACHE) == "meta-llama/Llama-3.1-8B-Instruct"
    assert looks_local("models/gemma-2-9b-it") and looks_local("./out") and looks_local(CACHE)
    assert not looks_local("google/gemma-2-9b-it")
    assert model_folder("/root/output/gemma-2-9b-it/checkpoint-500") == "gemma-2-9b-it"


def _direct(report):
    return {a.repo_id: a for a in report.lineage.direct()}


def test_card_base_model_as_cache_path(tmp_path):
    r = audit_files(tmp_path, {"README.md": card(f"license: llama3.1\nbase_model: {CACHE}")})
    a = _direct(r)["meta-llama/Llama-3.1-8B-Instruct"]
    assert a.license == "llama3.1" and a.declared
    invalid = [f for f in r.findings if f.category == "metadata-invalid"]
    assert any("local path" in f.message and "will not link" in f.message for f in invalid)


def test_relative_folder_matches_catalog(tmp_path):
    r = audit_files(
        tmp_path, {"README.md": card("license: gemma\nbase_model: models/gemma-2-9b-it")}
    )
    assert _direct(r)["google/gemma-2-9b-it"].license == "gemma"


def test_adapter_and_config_paths(tmp_path):
    adapter = {"base_model_name_or_path": "/data/hf/Qwen2.5-7B-Instruct", "peft_type": "LORA"}
    r = audit_files(
        tmp_path,
        {"README.md": card("license: apache-2.0"), "adapter_config.json": json.dumps(adapter)},
    )
    assert "Qwen/Qwen2.5-7B-Instruct" in _direct(r)
    assert "undeclared-base-model" in {f.category for f in r.findings}


def test_config_name_or_path_training_dir(tmp_path):
    cfg = {"_name_or_path": "/root/models/Mistral-7B-v0.1", "model_type": "mistral"}
    r = audit_files(tmp_path / "x", {"config.json": json.dumps(cfg)})
    assert "mistralai/Mistral-7B-v0.1" in _direct(r)


def test_unknown_folder_stays_unknown(tmp_path):
    cfg = {"_name_or_path": "/root/output/my-own-run", "model_type": "llama"}
    r = audit_files(tmp_path, {"config.json": json.dumps(cfg)})
    assert r.lineage.direct() == []


def test_legacy_org_less_id_is_a_valid_base(tmp_path):
    r = audit_files(tmp_path, {"README.md": card("license: mit\nbase_model: roberta-large")})
    assert [a.repo_id for a in r.lineage.direct()] == ["FacebookAI/roberta-large"]
    assert r.lineage.direct()[0].license == "mit"
    assert "metadata-invalid" not in {f.category for f in r.findings}


def test_card_and_adapter_name_the_same_local_folder(tmp_path):
    path = "/home/student/base-model/llama2-7b"
    adapter = {"base_model_name_or_path": path, "peft_type": "LORA"}
    files = {
        "README.md": card(f"license: other\nbase_model: {path}"),
        "adapter_config.json": json.dumps(adapter),
    }
    r = audit_files(tmp_path, files)
    (a,) = r.lineage.direct()
    assert a.repo_id == "meta-llama/Llama-2-7b-hf" and a.declared and a.license == "llama2"
    assert "undeclared-base-model" not in {f.category for f in r.findings}
