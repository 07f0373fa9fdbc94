"""Synthetic checkpoints written as real safetensors files (numpy-only writer) and read back
through the reader (SafetensorsView via compare.open_view): same verdicts as in memory,
plus the recast fixture (bf16 on disk vs fp32) and a sharded checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from compliance.weights.compare import open_view
from compliance.weights.signals import run_all
from compliance.weights.verdict import DERIVATION, IDENTICAL, NO_EVIDENCE, decide
from tests.support import synth as S


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("synth")
    b = S.base(0)
    out = {
        "base": S.write_model(b, root / "base"),
        "base-sharded": S.write_model(S.copy(b), root / "base-sharded", shards=3),
        "base-bf16": S.write_model(b, root / "base-bf16", dtype="BF16", shards=2),
        "permuted": S.write_model(S.permute(b), root / "permuted", dtype="BF16"),
        "moe": S.write_model(S.upcycle_moe(b), root / "moe", dtype="BF16"),
        "pruned": S.write_model(S.prune(b), root / "pruned"),
        "same-stats": S.write_model(S.same_stats(b), root / "same-stats", dtype="BF16"),
        "indep-moe": S.write_model(S.independent_moe(S.upcycle_moe(b)), root / "indep-moe"),
    }
    return out


def _verdict(written: dict[str, Path], a: str, b: str = "base"):
    results = run_all(open_view(str(written[a])), open_view(str(written[b])))
    return results, decide(results)


def test_written_file_reads_back_exactly(written: dict[str, Path]) -> None:
    b = S.base(0)
    v = open_view(str(written["base"]))
    assert v.n_layers == b.n_layers and v.arch == "llama"
    np.testing.assert_array_equal(v.rows("mlp.down", 2, [0, 5]), b.tensors[("mlp.down", 2)][[0, 5]])


def test_resharded_exact_copy_is_identical(written: dict[str, Path]) -> None:
    results, v = _verdict(written, "base-sharded")
    assert v.kind == IDENTICAL


def test_bf16_recast_is_derivation_not_identity(written: dict[str, Path]) -> None:
    results, v = _verdict(written, "base-bf16")
    by = {r.name: r for r in results}
    assert by["identical_tensors"].value == 0  # recast changes every byte
    assert by["aligned_cosine"].value > 0.999
    assert v.kind == DERIVATION and v.subtype == "fine-tune"


@pytest.mark.parametrize(
    ("name", "subtype"), [("permuted", "permuted"), ("moe", "upcycled-moe"), ("pruned", "pruned")]
)
def test_positives_through_reader(written: dict[str, Path], name: str, subtype: str) -> None:
    _results, v = _verdict(written, name)
    assert (v.kind, v.subtype) == (DERIVATION, subtype)


@pytest.mark.parametrize("name", ["same-stats", "indep-moe"])
def test_hard_negatives_through_reader(written: dict[str, Path], name: str) -> None:
    _results, v = _verdict(written, name)
    assert v.kind == NO_EVIDENCE


def test_fingerprint_round_trip_keeps_verdicts(written: dict[str, Path], tmp_path: Path) -> None:
    """A fingerprint (G's format) holds exactly the plan's rows: verdicts do not change."""
    fp = pytest.importorskip("compliance.weights.fingerprint")
    from compliance.weights.signals import SamplePlan

    plan = SamplePlan()
    views = {}
    for name in ("base", "permuted", "same-stats"):
        out = tmp_path / f"{name}.safetensors"
        fp.write_fingerprint(open_view(str(written[name])), out, plan, repo_id=name)
        views[name] = fp.FingerprintView(out)
    assert decide(run_all(views["permuted"], views["base"], plan)).subtype == "permuted"
    assert decide(run_all(views["same-stats"], views["base"], plan)).kind == NO_EVIDENCE
