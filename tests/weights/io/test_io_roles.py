from __future__ import annotations

import json

import numpy as np
import pytest

from compliance.weights.files import LocalFiles
from compliance.weights.roles import build_role_map, normalise_arch
from compliance.weights.safetensors_view import SafetensorsView
from tests.support.synth import write_safetensors

H, FF, V = 64, 128, 100


def llama_names(prefix: str = "model.", bias: bool = False) -> dict[str, tuple[int, ...]]:
    out = {f"{prefix}embed_tokens.weight": (V, H), "lm_head.weight": (V, H),
           f"{prefix}norm.weight": (H,)}
    for n in range(2):
        p = f"{prefix}layers.{n}."
        for part, shape in (("q", (H, H)), ("k", (16, H)), ("v", (16, H)), ("o", (H, H))):
            out[f"{p}self_attn.{part}_proj.weight"] = shape
            if bias and part != "o":
                out[f"{p}self_attn.{part}_proj.bias"] = (shape[0],)
        out[f"{p}mlp.gate_proj.weight"] = (FF, H)
        out[f"{p}mlp.up_proj.weight"] = (FF, H)
        out[f"{p}mlp.down_proj.weight"] = (H, FF)
        out[f"{p}input_layernorm.weight"] = (H,)
        out[f"{p}post_attention_layernorm.weight"] = (H,)
    return out


BASIC = {"embed", "lm_head", "norm.final"}
LAYER = {"attn.q", "attn.k", "attn.v", "attn.o", "mlp.gate", "mlp.up", "mlp.down",
         "norm.attn", "norm.mlp"}


@pytest.mark.parametrize("model_type", ["llama", "mistral", "qwen2"])
def test_llama_family(model_type):
    rm = build_role_map(llama_names(bias=model_type == "qwen2"), {"model_type": model_type})
    assert rm.arch == model_type and rm.n_layers == 2
    assert set(rm.roles(None)) == BASIC
    expected = LAYER | ({"attn.q.bias", "attn.k.bias", "attn.v.bias"} if model_type == "qwen2"
                        else set())
    assert set(rm.roles(1)) == expected
    assert rm.get("mlp.down", 1).name == "model.layers.1.mlp.down_proj.weight"


def test_arch_guessed_from_names_without_config():
    assert normalise_arch({}, llama_names()) == "llama"
    assert normalise_arch({}, ["gpt_neox.layers.0.attention.query_key_value.weight"]) == "gpt_neox"
    assert normalise_arch({}, ["encoder.layer.0.attention.self.query.weight"]) == "bert"
    assert normalise_arch({"model_type": "gemma3_text"}) == "gemma3"


def test_mixtral_experts():
    names = {"model.layers.0.block_sparse_moe.gate.weight": (8, H)}
    for e in range(8):
        for w, shape in (("w1", (FF, H)), ("w2", (H, FF)), ("w3", (FF, H))):
            names[f"model.layers.0.block_sparse_moe.experts.{e}.{w}.weight"] = shape
    rm = build_role_map(names, {"model_type": "mixtral"})
    assert rm.get("moe.router", 0).shape == (8, H)
    assert rm.get("moe.expert.3.gate", 0).name.endswith("experts.3.w1.weight")
    assert rm.get("moe.expert.3.up", 0).name.endswith("experts.3.w3.weight")
    assert rm.get("moe.expert.7.down", 0).name.endswith("experts.7.w2.weight")


def test_qwen2_moe_router_experts_and_shared_expert():
    p = "model.layers.0.mlp."
    names = {p + "gate.weight": (4, H), p + "shared_expert_gate.weight": (1, H),
             p + "shared_expert.gate_proj.weight": (FF, H),
             p + "shared_expert.down_proj.weight": (H, FF),
             p + "experts.0.up_proj.weight": (FF, H), p + "experts.1.down_proj.weight": (H, FF)}
    rm = build_role_map(names, {"model_type": "qwen2_moe"})
    assert set(rm.roles(0)) == {"moe.router", "moe.shared_gate", "moe.shared.gate",
                                "moe.shared.down", "moe.expert.0.up", "moe.expert.1.down"}


def test_deepseek_v3_mla_dense_and_moe_layers():
    names = {
        "model.layers.0.self_attn.q_a_proj.weight": (32, H),
        "model.layers.0.self_attn.q_b_proj.weight": (H, 32),
        "model.layers.0.self_attn.kv_a_proj_with_mqa.weight": (40, H),
        "model.layers.0.self_attn.kv_b_proj.weight": (96, 32),
        "model.layers.0.self_attn.o_proj.weight": (H, H),
        "model.layers.0.mlp.gate_proj.weight": (FF, H),  # dense first layer
        "model.layers.1.mlp.gate.weight": (8, H),  # router
        "model.layers.1.mlp.gate.e_score_correction_bias": (8,),
        "model.layers.1.mlp.experts.5.gate_proj.weight": (32, H),
        "model.layers.1.mlp.shared_experts.up_proj.weight": (32, H),
    }
    rm = build_role_map(names, {"model_type": "deepseek_v3"})
    assert rm.arch == "deepseek"
    assert {"attn.q_a", "attn.q_b", "attn.kv_a", "attn.kv_b", "attn.o", "mlp.gate"} == set(
        rm.roles(0))
    assert set(rm.roles(1)) == {"moe.router", "moe.expert.5.gate", "moe.shared.up"}


