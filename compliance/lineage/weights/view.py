"""The interface between tensor I/O and the lineage signals.

Signals never open files: they ask a `TensorView` for (sampled) rows of a
tensor by role and layer. Implementations: a local/remote safetensors reader
(reads only the planned byte ranges) and a fingerprint file (the rows sampled
once, stored compactly). Roles are architecture-neutral names:

  embed, lm_head, norm.final,
  attn.q, attn.k, attn.v, attn.o, norm.attn, norm.mlp,
  mlp.gate, mlp.up, mlp.down,
  moe.router, moe.expert.{e}.gate, moe.expert.{e}.up, moe.expert.{e}.down,
  moe.shared.gate, moe.shared.up, moe.shared.down

Per-layer roles take `layer` (0-based); model-level roles take layer=None.
Rows come back as float32 2-D arrays (n_rows x n_cols), in the tensor's own
row order ([out_features, in_features] as stored by HF checkpoints).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class TensorView(Protocol):
    label: str  # repo id or path, for reports
    revision: str | None  # commit sha when known
    arch: str  # normalised architecture family, e.g. "llama", "qwen2", "qwen2_moe", "bert"
    n_layers: int
    config: dict[str, Any]  # config.json (may be empty)

    def roles(self, layer: int | None) -> list[str]:
        """Roles available at this layer (or model-level roles for None)."""
        ...

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        ...

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        """Float32 rows of the tensor (all rows if `rows` is None; 1-D tensors come back
        as shape (1, n)). Raises KeyError for an unknown role/layer, or
        LookupError when the view does not hold those rows (e.g. a fingerprint)."""
        ...

    def digest(self, role: str, layer: int | None) -> str | None:
        """Digest of the tensor's raw bytes as "<algorithm>:<hex>" (BLAKE3 when the
        `blake3` package is installed, else sha256; see digests.py), or None if not
        available cheaply. "file-sha256:<hex>" is the Hub's LFS hash of a one-tensor
        file (header included); digests of different algorithms are never compared."""
        ...

    @property
    def bytes_read(self) -> int:
        ...
