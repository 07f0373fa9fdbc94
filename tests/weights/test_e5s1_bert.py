"""The E5S1 reader of the real-pair fixtures (e5s1_bert.py), on an image written here:
Q4_0 rows are dequantised as (q - 8) * d in [out, in] order, float vectors kept, names mapped
to BERT's, and a truncated or foreign file is refused."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from tests.weights.e5s1_bert import read

H, FF, VOC, POS, TYPES = 32, 64, 3, 4, 2


def _q4(rows: int, cols: int, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    q = rng.integers(0, 16, size=(rows, cols)).astype(np.uint8)
    d = rng.uniform(0.01, 0.1, size=(rows, cols // 32)).astype(np.float16)
    out = bytearray()
    for r in range(rows):
        for b in range(cols // 32):
            blk = q[r, b * 32 : (b + 1) * 32]
            out += d[r, b].tobytes() + bytes((blk[:16] | (blk[16:] << 4)).tolist())
    value = (q.astype(np.float32) - 8) * np.repeat(d.astype(np.float32), 32, axis=1)
    return bytes(out), value


def _image(rng: np.random.Generator) -> tuple[bytes, dict[str, np.ndarray]]:
    tensors: dict[str, tuple[bytes, int, np.ndarray]] = {}
    raw, val = _q4(VOC, H, rng)
    tensors["emb.word"] = (raw, VOC * H, val)
    for name, shape in (("emb.pos", (POS, H)), ("emb.type", (TYPES, H)), ("emb.ln.w", (H,)),
                        ("l0.q.b", (H,)), ("l0.oln.w", (H,))):
        v = rng.normal(size=shape).astype("<f4")
        tensors[name] = (v.tobytes(), v.size, v)
    raw, val = _q4(H, FF, rng)  # fo: [out=H, in=FF]
    tensors["l0.fo.w"] = (raw, H * FF, val)
    header = b"E5S1" + struct.pack("<I7ifi", 1, H, 1, 1, FF, VOC, POS, TYPES, 1e-12, 32)
    header += struct.pack("<i4iQ", 0, 0, 0, 0, 0, 0) + struct.pack("<I", 0)  # no pieces, 1 offset
    header += struct.pack("<iI", 0, 0)  # no normalisation map
    dir_len = sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors) + 4
    off = len(header) + dir_len
    directory, blobs = struct.pack("<i", len(tensors)), b""
    for name, (raw, n, _) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack(
            "<BIQQ", 0, n, off + len(blobs), len(raw)
        )
        blobs += raw
    return header + directory + blobs, {k: v for k, (_, _, v) in tensors.items()}


def test_image_is_read_as_bert_tensors(tmp_path: Path) -> None:
    data, expected = _image(np.random.default_rng(0))
    path = tmp_path / "m.bin"
    path.write_bytes(data)
    tensors, config = read(path)
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "l0.q.b": "encoder.layer.0.attention.self.query.bias",
        "l0.oln.w": "encoder.layer.0.output.LayerNorm.weight",
        "l0.fo.w": "encoder.layer.0.output.dense.weight",
    }
    assert set(tensors) == set(names.values())
    for src, hf in names.items():
        np.testing.assert_allclose(tensors[hf], expected[src], rtol=1e-6, err_msg=hf)
    assert tensors["encoder.layer.0.output.dense.weight"].shape == (H, FF)
    assert (config["hidden_size"], config["vocab_size"], config["intermediate_size"]) == (
        H, VOC, FF)


def test_truncated_or_foreign_images_are_refused(tmp_path: Path) -> None:
    data, _ = _image(np.random.default_rng(1))
    cut = tmp_path / "cut.bin"
    cut.write_bytes(data[: len(data) - 100])
    with pytest.raises(ValueError, match="out of bounds|truncated"):
        read(cut)
    other = tmp_path / "other.bin"
    other.write_bytes(b"GGUF" + data[4:])
    with pytest.raises(ValueError, match="not an E5S1"):
        read(other)
