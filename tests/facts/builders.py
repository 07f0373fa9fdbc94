"""Tiny model repos and weight files for facts tests (built in tmp_path)."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

from compliance.facts.model import Facts
from compliance.facts.safetensors_header import DTYPE_BITS


def messages(facts: Facts) -> list[str]:
    return [p.message for p in facts.problems]


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def safetensors_bytes(
    tensors: dict[str, tuple[str, list[int]]],
    metadata: dict[str, str] | None = None,
    *,
    header: dict | None = None,
    data_len: int | None = None,
) -> bytes:
    """A valid safetensors file (zero data), or one with `header` forced in."""
    if header is None:
        header = {}
        offset = 0
        for name, (dtype, shape) in tensors.items():
            nbytes = math.prod(shape) * DTYPE_BITS[dtype] // 8
            header[name] = {
                "dtype": dtype,
                "shape": shape,
                "data_offsets": [offset, offset + nbytes],
            }
            offset += nbytes
        if metadata is not None:
            header["__metadata__"] = metadata
        data_len = offset if data_len is None else data_len
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)  # the format pads the header to 8 bytes
    return struct.pack("<Q", len(raw)) + raw + b"\0" * (data_len or 0)


def gguf_file(path: Path, kv: dict[str, object] | None = None, *, base_models=()) -> Path:
    """A tiny real GGUF written with the gguf package (tests only: it imports numpy)."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("Tiny Test Model")
    writer.add_license("llama3.1")
    writer.add_base_model_count(len(base_models))
    for i, (name, org, url) in enumerate(base_models):
        writer.add_base_model_name(i, name)
        writer.add_base_model_organization(i, org)
        writer.add_base_model_repo_url(i, url)
    writer.add_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(500)])
    writer.add_array("tokenizer.ggml.scores", [float(i) for i in range(500)])
    for key, value in (kv or {}).items():
        if isinstance(value, str):
            writer.add_string(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
    writer.add_tensor("blk.0.weight", np.zeros((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def gguf_raw(version: int = 3, tensors: int = 0, kvs: list[bytes] | None = None, kv_count=None):
    """Hand-made GGUF header bytes for hostile cases."""
    kvs = kvs or []
    count = len(kvs) if kv_count is None else kv_count
    return b"GGUF" + struct.pack("<IQQ", version, tensors, count) + b"".join(kvs)


def gguf_kv_string(key: str, value: str) -> bytes:
    k, v = key.encode(), value.encode()
    return struct.pack("<Q", len(k)) + k + struct.pack("<I", 8) + struct.pack("<Q", len(v)) + v
