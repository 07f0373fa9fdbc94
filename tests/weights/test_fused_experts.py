"""Fused expert tensors ([E, 2I, H] gate/up and [E, H, I] down) are read per expert, and a
suspect whose bytes were largely not understood never gets a negative verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from compliance.weights.compare import compare_many, open_view
from compliance.weights.coverage import unrecognised_share
from compliance.weights.fingerprint import FingerprintView, write_fingerprint
from compliance.weights.roles import build_role_map
from compliance.weights.signals import SamplePlan
from compliance.weights.verdict import DERIVATION, NO_EVIDENCE, NOT_VERIFIABLE
from tests.support import synth


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fused")
    b = synth.base(0)
    up = synth.upcycle_moe(b)
    indep = synth.independent_moe(up)
    return {
        "base": synth.write_model(b, root / "base"),
        "fused": synth.write_model(up, root / "fused", experts="fused"),
        "fused-bf16": synth.write_model(up, root / "fused-bf16", "BF16", experts="fused"),
        "transposed": synth.write_model(up, root / "transposed", experts="fused-transposed"),
        "indep-fused": synth.write_model(indep, root / "indep", experts="fused"),
        "indep-transposed": synth.write_model(
            indep, root / "indep-t", experts="fused-transposed"
        ),
        "_model": up,  # type: ignore[dict-item]
    }


def test_role_map_splits_fused_experts_by_expert_and_half() -> None:
    shapes = {
        "model.layers.0.mlp.experts.gate_up_proj": (4, 2 * 48, 32),
        "model.layers.0.mlp.experts.down_proj": (4, 32, 48),
        "model.layers.0.mlp.experts.w13_weight": (4, 2 * 48, 32),
    }
    rm = build_role_map(shapes, {"hidden_size": 32})
    up3 = rm.get("moe.expert.3.up", 0)
    assert up3.shape == (48, 32) and up3.flat
    assert up3.segments == ((3 * 96 + 48, 48),)
    assert rm.get("moe.expert.1.down", 0).segments == ((32, 32),)
    assert rm.unrecognised == {}


def test_rows_of_fused_experts_equal_the_expert_tensors(models: dict[str, Path]) -> None:
    m = models["_model"]
    for key in ("fused", "fused-bf16"):
        view = open_view(str(models[key]))
        for e in (0, 3):
            for part in ("gate", "up", "down"):
                want = m.tensors[(f"moe.expert.{e}.{part}", 1)]
                got = view.rows(f"moe.expert.{e}.{part}", 1, [0, 5, 7])
                tol = 1e-2 if key == "fused-bf16" else 0
                np.testing.assert_allclose(got, want[[0, 5, 7]], rtol=tol, atol=tol)
        assert unrecognised_share(view.coverage) == 0.0


def test_upcycled_model_stored_fused_is_consistent_with_derivation(
    models: dict[str, Path],
) -> None:
    [c] = compare_many(open_view(str(models["fused"])), [open_view(str(models["base"]))])
    assert c.verdict.kind == DERIVATION
    assert c.verdict.subtype == "upcycled-moe"


def test_independent_fused_moe_stays_negative(models: dict[str, Path]) -> None:
    [c] = compare_many(open_view(str(models["indep-fused"])), [open_view(str(models["base"]))])
    assert c.verdict.kind == NO_EVIDENCE


def test_unread_layout_abstains_and_names_the_tensors(
    models: dict[str, Path], tmp_path: Path
) -> None:
    suspect = open_view(str(models["indep-transposed"]))
    assert unrecognised_share(suspect.coverage) > 0.5
    [c] = compare_many(suspect, [open_view(str(models["base"]))])
    assert c.verdict.kind == NOT_VERIFIABLE
    assert "model.layers.*.mlp.experts.gate_up_proj (MoE experts" in c.wording[0]
    assert "not understood" in c.wording[0]
    assert c.suspect.coverage is not None
    # the same through a fingerprint, which records what was not understood
    fp = tmp_path / "t.safetensors"
    write_fingerprint(suspect, fp, SamplePlan())
    [c2] = compare_many(FingerprintView(fp), [open_view(str(models["base"]))])
    assert c2.verdict.kind == NOT_VERIFIABLE


def test_evidence_from_the_understood_part_stands_with_a_note(models: dict[str, Path]) -> None:
    # the upcycled model's attention still shows its origin; the note says what was unread
    [c] = compare_many(open_view(str(models["transposed"])), [open_view(str(models["base"]))])
    assert c.verdict.kind == DERIVATION
    assert any("not understood" in n and "gate_up_proj" in n for n in c.verdict.notes)


def test_positive_verdict_with_a_gap_is_qualified() -> None:
    from compliance.weights.coverage import qualify
    from compliance.weights.verdict import Verdict

    v = Verdict(DERIVATION, "fine-tune", ("aligned_cosine",), (), (), ())
    cov = {"total_bytes": 100, "tower_bytes": 0, "unrecognised_bytes": 30,
           "unrecognised": [{"tensors": "x.*.y", "role": "other", "reason": "r",
                             "count": 2, "bytes": 30}]}
    out = qualify(v, cov)
    assert out.kind == DERIVATION
    assert "30.0 %" in out.notes[-1] and "x.*.y" in out.notes[-1]
    neg = qualify(Verdict(NO_EVIDENCE, None, (), (), (), ()), cov)
    assert neg.kind == NOT_VERIFIABLE
    small = dict(cov, unrecognised_bytes=10)
    assert qualify(Verdict(NO_EVIDENCE, None, (), (), (), ()), small).kind == NO_EVIDENCE
