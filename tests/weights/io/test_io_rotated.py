"""A rotated derivative written to disk (bf16) and compared with a fingerprint of its base:
the tier-B Gram signals work from what a fingerprint stores, and the verdict is the same as
in memory."""

from __future__ import annotations

import pytest

from compliance.weights.compare import open_view
from compliance.weights.files import LocalFiles
from compliance.weights.fingerprint import FingerprintView, write_fingerprint
from compliance.weights.safetensors_view import SafetensorsView
from compliance.weights.signals import SamplePlan, run_all
from compliance.weights.verdict import DERIVATION, NO_EVIDENCE, decide
from tests.support import synth


@pytest.fixture(scope="module")
def fingerprint(models, tmp_path_factory):  # -> FingerprintView of models["base"]
    out = tmp_path_factory.mktemp("fp-rot") / "base.safetensors"
    write_fingerprint(SafetensorsView(LocalFiles(models["base"])), out, SamplePlan(),
                      repo_id="org/base")
    return FingerprintView(out)


@pytest.mark.parametrize(
    ("variant", "kind", "subtype"),
    [
        (lambda b: synth.rotate(synth.fine_tune(b, 0.1)), DERIVATION, "rotated"),
        (lambda b: synth.rotate(synth.geometry_twin(b)), NO_EVIDENCE, None),
    ],
    ids=["rotated-fine-tune", "rotated-geometry-twin"],
)
def test_rotated_suspect_against_a_fingerprint(
    fingerprint, tmp_path, variant, kind, subtype
) -> None:
    # models["base"] is synth.base(1) stored in bf16 (tests/weights/io/conftest.py)
    suspect = synth.write_model(variant(synth.base(1)), tmp_path / "suspect", dtype="BF16")
    results = run_all(open_view(str(suspect)), fingerprint, fingerprint.plan)
    v = decide(results)
    assert (v.kind, v.subtype) == (kind, subtype), v
    by = {r.name: r for r in results}
    assert by["gram_layers"].computable and by["gram_embedding"].computable
