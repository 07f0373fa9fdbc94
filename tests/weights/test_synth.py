"""The synthetic generator and numpy-only safetensors writer."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from tests.support import synth as S


def _mlp(m: S.SynthModel, layer: int, x: np.ndarray) -> np.ndarray:
    g = x @ m.tensors[("mlp.gate", layer)].T.astype(np.float64)
    u = x @ m.tensors[("mlp.up", layer)].T.astype(np.float64)
    return (g / (1 + np.exp(-g)) * u) @ m.tensors[("mlp.down", layer)].T.astype(np.float64)


def _attn_scores_and_out(m: S.SynthModel, layer: int, x: np.ndarray) -> np.ndarray:
    heads = int(m.config["num_attention_heads"])
    q = x @ m.tensors[("attn.q", layer)].T.astype(np.float64)
    k = x @ m.tensors[("attn.k", layer)].T.astype(np.float64)
    v = x @ m.tensors[("attn.v", layer)].T.astype(np.float64)
    hd = q.shape[1] // heads
    outs = []
    for h in range(heads):
        s = q[:, h * hd : (h + 1) * hd] @ k[:, h * hd : (h + 1) * hd].T
        w = np.exp(s - s.max(axis=1, keepdims=True))
        outs.append((w / w.sum(axis=1, keepdims=True)) @ v[:, h * hd : (h + 1) * hd])
    return np.concatenate(outs, axis=1) @ m.tensors[("attn.o", layer)].T.astype(np.float64)


def test_permutation_is_function_preserving() -> None:
    b = S.base(0, hidden=64, ffn=256, n_layers=2)
    p = S.permute(b, noise=0.0)
    x = np.random.default_rng(0).standard_normal((5, 64))
    np.testing.assert_allclose(_mlp(p, 1, x), _mlp(b, 1, x), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        _attn_scores_and_out(p, 0, x), _attn_scores_and_out(b, 0, x), rtol=1e-4, atol=1e-6
    )
    assert not np.allclose(p.tensors[("mlp.up", 1)], b.tensors[("mlp.up", 1)])


def test_same_stats_matches_each_tensor_mean_and_std() -> None:
    b = S.base(0)
    n = S.same_stats(b)
    for k, v in b.tensors.items():
        assert n.tensors[k].shape == v.shape
        assert float(n.tensors[k].std()) == pytest.approx(float(v.std()), rel=0.1)
        tol = 5 * float(v.std()) / np.sqrt(v.size)  # 5 standard errors of the mean
        assert float(n.tensors[k].mean()) == pytest.approx(float(v.mean()), abs=tol)


def test_bases_are_reproducible_and_distinct() -> None:
    a, b, c = S.base(3), S.base(3), S.base(4)
    np.testing.assert_array_equal(a.tensors[("attn.q", 2)], b.tensors[("attn.q", 2)])
    assert not np.allclose(a.tensors[("attn.q", 2)], c.tensors[("attn.q", 2)])


def test_shared_profile_gives_same_depth_scales() -> None:
    a, b = S.base(5, profile_seed=0), S.base(6, profile_seed=0)
    sa = [float(a.tensors[("attn.q", i)].std()) for i in range(6)]
    sb = [float(b.tensors[("attn.q", i)].std()) for i in range(6)]
    assert np.corrcoef(sa, sb)[0, 1] > 0.9


def test_upcycle_shapes_and_modes() -> None:
    b = S.base(0)
    m = S.upcycle_moe(b, n_experts=4, mode="slice")
    assert m.arch == "mixtral" and ("mlp.up", 0) not in m.tensors
    assert m.tensors[("moe.expert.3.down", 5)].shape == (128, 128)
    assert m.tensors[("moe.router", 0)].shape == (4, 128)


def test_relayer_orders() -> None:
    b = S.base(0)
    assert S.upscale(b).meta["layers"] == [0, 1, 2, 3, 2, 3, 4, 5]
    assert S.prune(b).config["num_hidden_layers"] == 3


def test_writer_layout(tmp_path: Path) -> None:
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    size = S.write_safetensors(tmp_path / "x.safetensors", {"b": arr, "a": np.arange(2)})
    raw = (tmp_path / "x.safetensors").read_bytes()
    assert len(raw) == size
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0
    header = json.loads(raw[8 : 8 + n])
    assert header["__metadata__"] == {"format": "pt"}
    assert header["a"] == {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}
    assert header["b"]["data_offsets"] == [16, 40]
    np.testing.assert_array_equal(np.frombuffer(raw[8 + n + 16 :], "<f4").reshape(2, 3), arr)


def test_bf16_rounding_to_nearest_even() -> None:
    x = np.array([1.0, -2.5, 1.00390625, 1.01171875, 3.0e38], dtype=np.float32)
    u16 = np.frombuffer(S.to_bf16_bytes(x), "<u2")
    back = (u16.astype(np.uint32) << 16).view(np.float32)
    # 1 + 2^-8 is a tie -> even (1.0); 1 + 3*2^-8 is a tie -> even (1 + 2^-6)
    np.testing.assert_array_equal(back[:4], np.array([1.0, -2.5, 1.0, 1.015625], np.float32))
    assert back[4] == pytest.approx(3.0e38, rel=1e-2)


def test_sharded_model_has_index(tmp_path: Path) -> None:
    d = S.write_model(S.base(0), tmp_path / "m", shards=2, dtype="BF16")
    idx = json.loads((d / "model.safetensors.index.json").read_text())
    assert set(idx["weight_map"].values()) == {
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    }
    assert "model.layers.0.self_attn.q_proj.weight" in idx["weight_map"]
    assert json.loads((d / "config.json").read_text())["model_type"] == "llama"


def test_hf_names() -> None:
    name = "model.layers.3.block_sparse_moe.experts.2.w2.weight"
    assert S.hf_name("moe.expert.2.down", 3) == name
    assert S.hf_name("embed", None) == "model.embed_tokens.weight"
    assert S.hf_name("attn.q.bias", 0) == "model.layers.0.self_attn.q_proj.bias"