def test_gemma2_sandwich_norms_and_gemma3_multimodal_prefix():
    names = {
        "language_model.model.embed_tokens.weight": (V, H),
        "language_model.model.norm.weight": (H,),
        "language_model.model.layers.0.self_attn.q_proj.weight": (H, H),
        "language_model.model.layers.0.self_attn.q_norm.weight": (16,),
        "language_model.model.layers.0.input_layernorm.weight": (H,),
        "language_model.model.layers.0.post_attention_layernorm.weight": (H,),
        "language_model.model.layers.0.pre_feedforward_layernorm.weight": (H,),
        "language_model.model.layers.0.post_feedforward_layernorm.weight": (H,),
        "vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight": (32, 32),
        "vision_tower.vision_model.encoder.layers.30.mlp.fc1.weight": (32, 32),
    }
    cfg = {"model_type": "gemma3", "text_config": {"model_type": "gemma3_text"}}
    rm = build_role_map(names, cfg)
    assert rm.arch == "gemma3" and rm.n_layers == 1  # vision layers ignored
    assert set(rm.roles(0)) == {"attn.q", "norm.q", "norm.attn", "norm.attn_post", "norm.mlp",
                                "norm.mlp_post"}
    assert rm.get("norm.mlp", 0).name.endswith("pre_feedforward_layernorm.weight")
    assert set(rm.roles(None)) == {"embed", "norm.final"}


def test_bert_minilm_names():
    names = {"embeddings.word_embeddings.weight": (V, H),
             "embeddings.position_embeddings.weight": (512, H),
             "embeddings.LayerNorm.weight": (H,), "pooler.dense.weight": (H, H)}
    for n in range(2):
        p = f"encoder.layer.{n}."
        for s in ("attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense"):
            names[p + s + ".weight"] = (H, H)
            names[p + s + ".bias"] = (H,)
        names[p + "attention.output.LayerNorm.weight"] = (H,)
        names[p + "intermediate.dense.weight"] = (FF, H)
        names[p + "output.dense.weight"] = (H, FF)
        names[p + "output.LayerNorm.weight"] = (H,)
    rm = build_role_map(names, {"model_type": "bert"})
    assert rm.n_layers == 2
    assert rm.get("mlp.up", 1).name == "encoder.layer.1.intermediate.dense.weight"
    assert rm.get("mlp.down", 1).name == "encoder.layer.1.output.dense.weight"
    assert rm.get("attn.q", 0).name == "encoder.layer.0.attention.self.query.weight"
    assert rm.get("norm.mlp", 0).name == "encoder.layer.0.output.LayerNorm.weight"
    assert {"embed", "embed.pos", "norm.embed", "pooler"} == set(rm.roles(None))


def _write(tmp_path, tensors, config):
    write_safetensors(tmp_path / "model.safetensors", tensors, "F32")
    (tmp_path / "config.json").write_text(json.dumps(config))
    return SafetensorsView(LocalFiles(tmp_path))


def test_phi3_packed_qkv_and_gate_up_split(tmp_path):
    rng = np.random.default_rng(0)
    nq, nkv, hd = 4, 2, 16
    q, k, v = (rng.standard_normal((n * hd, H)).astype(np.float32) for n in (nq, nkv, nkv))
    gate, up = (rng.standard_normal((FF, H)).astype(np.float32) for _ in range(2))
    view = _write(tmp_path, {
        "model.layers.0.self_attn.qkv_proj.weight": np.concatenate([q, k, v]),
        "model.layers.0.mlp.gate_up_proj.weight": np.concatenate([gate, up]),
    }, {"model_type": "phi3", "hidden_size": H, "num_attention_heads": nq,
        "num_key_value_heads": nkv})
    assert view.shape("attn.k", 0) == (nkv * hd, H)
    np.testing.assert_array_equal(view.rows("attn.q", 0), q)
    np.testing.assert_array_equal(view.rows("attn.k", 0, [0, 5, 31]), k[[0, 5, 31]])
    np.testing.assert_array_equal(view.rows("attn.v", 0, [31, 2]), v[[31, 2]])
    np.testing.assert_array_equal(view.rows("mlp.gate", 0, [1]), gate[[1]])
    np.testing.assert_array_equal(view.rows("mlp.up", 0, [0, FF - 1]), up[[0, FF - 1]])


