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


# ---------------------------------------------------------------- a model family

LLAMA_LICENSE = (
    "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n"
    "Llama 3.1 Version Release Date: July 23, 2024\n"
    "(fixture: the opening lines only)\n"
)
QWEN_LICENSE = "Qwen LICENSE AGREEMENT\nRelease Date: September 19, 2024\n(fixture)\n"


def card(meta: str, body: str = "# Model\n") -> str:
    return f"---\n{meta.strip()}\n---\n{body}"


def build_family(mirrors: Path, org: str) -> dict[str, str]:
    """A small family on the mirror; returns {role: repo id}.

    base (llama3.1 card + LICENSE) <- ft1 (says "Built with Llama") <- ft2 (does not:
    the missing attribution three levels down); qwen-base (licence known only from
    its LICENSE file); merge of ft1 + qwen-base (mergekit config); a GGUF quantization
    of ft1 (base model in the GGUF header too); on-gated: a fine-tune of a repo the
    tests make look gated through the fault proxy.
    """
    ids = {
        "base": f"{org}/Llama-base",
        "ft1": f"{org}/Llama-ft1",
        "ft2": f"{org}/Llama-ft2",
        "qwen": f"{org}/qwen-base",
        "merge": f"{org}/Llama-merge",
        "gguf": f"{org}/Llama-ft1-GGUF",
        "gated": f"{org}-gated/secret-base",
        "on_gated": f"{org}/Llama-on-gated",
    }
    st = safetensors_bytes({"model.embed_tokens.weight": ("BF16", (32, 8))})
    config = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})
    make_repo(
        mirrors,
        ids["base"],
        {"README.md": card("license: llama3.1"), "LICENSE": LLAMA_LICENSE, "config.json": config},
        lfs={"model.safetensors": st},
    )
    make_repo(
        mirrors,
        ids["ft1"],
        {
            "README.md": card(
                f"license: llama3.1\nbase_model: {ids['base']}", "# ft1\n\nBuilt with Llama\n"
            ),
            "LICENSE": LLAMA_LICENSE,
            "config.json": config,
        },
        lfs={"model.safetensors": st},
    )
    make_repo(
        mirrors,
        ids["ft2"],
        {
            "README.md": card(f"license: llama3.1\nbase_model: {ids['ft1']}", "# ft2\n"),
            "LICENSE": LLAMA_LICENSE,
            "config.json": config,
        },
        lfs={"model.safetensors": st},
    )
    make_repo(
        mirrors,
        ids["qwen"],
        {"README.md": card("language: [en]"), "LICENSE": QWEN_LICENSE, "config.json": config},
    )
    mergekit = (
        "merge_method: slerp\n"
        f"base_model: {ids['ft1']}\n"
        "models:\n"
        f"  - model: {ids['ft1']}\n"
        f"  - model: {ids['qwen']}\n"
    )
    make_repo(
        mirrors,
        ids["merge"],
        {
            "README.md": card(
                f"license: llama3.1\nbase_model:\n- {ids['ft1']}\n- {ids['qwen']}",
                "# merge\n\nBuilt with Llama\n",
            ),
            "mergekit_config.yml": mergekit,
            "LICENSE": LLAMA_LICENSE,
        },
    )
    gg = gguf_bytes(
        {
            "general.architecture": "llama",
            "general.name": "Llama ft1",
            "general.license": "llama3.1",
            "general.base_model.count": 1,
            "general.base_model.0.repo_url": f"https://huggingface.co/{ids['ft1']}",
        },
        tensor_data=256 << 10,
    )
    make_repo(
        mirrors,
        ids["gguf"],
        {
            "README.md": card(
                f"license: llama3.1\nbase_model: {ids['ft1']}\nbase_model_relation: quantized",
                "# GGUF\n\nBuilt with Llama\n",
            ),
            "LICENSE": LLAMA_LICENSE,
        },
        lfs={"llama-ft1.Q4_K_M.gguf": gg},
    )
    make_repo(
        mirrors,
        ids["gated"],
        {"README.md": card("license: llama3.1"), "LICENSE": LLAMA_LICENSE},
    )
    make_repo(
        mirrors,
        ids["on_gated"],
        {
            "README.md": card(
                f"license: llama3.1\nbase_model: {ids['gated']}", "# x\n\nBuilt with Llama\n"
            ),
            "LICENSE": LLAMA_LICENSE,
        },
    )
    return ids
