"""Tier-B rotation-invariant signals (gram_layers, gram_embedding): a residual-rotated
derivative is found where every tier-A signal sees noise, the documented defeat (head and
neuron permutation together) leaves one signal and a `suggestive` verdict, geometry-sharing
negatives stay at the null, and both signals work from a view that stores only Grams."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest

from compliance.resources import data_dir
from compliance.weights.signals import SamplePlan, run_all
from compliance.weights.signals import gram_embedding as b2
from compliance.weights.signals import gram_layers as b1
from compliance.weights.verdict import DERIVATION, NO_EVIDENCE, SUBTYPES, SUGGESTIVE, decide
from compliance.weights.wording import render
from tests.support import synth as S
from tests.support.memview import MemView

TIER_A = ("identical_tensors", "aligned_cosine", "neuron_matching", "layer_alignment")


def _by(results):  # type: ignore[no-untyped-def]
    return {r.name: r for r in results}


@pytest.mark.parametrize(
    "name", ["rotated", "rotated-noisy", "rotated-scaled", "rotated-neuron-permuted"]
)
def test_rotated_derivative_is_found_by_the_invariants_only(name: str, synthetic_run) -> None:
    _m, results, v = synthetic_run("pos", name, 0)
    by = _by(results)
    assert not [n for n in TIER_A if by[n].fires]  # rotation hides it from tier A
    assert by["aligned_cosine"].value is not None and abs(by["aligned_cosine"].value) < 0.02
    assert by["gram_layers"].fires and by["gram_embedding"].fires
    assert (v.kind, v.subtype) == (DERIVATION, "rotated")
    assert set(v.deciding) == {"gram_layers", "gram_embedding"}
    assert any("rotation of the residual stream" in n for n in v.notes)
    text = " ".join(render(v, results, "suspect", "base"))
    assert "consistent with derivation" in text and "Gram" in text


def test_paired_scaling_changes_nothing() -> None:
    b = S.base(0)
    plain = _by(run_all(S.rotate(b).view(), b.view(), only=["gram_layers", "gram_embedding"]))
    scaled = _by(
        run_all(S.rotate(b, scale=True).view(), b.view(), only=["gram_layers", "gram_embedding"])
    )
    for name in ("gram_layers", "gram_embedding"):
        assert scaled[name].value == pytest.approx(plain[name].value, abs=1e-9)


def test_rotation_of_an_unrelated_fine_tune_stays_negative(synthetic_run) -> None:
    for name in ("rotated-fine-tune-of-unrelated", "geometry-twin", "geometry-twin-rotated"):
        for seed in (0, 1, 2):
            _m, results, v = synthetic_run("neg", name, seed)
            by = _by(results)
            assert v.kind == NO_EVIDENCE, (name, seed, v)
            for s in ("gram_layers", "gram_embedding"):
                assert by[s].computable and not by[s].fires and not by[s].partial, (name, s)
                assert abs(by[s].value) < 0.05, (name, seed, s, by[s].value)


def test_head_and_neuron_permutation_together_defeat_the_layer_grams() -> None:
    # the documented limit: with both permuted, the sampled q/k/v and gate/up rows are other
    # heads' and neurons', so only the embedding Gram remains: suggestive, not a finding
    b = S.base(0)
    results = run_all(S.rotate(S.permute(b)).view(), b.view())
    by, v = _by(results), decide(results)
    assert not by["gram_layers"].fires and by["gram_embedding"].fires
    assert v.kind == SUGGESTIVE and v.deciding == ("gram_embedding",)


def test_head_permutation_alone_leaves_the_mlp_grams() -> None:
    b = S.base(0)
    results = run_all(S.rotate(S.permute(b, permute_neurons=False)).view(), b.view())
    by, v = _by(results), decide(results)
    roles = by["gram_layers"].per_layer[0]["roles"]
    assert roles["mlp.up"] > 0.9 and roles["mlp.gate"] > 0.9
    assert by["gram_layers"].fires and (v.kind, v.subtype) == (DERIVATION, "rotated")


def test_single_invariant_signal_is_worded_as_lacking_a_second_one() -> None:
    b = S.base(0)
    results = run_all(S.rotate(S.permute(b)).view(), b.view())
    head = render(decide(results), results, "suspect", "base")[0]
    assert "suggestive but not conclusive" in head
    assert "without the second independent signal" in head
    assert "below the decisive threshold" not in head


def test_heavy_noise_after_rotation_is_only_suggestive() -> None:
    b = S.base(0)
    v = decide(run_all(S.rotate(b, noise=1.0).view(), b.view()))
    assert v.kind == SUGGESTIVE and "gram_layers" in v.deciding


def test_deflation_removes_shared_coarse_token_geometry(monkeypatch) -> None:
    # the geometry twin shares the base's top-4 token structure: without deflation the
    # embedding Gram correlates well above its shuffled-token null; with it, not at all
    b = S.base(0)
    twin = S.geometry_twin(b)
    plan = SamplePlan()
    kept = b2.compute(twin.view(), b.view(), plan)
    monkeypatch.setattr(b2, "DEFLATE", 0)
    naive = b2.compute(twin.view(), b.view(), plan)
    assert naive.value > 0.15 and naive.value > naive.null.max
    assert abs(kept.value) < 0.03 and not kept.partial


class GramOnly(MemView):
    """Answers `row_gram` from its tensors and refuses row reads for the roles the tier-B
    signals use, as a fingerprint storing only Grams of those rows would."""

    ROLES = ("attn.q", "attn.k", "attn.v", "mlp.gate", "mlp.up", "embed", "lm_head")

    def row_gram(self, role: str, layer: int | None, rows: Sequence[int] | None) -> np.ndarray:
        x = self.tensors[(role, layer)].astype(np.float64)
        x = x if rows is None else x[np.asarray(rows)]
        return x @ x.T

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        if role in self.ROLES:
            raise LookupError("Grams only")
        return super().rows(role, layer, rows)


def test_signals_read_grams_through_the_view() -> None:
    b = S.base(0)
    m = S.rotate(S.fine_tune(b, 0.1))
    names = ["gram_layers", "gram_embedding"]
    direct = _by(run_all(m.view(), b.view(), only=names))
    grams = _by(
        run_all(
            GramOnly(m.tensors, config=m.config, n_layers=m.n_layers),
            GramOnly(b.tensors, config=b.config, n_layers=b.n_layers),
            only=names,
        )
    )
    for name in names:
        assert grams[name].computable and grams[name].fires
        assert grams[name].value == pytest.approx(direct[name].value, abs=1e-6)


def test_not_computable_reasons() -> None:
    b = S.base(0)
    wide = S.base(0, hidden=96, ffn=384, heads=4)
    r = b2.compute(wide.view(), b.view(), SamplePlan())
    assert not r.computable and r.reason == "hidden sizes differ (96 vs 128)"
    r = b1.compute(wide.view(), S.base(1, hidden=96, ffn=384, heads=4, vocab=520).view(),
                   SamplePlan())
    assert r.computable  # same shapes: computable, and at the null
    assert not r.fires and not r.partial
    r = b2.compute(S.base(1, vocab=520).view(), b.view(), SamplePlan(vocab_rows=64))
    assert not r.computable and "sampled token ids differ" in (r.reason or "")


@pytest.mark.parametrize("depth", ["pruned", "up-scaled"])
def test_depth_change_and_rotation_matched_by_best_layer(depth: str) -> None:
    b = S.base(0)
    changed = S.prune(b) if depth == "pruned" else S.upscale(b)
    results = run_all(S.rotate(changed).view(), b.view())
    by, v = _by(results), decide(results)
    assert not by["aligned_cosine"].computable and not by["layer_alignment"].fires
    g = by["gram_layers"]
    assert g.fires and by["layer_alignment"].details["map"] == {}  # hidden from S5
    expected = {0: 0, 1: 2, 2: 4} if depth == "pruned" else dict(
        enumerate([0, 1, 2, 3, 2, 3, 4, 5])
    )
    assert g.details["map"] == expected
    assert (v.kind, v.subtype) == (DERIVATION, "rotated")
    unrelated = S.rotate(S.prune(S.base(106, profile_seed=0)))
    r = b1.compute(unrelated.view(), b.view(), SamplePlan())
    assert r.computable and not r.fires and not r.partial and r.details["map"] == {}


def test_schema_lists_every_subtype() -> None:
    schema = json.loads((data_dir("schemas") / "lineage.schema.json").read_text("utf-8"))
    verdict = schema["$defs"]["comparison"]["properties"]["verdict"]
    assert verdict["properties"]["subtype"]["enum"] == [None, *SUBTYPES]


def test_a_rotated_match_is_ranked_by_its_invariant_statistic() -> None:
    from compliance.weights.compare import compare_many
    from compliance.weights.relatives import rank

    b = S.base(0)
    [c] = compare_many(S.rotate(b).view(), [b.view()])
    [closest] = rank([c])
    assert closest.statistic == "rotation-invariant row-Gram correlation"
    assert closest.value > 0.9  # not the aligned cosine, which sits at its null (~0)