def test_gpt_neox_interleaved_qkv_split_with_bias(tmp_path):
    rng = np.random.default_rng(1)
    nh, hd = 4, 16
    q, k, v = (rng.standard_normal((nh, hd, H)).astype(np.float32) for _ in range(3))
    qb, kb, vb = (rng.standard_normal((nh, hd)).astype(np.float32) for _ in range(3))
    packed = np.stack([q, k, v], axis=1).reshape(3 * nh * hd, H)  # per head [q, k, v]
    packed_b = np.stack([qb, kb, vb], axis=1).reshape(-1)
    view = _write(tmp_path, {
        "gpt_neox.layers.0.attention.query_key_value.weight": packed,
        "gpt_neox.layers.0.attention.query_key_value.bias": packed_b,
        "gpt_neox.embed_in.weight": np.zeros((V, H), np.float32),
        "embed_out.weight": np.zeros((V, H), np.float32),
    }, {"model_type": "gpt_neox", "hidden_size": H, "num_attention_heads": nh})
    np.testing.assert_array_equal(view.rows("attn.k", 0), k.reshape(-1, H))
    np.testing.assert_array_equal(view.rows("attn.v", 0, [17]), v.reshape(-1, H)[[17]])
    np.testing.assert_array_equal(view.rows("attn.q.bias", 0)[0], qb.reshape(-1))
    assert set(view.roles(None)) == {"embed", "lm_head"}


def test_falcon_new_decoder_grouped_qkv_split(tmp_path):
    rng = np.random.default_rng(2)
    nq, nkv, hd = 8, 2, 8
    per = nq // nkv
    q = rng.standard_normal((nkv, per, hd, H)).astype(np.float32)
    k, v = (rng.standard_normal((nkv, 1, hd, H)).astype(np.float32) for _ in range(2))
    packed = np.concatenate([q, k, v], axis=1).reshape(-1, H)  # per KV group [q.., k, v]
    dense = np.eye(H, dtype=np.float32)
    view = _write(tmp_path, {"transformer.h.0.self_attention.query_key_value.weight": packed,
                             "transformer.h.0.self_attention.dense.weight": dense},
                  {"model_type": "falcon", "hidden_size": H, "num_attention_heads": nq,
                   "num_kv_heads": nkv, "new_decoder_architecture": True})
    np.testing.assert_array_equal(view.rows("attn.q", 0), q.reshape(-1, H))
    np.testing.assert_array_equal(view.rows("attn.k", 0), k.reshape(-1, H))
    np.testing.assert_array_equal(view.rows("attn.v", 0, [3]), v.reshape(-1, H)[[3]])
    assert view.rows("attn.o", 0).shape == (H, H)


def test_falcon_multi_query_qkv_split():
    rm = build_role_map({"transformer.h.0.self_attention.query_key_value.weight": (H + 32, H)},
                        {"model_type": "falcon", "hidden_size": H, "num_attention_heads": 4,
                         "multi_query": True})
    assert rm.get("attn.q", 0).segments == ((0, H),)
    assert rm.get("attn.k", 0).segments == ((H, 16),)
    assert rm.get("attn.v", 0).segments == ((H + 16, 16),)


def test_tied_embeddings_expose_lm_head():
    names = {"model.embed_tokens.weight": (V, H), "model.layers.0.mlp.up_proj.weight": (FF, H)}
    rm = build_role_map(names, {"model_type": "llama", "tie_word_embeddings": True})
    assert rm.get("lm_head", None).name == "model.embed_tokens.weight"
    with pytest.raises(KeyError, match="attn.q"):
        rm.get("attn.q", 0)


def _raw_equals_rows(view, role, layer, rows):
    """The undecoded spans a fingerprint copies hold exactly the decoded rows."""
    from compliance.weights import dtypes

    raw = view.raw_rows(role, layer, rows)
    got = dtypes.decode(view.files.read_spans(raw.file, raw.spans), raw.dtype).reshape(raw.shape)
    np.testing.assert_array_equal(got, view.rows(role, layer, rows))


def test_raw_row_spans_follow_split_and_interleaved_layouts(tmp_path):
    rng = np.random.default_rng(2)
    nh, hd = 4, 16
    packed = rng.standard_normal((3 * nh * hd, H)).astype(np.float32)
    neox = _write(tmp_path, {
        "gpt_neox.layers.0.attention.query_key_value.weight": packed,
        "gpt_neox.embed_in.weight": rng.standard_normal((V, H)).astype(np.float32),
        "embed_out.weight": rng.standard_normal((V, H)).astype(np.float32),
    }, {"model_type": "gpt_neox", "hidden_size": H, "num_attention_heads": nh})
    for role in ("attn.q", "attn.k", "attn.v"):
        for rows in (None, [0, 1, 2, 17, 40, 63], [5]):
            _raw_equals_rows(neox, role, 0, rows)
    _raw_equals_rows(neox, "embed", None, [3, 4, 9])
