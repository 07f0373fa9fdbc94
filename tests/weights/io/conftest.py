"""Fixtures for the weight I/O tests: tiny synthetic checkpoints written to disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import synth


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """base (bf16, 2 shards), a light fine-tune of it, an unrelated model (f32)."""
    root = tmp_path_factory.mktemp("synth")
    b = synth.base(1)
    out = {
        "base": synth.write_model(b, root / "base", dtype="BF16", shards=2),
        "ft": synth.write_model(synth.fine_tune(b, 0.1), root / "ft", dtype="BF16"),
        "other": synth.write_model(synth.base(2), root / "other", dtype="F32"),
    }
    return out
