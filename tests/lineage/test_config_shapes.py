"""Exact config shapes infer a base; a class or a near match never does."""

from __future__ import annotations

import json

from compliance.lineage.config_shapes import shape_match
from tests.audit_support import audit_files, card

LLAMA2_13B = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 5120,
    "intermediate_size": 13824, "num_hidden_layers": 40, "num_attention_heads": 40,
    "num_key_value_heads": 40, "vocab_size": 32000, "max_position_embeddings": 4096,
    "_name_or_path": "/workspace/process/final",
}  # fmt: skip


def test_exact_shape():
    assert shape_match(LLAMA2_13B)[0] == "meta-llama/Llama-2-13b-hf"


def test_near_match_and_class_alone_are_not_lineage():
    assert shape_match({**LLAMA2_13B, "intermediate_size": 13825}) is None
    assert shape_match({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}) is None


def test_ambiguous_shapes_infer_nothing():
    cfg = {
        "model_type": "llama", "hidden_size": 8192, "num_hidden_layers": 80,
        "intermediate_size": 28672, "num_attention_heads": 64, "num_key_value_heads": 8,
        "vocab_size": 128256, "max_position_embeddings": 131072, "rope_theta": 500000.0,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0},
    }  # fmt: skip
    assert shape_match(cfg) is None  # Llama 3.1 70B and Llama 3.3 70B


def test_gptq_folder_without_card(tmp_path):
    files = {"config.json": json.dumps(LLAMA2_13B), "quantize_config.json": "{}"}
    r = audit_files(tmp_path / "gptq", files)
    (a,) = r.lineage.direct()
    assert a.repo_id == "meta-llama/Llama-2-13b-hf" and a.license == "llama2"
    assert "shape matches" in a.known_from and r.relation == "quantized"
    assert "undeclared-base-model" in {f.category for f in r.findings}


def test_llama_style_prose_over_other_dims_is_not_lineage(tmp_path):
    cfg = {**LLAMA2_13B, "hidden_size": 4000, "_name_or_path": "/ckpt/final"}
    body = "Built upon a LLaMA-style decoder.\n"
    r = audit_files(
        tmp_path / "x", {"config.json": json.dumps(cfg), "README.md": card("license: mit", body)}
    )
    assert r.lineage.direct() == []
