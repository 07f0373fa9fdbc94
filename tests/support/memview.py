"""An in-memory TensorView over a dict of arrays keyed by (role, layer) -- for tests and for
derived variants built from real tensors. Digests hash the array's own bytes (its dtype)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from compliance.weights import digests

Key = tuple[str, "int | None"]


class MemView:
    def __init__(
        self,
        tensors: Mapping[Key, np.ndarray],
        *,
        label: str = "memory",
        arch: str = "llama",
        config: dict[str, Any] | None = None,
        n_layers: int | None = None,
        revision: str | None = None,
        tokenizer_digest: str | None = None,
        digests: bool = True,
    ) -> None:
        self.tensors = dict(tensors)
        self.label = label
        self.revision = revision
        self.arch = arch
        self.config = dict(config or {})
        layers = [ly for (_r, ly) in self.tensors if ly is not None]
        self.n_layers = n_layers if n_layers is not None else (max(layers) + 1 if layers else 0)
        self.tokenizer_digest = tokenizer_digest
        self._digests = digests
        self._read = 0

    def roles(self, layer: int | None) -> list[str]:
        return sorted(r for (r, ly) in self.tensors if ly == layer)

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        t = self.tensors.get((role, layer))
        return None if t is None else tuple(t.shape)

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        t = self.tensors[(role, layer)]  # KeyError for unknown role/layer, as the protocol says
        out = t.reshape(1, -1) if t.ndim == 1 else t
        if rows is not None:
            out = out[np.asarray(rows, dtype=np.int64)]
        out = np.asarray(out, dtype=np.float32)
        self._read += out.nbytes
        return out

    def digest(self, role: str, layer: int | None) -> str | None:
        if not self._digests:
            return None
        t = self.tensors[(role, layer)]
        algo, h = digests.hasher()
        h.update(np.ascontiguousarray(t).tobytes())
        return f"{algo}:{h.hexdigest()}"

    @property
    def bytes_read(self) -> int:
        return self._read
