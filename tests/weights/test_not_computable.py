"""Each "not computable" reason names the actual cause (one case per reason)."""

from __future__ import annotations

import pytest

from compliance.weights.signals import run_all
from tests.support import synth


def _reason(suspect: synth.SynthModel, candidate: synth.SynthModel, name: str) -> str | None:
    by = {r.name: r for r in run_all(suspect.view(), candidate.view())}
    r = by[name]
    return None if r.computable else r.reason


def _no_config(m: synth.SynthModel) -> synth.SynthModel:
    m.config = {}
    return m


@pytest.mark.parametrize(
    ("name", "suspect", "candidate", "reason"),
    [
        ("moe_upcycling", lambda: synth.base(0), lambda: synth.base(1),
         "the suspect has no MoE experts"),
        ("moe_upcycling", lambda: synth.upcycle_moe(synth.base(0)),
         lambda: synth.upcycle_moe(synth.base(1)),
         "no dense MLP in the candidate with the suspect's hidden size"),
        ("sigma_curve", lambda: synth.base(0, n_layers=2), lambda: synth.base(1, n_layers=2),
         "needs >= 3 layers in both models"),
        ("aligned_cosine", lambda: synth.base(0, hidden=64, ffn=256),
         lambda: synth.base(1), "no same-shape sampled tensors in common"),
        ("config_similarity", lambda: _no_config(synth.base(0)),
         lambda: _no_config(synth.base(1)), "no config.json fields to compare"),
    ],
)
def test_reason_names_the_cause(name, suspect, candidate, reason) -> None:
    assert _reason(suspect(), candidate(), name) == reason


def test_computable_when_the_cause_is_absent() -> None:
    # the same signals compute once the cause is removed: the reasons are not blanket
    a, b = synth.base(0), synth.base(1)
    for name in ("sigma_curve", "aligned_cosine", "config_similarity"):
        assert _reason(a, b, name) is None
    assert _reason(synth.upcycle_moe(a), b, "moe_upcycling") is None
