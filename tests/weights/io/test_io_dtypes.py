from __future__ import annotations

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from compliance.weights import dtypes
from compliance.weights.files import LocalFiles
from compliance.weights.safetensors_view import SafetensorsView
from tests.support.synth import to_bf16_bytes, write_safetensors


@pytest.mark.parametrize("np_dtype", ["float16", "float32", "float64", "int8"])
def test_decode_matches_safetensors_reference(tmp_path, np_dtype):
    rng = np.random.default_rng(0)
    arr = (rng.standard_normal((7, 5)) * 20).astype(np_dtype)
    path = tmp_path / "model.safetensors"
    save_file({"model.layers.0.mlp.up_proj.weight": arr}, str(path))
    ref = load_file(str(path))["model.layers.0.mlp.up_proj.weight"]
    view = SafetensorsView(LocalFiles(tmp_path), config={"model_type": "llama"})
    got = view.rows("mlp.up", 0)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, ref.astype(np.float32))


def test_bf16_decode_is_exact_top_half_of_float32():
    rng = np.random.default_rng(1)
    u32 = rng.integers(0, 2**32, 1000, dtype=np.uint64).astype(np.uint32) & 0xFFFF0000
    x = u32.view(np.float32)  # exactly representable in bf16 (low 16 bits zero)
    raw = (u32 >> 16).astype("<u2").tobytes()
    np.testing.assert_array_equal(dtypes.decode(raw, "BF16"), x)
    # rounding of a value that is not representable: nearest bf16 neighbour
    y = dtypes.decode(to_bf16_bytes(np.array([1.00390625], np.float32)), "BF16")
    assert y[0] in (1.0, 1.0078125)


def test_bf16_file_through_view(tmp_path):
    x = np.arange(24, dtype=np.float32).reshape(4, 6) / 8
    write_safetensors(tmp_path / "model.safetensors", {"model.embed_tokens.weight": x}, "BF16")
    view = SafetensorsView(LocalFiles(tmp_path), config={"model_type": "llama"})
    assert view.dtype("embed", None) == "BF16"
    np.testing.assert_array_equal(view.rows("embed", None, [3, 1]), x[[3, 1]])


def test_encode_compact_is_lossless_and_smallest():
    bf = dtypes.decode(to_bf16_bytes(np.linspace(-3, 3, 50, dtype=np.float32)), "BF16")
    code, payload = dtypes.encode_compact(bf)
    assert code == "BF16" and len(payload) == 2 * bf.size
    np.testing.assert_array_equal(dtypes.decode(payload, code), bf)
    f16 = np.array([0.1, 0.2], dtype=np.float16).astype(np.float32)
    assert dtypes.encode_compact(f16)[0] == "F16"
    f32 = np.array([0.1, 1e-9], dtype=np.float32)
    code, payload = dtypes.encode_compact(f32)
    assert code == "F32"
    np.testing.assert_array_equal(dtypes.decode(payload, code), f32)


def test_unsupported_dtype_is_a_clear_error():
    with pytest.raises(dtypes.UnsupportedDtypeError, match="F8_E4M3"):
        dtypes.decode(b"\x00\x01", "F8_E4M3")
    with pytest.raises(dtypes.UnsupportedDtypeError, match="unknown"):
        dtypes.itemsize("Q4_K")
