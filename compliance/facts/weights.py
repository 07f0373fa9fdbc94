"""The weights inventory: which weight files exist, and their headers.

safetensors and GGUF headers are read (bounded, through `read_range`).
Pickle-based files are listed and NEVER opened: unpickling runs code.
"""

from __future__ import annotations

import time
from typing import Any

from compliance.facts.context import RepoContext
from compliance.facts.lfs_pointer import is_lfs_pointer
from compliance.facts.model import GGUFFacts, WeightFile
from compliance.facts.safetensors_header import check_index, read_safetensors

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
OTHER_SUFFIXES = (".onnx", ".h5", ".msgpack", ".tflite", ".npz", ".mlmodel")
MAX_GGUF_HEADERS = 16  # a quant repo may hold dozens of files; each vocab costs MBs over HTTP
# A Hub audit reads this many headers per format (the first files by name): the
# metadata that lineage needs is the same in every shard / quant file, and each header
# costs a request and 16 KiB or more, so a 190-shard model would otherwise cost ~3 MB.
HUB_HEADERS = 2


def weight_format(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".safetensors"):
        return "safetensors"
    if name.endswith(".gguf"):
        return "gguf"
    if name.endswith(PICKLE_SUFFIXES):
        return "pickle"
    if name.endswith(OTHER_SUFFIXES):
        return "other"
    return None


def _header_budget(ctx: RepoContext, fmt: str, cap: int | None) -> set[str]:
    """The `fmt` files whose headers are read: all, or the first `cap` by name."""
    paths = sorted(
        p for p, f in ctx.files.items() if weight_format(p) == fmt and not f.is_symlink_outside
    )
    return set(paths if cap is None else paths[:cap])


def read_weights(
    ctx: RepoContext, max_headers: int | None = None
) -> tuple[list[WeightFile], list[GGUFFacts]]:
    """Every weight file, with the headers of safetensors and GGUF files read.

    `max_headers` (per format; None = all) keeps a Hub audit cheap: the other files
    are listed (path, size) with their header unread, and a note says so."""
    weights: list[WeightFile] = []
    ggufs: list[GGUFFacts] = []
    gguf_read = 0
    # shared by every GGUF header of this audit, and counted from here; the GGUF reader
    # (and `struct`) is imported only by a repo that has one
    gguf_cost: Any = None
    gguf_started = time.monotonic()
    st_budget = _header_budget(ctx, "safetensors", max_headers)
    gguf_budget = _header_budget(ctx, "gguf", max_headers)
    st_skipped: list[str] = []
    gguf_skipped: list[str] = []
    for path, repo_file in ctx.files.items():
        fmt = weight_format(path)
        if fmt is None:
            continue
        size = repo_file.size
        if not ctx.readable(path):  # a symlink leaving the repo: reported, never read
            weights.append(WeightFile(path=path, format=fmt, size=None))
        elif is_lfs_pointer(ctx, path, size):
            weights.append(WeightFile(path=path, format=fmt, size=size))
        elif fmt == "safetensors" and path not in st_budget:
            weights.append(WeightFile(path=path, format=fmt, size=size))
            st_skipped.append(path)
        elif fmt == "safetensors":
            weights.append(read_safetensors(ctx, path, size))
        elif fmt == "gguf" and path not in gguf_budget:
            weights.append(WeightFile(path=path, format=fmt, size=size))
            gguf_skipped.append(path)
        elif fmt == "gguf" and gguf_read < MAX_GGUF_HEADERS:
            gguf_read += 1
            from compliance.facts.gguf_header import GGUFBudget, read_gguf

            if gguf_cost is None:
                gguf_cost = GGUFBudget(started=gguf_started)
            weight, facts = read_gguf(ctx, path, size, gguf_cost)
            weights.append(weight)
            ggufs.append(facts)
        elif fmt == "gguf":
            weights.append(WeightFile(path=path, format=fmt, size=size))
            ctx.notes.append(f"{path}: GGUF header not read (only {MAX_GGUF_HEADERS} are read).")
        elif fmt == "pickle":
            weights.append(WeightFile(path=path, format=fmt, size=size))
            ctx.problem(
                "unverifiable",
                path,
                f"{path}: pickle-based weights are present; modelcheck never unpickles files, "
                "so their contents cannot be verified",
            )
        else:
            weights.append(WeightFile(path=path, format=fmt, size=size))
    for skipped, what in ((st_skipped, "safetensors shard"), (gguf_skipped, "GGUF")):
        if skipped:
            ctx.notes.append(
                f"{len(skipped)} {what} headers not read to keep the audit cheap "
                f"(first: {min(skipped)}); `--weights` reads them."
            )
    by_path = {w.path: w for w in weights if w.format == "safetensors"}
    for path in ctx.files:
        if path.endswith(".safetensors.index.json") and not ctx.files[path].is_symlink_outside:
            check_index(ctx, path, by_path)
    return weights, ggufs
