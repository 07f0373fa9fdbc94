"""Each "not computable" reason a signal can return names what actually happened: one case
per reason, built so that exactly that cause is present, and the same signal computes once
the cause is removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from compliance.weights.signals import run_all
from tests.support import synth
from tests.support.memview import MemView

Build = Callable[[], Any]
UNREAD = "the suspect's MoE expert tensors were not read ("


def _reason(suspect: Any, candidate: Any, name: str) -> str | None:
    """The signal's reason (None when it computed)."""
    a = suspect.view() if isinstance(suspect, synth.SynthModel) else suspect
    b = candidate.view() if isinstance(candidate, synth.SynthModel) else candidate
    (r,) = run_all(a, b, only=[name])
    return None if r.computable else r.reason


def _no_config(m: synth.SynthModel) -> synth.SynthModel:
    m.config = {}
    return m


def _without(m: synth.SynthModel, prefixes: tuple[str, ...]) -> synth.SynthModel:
    m.tensors = {k: v for k, v in m.tensors.items() if not k[0].startswith(prefixes)}
    return m


def _view(m: synth.SynthModel, **kw: Any) -> MemView:
    return MemView(m.tensors, label=m.label, arch=m.arch, config=m.config,
                   n_layers=m.n_layers, **kw)


class _Sha256View(MemView):
    """Digests made with sha256 whatever this machine's default is."""

    def digest(self, role: str, layer: int | None) -> str | None:
        import hashlib

        t = self.tensors[(role, layer)]
        return "sha256:" + hashlib.sha256(np.ascontiguousarray(t).tobytes()).hexdigest()


class _Blake3View(MemView):
    def digest(self, role: str, layer: int | None) -> str | None:
        d = super().digest(role, layer)
        return None if d is None else "blake3:" + d.partition(":")[2]


class _RowsMissing(MemView):
    """Knows the shapes of every tensor but holds no sampled rows of the 2-D ones (as a
    fingerprint made with another plan)."""

    def rows(self, role: str, layer: int | None, rows: Any = None) -> np.ndarray:
        if self.tensors[(role, layer)].ndim >= 2:
            raise KeyError((role, layer))
        return super().rows(role, layer, rows)


def _rowless(m: synth.SynthModel) -> MemView:
    return _RowsMissing(m.tensors, label=m.label, config=m.config, n_layers=m.n_layers)


def _small_only(m: synth.SynthModel) -> MemView:
    """Every tensor holds fewer than 16,384 elements (a tiny model), digests included."""
    return _view(synth.base(0, hidden=32, ffn=128, vocab=128, heads=2))


def _constant(m: synth.SynthModel) -> synth.SynthModel:
    m.tensors = {k: np.full_like(v, 0.5) for k, v in m.tensors.items()}
    return m


def _zero_embeddings(m: synth.SynthModel) -> synth.SynthModel:
    m.tensors = {k: (np.zeros_like(v) if k[0] in ("embed", "lm_head") else v)
                 for k, v in m.tensors.items()}
    return m


