"""Build model repos as git repositories that olah serves from its `mirrors-path`.

Layout: `<mirrors>/models/<org>/<name>`, branch `main`. Large files are stored the
way the Hub stores them: a git-LFS pointer in the tree (which carries the file's
size and sha256) and the object under `.git/lfs/objects/`, which is where olah
reads LFS content from.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "fixture",
    "GIT_AUTHOR_EMAIL": "fixture@example.invalid",
    "GIT_COMMITTER_NAME": "fixture",
    "GIT_COMMITTER_EMAIL": "fixture@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def lfs_pointer(oid: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n".encode()


def make_repo(
    mirrors: Path,
    repo_id: str,
    files: dict[str, bytes | str],
    lfs: dict[str, bytes] | None = None,
    lfs_sizes: dict[str, int] | None = None,
) -> str:
    """Create (or add a commit to) a mirrored repo; returns the new commit sha.

    `lfs` files go through LFS pointers; `lfs_sizes` may declare a size larger than
    the stored object (used by the benchmark to list shards at their real size while
    storing only their headers)."""
    repo = mirrors / "models" / repo_id
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        _git(repo, "init", "-q", "-b", "main")
    for rel, content in files.items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    for rel, content in (lfs or {}).items():
        oid = hashlib.sha256(content).hexdigest()
        obj = repo / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
        obj.parent.mkdir(parents=True, exist_ok=True)
        obj.write_bytes(content)
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        size = (lfs_sizes or {}).get(rel, len(content))
        target.write_bytes(lfs_pointer(oid, size))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"update {repo_id}")
    return _git(repo, "rev-parse", "HEAD")


# ---------------------------------------------------------------- weights

_DTYPE_SIZE = {"BF16": 2, "F16": 2, "F32": 4, "I8": 1, "U8": 1}


def safetensors_header(
    tensors: dict[str, tuple[str, tuple[int, ...]]], metadata: dict[str, str] | None = None
) -> tuple[bytes, int]:
    """(8-byte prefix + JSON header padded to 8 bytes, size of the data region)."""
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, (dtype, shape) in tensors.items():
        n = _DTYPE_SIZE[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw, offset


def safetensors_bytes(
    tensors: dict[str, tuple[str, tuple[int, ...]]], metadata: dict[str, str] | None = None
) -> bytes:
    """A complete, valid safetensors file (zero tensor data)."""
    head, data_len = safetensors_header(tensors, metadata)
    return head + bytes(data_len)


def _gguf_str(s: str) -> bytes:
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_bytes(kv: dict[str, str | int], tensor_data: int = 0) -> bytes:
    """A GGUF v3 file: string / uint32 KVs, one F32 tensor, `tensor_data` bytes of data."""
    out = bytearray(b"GGUF")
    out += struct.pack("<IQQ", 3, 1, len(kv))
    for key, value in kv.items():
        out += _gguf_str(key)
        if isinstance(value, int):
            out += struct.pack("<II", 4, value)  # type 4 = UINT32
        else:
            out += struct.pack("<I", 8) + _gguf_str(value)  # type 8 = STRING
    n = max(1, tensor_data // 4)
    out += _gguf_str("token_embd.weight") + struct.pack("<IQIQ", 1, n, 0, 0)  # 1 dim, F32, offset 0
    out += bytes(-len(out) % 32)  # general.alignment default
    out += bytes(n * 4)
    return bytes(out)
