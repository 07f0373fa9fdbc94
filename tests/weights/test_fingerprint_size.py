"""A fingerprint of a Qwen2.5-14B-shaped model fits in 50 MB (schema 3; 537 MB before)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from compliance.weights.fingerprint import FingerprintView, write_fingerprint
from compliance.weights.signals import SamplePlan

H, FFN, L, VOCAB, KV = 5120, 13824, 48, 152064, 1024
SHAPES = {
    "attn.q": (H, H), "attn.k": (KV, H), "attn.v": (KV, H), "attn.o": (H, H),
    "mlp.gate": (FFN, H), "mlp.up": (FFN, H), "mlp.down": (H, FFN), "norm.attn": (H,),
    "norm.mlp": (H,),
}
MODEL = {"embed": (VOCAB, H), "lm_head": (VOCAB, H), "norm.final": (H,)}


class Qwen14bShaped:
    """Rows drawn on request (only the sampled ones exist), stored as bf16."""

    label, revision, arch, n_layers, bytes_read = "qwen14b-shaped", None, "qwen2", L, 0
    config = {"model_type": "qwen2", "hidden_size": H, "num_hidden_layers": L}

    def roles(self, layer: int | None) -> list[str]:
        return list(MODEL if layer is None else SHAPES)

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        return (MODEL if layer is None else SHAPES).get(role)

    def dtype(self, role: str, layer: int | None) -> str:
        return "BF16"

    def digest(self, role: str, layer: int | None) -> str | None:
        return None

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        shape = self.shape(role, layer)
        assert shape is not None
        n = 1 if len(shape) == 1 else (shape[0] if rows is None else len(rows))
        rng = np.random.default_rng(abs(hash((role, layer))) % 2**32)
        return 0.02 * rng.standard_normal((n, shape[-1]), dtype=np.float32)


@pytest.mark.slow  # ~20 s of CPU: 48 layers of 5120-wide rows are drawn and sketched
def test_a_14b_fingerprint_is_at_most_50_mb(tmp_path) -> None:
    out = tmp_path / "fp.safetensors"
    info = write_fingerprint(Qwen14bShaped(), out, SamplePlan(), digests=False)
    # the schema-2 plan stored whole bf16 rows of every down projection: 537 MB
    assert info.file_bytes <= 50_000_000, info.file_bytes
    fp = FingerprintView(out)
    # every sampled 2-D tensor carries the Gram matrix of its unsketched rows
    rows = fp.plan.rows_for("attn.q", (H, H))
    gram = fp.row_gram("attn.q", 47, rows)
    assert gram is not None and gram.shape == (64, 64)
    assert fp.row_gram("mlp.down", 47, fp.plan.rows_for("mlp.down", (H, FFN))) is not None
