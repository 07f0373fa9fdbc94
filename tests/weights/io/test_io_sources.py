"""The Hub route of open_view(): any compliance Source, read through Source.read_range."""

from __future__ import annotations

import numpy as np

from compliance.sources.local import LocalSource
from compliance.weights.compare import compare_specs, open_view, view_kind


class FakeHub(LocalSource):
    """A local dir posing as a Hub repo pinned to a commit (no network in tests)."""

    kind = "hub"

    def __init__(self, path, repo_id):
        super().__init__(path)
        self.repo_id = repo_id
        self.commit = "0123456789abcdef0123"
        self.ranges: list[tuple[str, int, int]] = []

    def read_range(self, path, start, length):
        self.ranges.append((path, start, length))
        return super().read_range(path, start, length)


def test_repo_id_goes_through_the_hub_source_and_reads_only_ranges(models):
    made: list[FakeHub] = []

    def hub(repo_id, revision):
        made.append(FakeHub(models["base"], repo_id))
        return made[-1]

    view = open_view("org/base@main", hub_source=hub)
    assert view_kind(view) == "hub" and view.revision.startswith("0123")
    assert view.label == "org/base" and view.digest("attn.q", 0) is None
    local = open_view(str(models["base"]))
    np.testing.assert_array_equal(view.rows("mlp.up", 1, [3, 4]), local.rows("mlp.up", 1, [3, 4]))
    assert all(length < 1 << 20 for _p, _s, length in made[0].ranges)


def test_compare_with_a_hub_candidate_samples_it_into_a_fingerprint(models):
    def hub(repo_id, revision):
        return FakeHub(models["base"], repo_id)

    (c,) = compare_specs(str(models["ft"]), ["org/base"], hub_source=hub)
    assert c.candidate.kind == "hub" and c.candidate.label == "org/base"
    assert c.candidate.revision == "0123456789abcdef0123"
    # a tiny model's sample covers most rows; what matters is that it was counted
    assert 0 < c.candidate.bytes_read < 2 * c.candidate.total_bytes
    assert c.verdict.kind == "consistent-with-derivation"