CASES: list[tuple[str, Build, Build, str]] = [
    # identical_tensors
    ("identical_tensors", lambda: _constant(synth.base(0)), lambda: synth.base(1),
     "the suspect has no tensor of >= 16,384 elements whose sampled rows were read and are "
     "not constant"),
    ("identical_tensors", lambda: _small_only(synth.base(0)), lambda: synth.base(1),
     "the suspect has no tensor of >= 16,384 elements whose sampled rows were read and are "
     "not constant"),
    ("identical_tensors", lambda: synth.base(0, hidden=64, ffn=256),
     lambda: _view(synth.base(1), digests=False),
     "no candidate tensor has the shape of a suspect tensor, and the candidate view "
     "provides no whole-tensor digests"),
    ("identical_tensors", lambda: _view(synth.base(0, hidden=64, ffn=256), digests=False),
     lambda: synth.base(1),
     "no candidate tensor has the shape of a suspect tensor, and the suspect view provides "
     "no whole-tensor digests"),
    ("identical_tensors",
     lambda: _Blake3View(synth.base(0, hidden=64, ffn=256).tensors, n_layers=6),
     lambda: _Sha256View(synth.base(1).tensors, n_layers=6),
     "the tensor digests were made with different algorithms (suspect: blake3; candidate: "
     "sha256), so byte identity cannot be checked"),
    # gram_embedding
    ("gram_embedding", lambda: _zero_embeddings(synth.base(0)), lambda: synth.base(1),
     "degenerate embedding rows"),
    # gram_layers
    ("gram_layers", lambda: synth.base(0, hidden=64, ffn=256), lambda: synth.base(1),
     "no q/k/v/gate/up matrix with the same shape and sampled rows in both models"),
    ("gram_layers", lambda: synth.base(0, hidden=64, ffn=256, n_layers=3), lambda: synth.base(1),
     "layer counts differ (3 vs 6) and no layer pair has q/k/v/gate/up matrices of one shape"),
    # aligned_cosine
    ("aligned_cosine", lambda: synth.base(0, n_layers=3), lambda: synth.base(1),
     "layer counts differ (3 vs 6); see layer_alignment"),
    ("aligned_cosine", lambda: synth.base(0, hidden=64, ffn=256), lambda: synth.base(1),
     "no 2-D tensor has the same shape in both models (different widths)"),
    ("aligned_cosine", lambda: synth.base(0), lambda: _rowless(synth.base(1)),
     "the same-shape tensors' sampled rows were not available in both models"),
    # neuron_matching
    ("neuron_matching", lambda: synth.base(0, n_layers=4), lambda: synth.base(1),
     "layer counts differ (4 vs 6)"),
    ("neuron_matching", lambda: synth.upcycle_moe(synth.base(0)), lambda: synth.base(1),
     "the suspect has no dense MLP down projections (an MoE has experts instead)"),
    ("neuron_matching", lambda: synth.base(0, hidden=64, ffn=256),
     lambda: synth.base(1), "the hidden sizes differ (64 vs 128)"),
    ("neuron_matching", lambda: synth.base(0), lambda: _rowless(synth.base(1)),
     "the sampled rows of the MLP down projections were not available in both models"),
    ("neuron_matching", lambda: synth.base(0, hidden=4, ffn=16, heads=1),
     lambda: synth.base(1, hidden=4, ffn=16, heads=1),
     "the hidden size (4) is too small to match neurons (needs >= 8)"),
    # moe_upcycling
    ("moe_upcycling", lambda: synth.base(0), lambda: synth.base(1),
     "the suspect has no MoE experts"),
    ("moe_upcycling", lambda: synth.upcycle_moe(synth.base(0)),
     lambda: synth.upcycle_moe(synth.base(1)),
     "the candidate has no dense MLP down projections to match experts against"),
    ("moe_upcycling", lambda: synth.upcycle_moe(synth.base(0)),
     lambda: synth.base(1, hidden=64, ffn=256),
     "the hidden sizes differ (suspect experts 128, candidate dense MLP 64)"),
    ("moe_upcycling", lambda: synth.upcycle_moe(synth.base(0)),
     lambda: synth.base(1, n_layers=4), "layer counts differ (6 vs 4)"),
    ("moe_upcycling", lambda: synth.upcycle_moe(synth.base(0)),
     lambda: _rowless(synth.base(1)),
     "the sampled rows of the candidate's dense MLP were not available"),
    # layer_alignment
    ("layer_alignment", lambda: synth.base(0), lambda: synth.base(1, n_layers=1),
     "needs >= 1 suspect and >= 2 candidate layers"),
    ("layer_alignment", lambda: synth.base(0, hidden=64, ffn=256), lambda: synth.base(1),
     "no per-layer 2-D tensors with one shape in both models"),
    # sigma_curve
    ("sigma_curve", lambda: synth.base(0, n_layers=2), lambda: synth.base(1, n_layers=2),
     "needs >= 3 layers in both models"),
    ("sigma_curve", lambda: _without(synth.base(0), ("attn.",)), lambda: synth.base(1),
     "no attention projection (q/k/v/o) is present in every layer of both models"),
    # tokenizer
    ("tokenizer", lambda: _view(synth.base(0)), lambda: _view(synth.base(1)),
     "neither model has a tokenizer digest"),
    ("tokenizer", lambda: _view(synth.base(0)), lambda: synth.base(1),
     "the suspect has no tokenizer digest"),
    ("tokenizer", lambda: synth.base(0), lambda: _view(synth.base(1)),
     "the candidate has no tokenizer digest"),
    # config_similarity
    ("config_similarity", lambda: _no_config(synth.base(0)),
     lambda: _no_config(synth.base(1)), "no config.json fields to compare"),
]


@pytest.mark.parametrize(
    ("name", "suspect", "candidate", "reason"), CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_reason_names_the_cause(name: str, suspect: Build, candidate: Build, reason: str) -> None:
    assert _reason(suspect(), candidate(), name) == reason


def _head(node: Any) -> str | None:
    """A string literal, or an f-string's fixed start."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def test_every_reason_in_the_code_has_a_case() -> None:
    """Each literal reason in the signals (arguments of `not_computable`, strings returned
    by their `..._reason` helpers) appears in a case here; f-strings by their fixed start."""
    import ast
    from pathlib import Path

    import compliance.weights.signals as pkg

    covered = " | ".join([c[3] for c in CASES] + [UNREAD])
    heads: list[tuple[str, str]] = []
    for path in sorted(Path(pkg.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "not_computable"
                    and node.args):
                heads.append((path.name, _head(node.args[0]) or ""))
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_reason"):
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        heads.append((path.name, _head(ret.value) or ""))
    assert len(heads) >= 15  # the scan sees the reasons, or it proves nothing
    missing = [f"{f}: {h!r}" for f, h in heads if h.strip() and h not in covered]
    assert not missing


def test_computable_when_the_cause_is_absent() -> None:
    # the same signals compute once the cause is removed: the reasons are not blanket
    a, b = synth.base(0), synth.base(1)
    for name in ("identical_tensors", "aligned_cosine", "neuron_matching", "layer_alignment",
                 "sigma_curve", "tokenizer", "config_similarity"):
        assert _reason(a, b, name) is None, name
    assert _reason(synth.upcycle_moe(a), b, "moe_upcycling") is None


def test_experts_that_were_not_read_are_not_called_absent(tmp_path) -> None:
    """An MoE stored in a layout the reader does not understand has experts: the reason
    says they were not read, never "the suspect has no MoE experts"."""
    from compliance.weights.compare import open_view

    moe = synth.upcycle_moe(synth.base(0))
    path = synth.write_model(moe, tmp_path / "m", experts="fused-transposed")
    base = synth.write_model(synth.base(0), tmp_path / "b")
    reason = _reason(open_view(str(path)), open_view(str(base)), "moe_upcycling")
    assert reason is not None
    assert reason.startswith(UNREAD + "`")
    assert "see coverage" in reason and "no MoE experts" not in reason
