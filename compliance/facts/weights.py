"""The weights inventory: which weight files exist, and their headers.

safetensors and GGUF headers are read (bounded, through `read_range`).
Pickle-based files are listed and NEVER opened: unpickling runs code.
"""

from __future__ import annotations

from compliance.facts.context import RepoContext
from compliance.facts.gguf_header import read_gguf
from compliance.facts.model import GGUFFacts, WeightFile
from compliance.facts.safetensors_header import check_index, read_safetensors

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
OTHER_SUFFIXES = (".onnx", ".h5", ".msgpack", ".tflite", ".npz", ".mlmodel")
MAX_GGUF_HEADERS = 16  # a quant repo may hold dozens of files; each vocab costs MBs over HTTP


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


def read_weights(ctx: RepoContext) -> tuple[list[WeightFile], list[GGUFFacts]]:
    weights: list[WeightFile] = []
    ggufs: list[GGUFFacts] = []
    gguf_read = 0
    for path, repo_file in ctx.files.items():
        fmt = weight_format(path)
        if fmt is None:
            continue
        size = repo_file.size
        if repo_file.is_symlink_outside:
            weights.append(WeightFile(path=path, format=fmt, size=None))
            ctx.problem(
                "unverifiable",
                path,
                f"{path}: symbolic link to a path outside the repository; not read",
            )
        elif fmt == "safetensors":
            weights.append(read_safetensors(ctx, path, size))
        elif fmt == "gguf" and gguf_read < MAX_GGUF_HEADERS:
            gguf_read += 1
            weight, facts = read_gguf(ctx, path, size)
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
    by_path = {w.path: w for w in weights if w.format == "safetensors"}
    for path in ctx.files:
        if path.endswith(".safetensors.index.json") and not ctx.files[path].is_symlink_outside:
            check_index(ctx, path, by_path)
    return weights, ggufs
