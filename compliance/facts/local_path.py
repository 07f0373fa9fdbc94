"""Model references written as local paths instead of Hub repo ids.

Training scripts save whatever path the base was loaded from: a Hugging Face cache
snapshot (`…/models--org--name/snapshots/<hash>`), a relative folder (`models/gemma-2-9b-it`),
a training-output dir (`/root/output/checkpoint-500`). These helpers only read the string;
matching a folder name against known models is the lineage's job.
"""

from __future__ import annotations

import re

from compliance.regex_cache import compiled

# org and name as the Hub cache spells a repo folder: models--<org>--<name>
_CACHE_DIR = compiled(r"models--([A-Za-z0-9][\w.-]{0,95})--([A-Za-z0-9][\w.-]{0,95})")
# first path components that are folders on a machine, not Hub organisations
LOCAL_ROOTS = frozenset({
    "models", "model", "checkpoints", "checkpoint", "ckpt", "ckpts", "output", "outputs",
    "out", "tmp", "data", "home", "workspace", "mnt", "root", "content", "runs", "results",
    "save", "saved", "pretrained", "weights", "users", "opt", "scratch", "cache", "kaggle",
    "drive", "hf_models", "base_models", "llm", "llms", "work",
})  # fmt: skip
# components that say nothing about which model a folder holds
_NOISE = compiled(
    r"(?:snapshots|checkpoint[-_]?\d*|ckpt[-_]?\d*|step[-_]?\d+|epoch[-_]?\d+|global_step\d+"
    r"|final|merged|[0-9a-f]{40}|main|hf|huggingface|hub|\.cache|\.|~"
    r"|gptq|awq|gguf|exl2|mlx|quantized|int4|int8|[248]bit|fp16|bf16|fp8)",
    re.I,
)


def _parts(value: str) -> list[str]:
    return [p for p in re.split(r"[/\\]+", value.strip()[:1000]) if p]


def looks_local(value: str) -> bool:
    """True for a filesystem path (absolute, relative, home, Windows, a local root folder)."""
    v = value.strip()
    if not v or v.lower().startswith(("http://", "https://")):
        return False
    if v.startswith(("/", "./", "../", "~", ".\\")) or "\\" in v or re.match(r"[A-Za-z]:[/\\]", v):
        return True
    parts = _parts(v)
    return len(parts) > 2 or (len(parts) == 2 and parts[0].lower() in LOCAL_ROOTS)


def cache_repo_id(value: str) -> str | None:
    """`org/name` from a Hugging Face cache path (`models--org--name`), else None."""
    for part in reversed(_parts(value)):
        m = _CACHE_DIR.fullmatch(part)
        if m:
            return f"{m.group(1)}/{m.group(2)}"
    return None


def model_folder(value: str) -> str | None:
    """The last path component that can name a model (checkpoints, hashes skipped)."""
    for part in reversed(_parts(value)):
        if not _NOISE.fullmatch(part):
            return part
    return None
