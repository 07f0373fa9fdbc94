"""Batched reads over a server that ignores Range: the reader notices (`ignores_range`) and
fetches a sampling plan's spans with one streamed pass per file (`prefetch`); over a server
that honours Range nothing changes (one ranged request per run of rows)."""

from __future__ import annotations

import numpy as np
import pytest

from compliance.weights.files import HttpFiles, LocalFiles, PrefetchedSpans
from compliance.weights.fingerprint import FingerprintView, write_fingerprint
from compliance.weights.safetensors_view import SafetensorsView
from compliance.weights.signals import SamplePlan
from tests.weights.io.httpserve import serve


@pytest.mark.parametrize("honour_range", [True, False])
def test_the_reader_learns_whether_the_server_honours_range(models, honour_range):
    with serve(models["base"].parent, honour_range) as (url, _log):
        files = HttpFiles(url + "base/")
        assert files.ignores_range is None and not files.batches  # nothing asked yet
        SafetensorsView(files, digest_max_bytes=0)  # reads the headers, with Range
        assert files.ignores_range is (not honour_range)
        assert files.batches is (not honour_range)


def test_prefetch_reads_each_file_once_and_serves_every_planned_row(models):
    local = SafetensorsView(LocalFiles(models["base"]))
    with serve(models["base"].parent, honour_range=False) as (url, _log):
        files = HttpFiles(url + "base/")
        view = SafetensorsView(files, digest_max_bytes=0)
        reqs = SamplePlan().requests(view)
        before_requests, before_bytes = files.requests, files.bytes_transferred
        assert view.prefetch(reqs)
        got = view.fetch_many(reqs)
        assert len(view.weight_files) == 2
        # one streamed pass per file, each stopping at most one 16 KiB chunk past its end
        assert files.requests - before_requests == len(view.weight_files)
        assert files.bytes_transferred - before_bytes <= view.total_bytes + 2 * (16 << 10)
        for (role, layer, rows), arr in zip(reqs, got, strict=True):
            np.testing.assert_array_equal(arr, local.rows(role, layer, rows))
        assert view._prefetched is not None and view._prefetched.held_bytes == 0  # all freed
        # a read that was not planned (or is asked again) is an ordinary read, still right
        np.testing.assert_array_equal(view.rows("mlp.up", 2, [3, 9]),
                                      local.rows("mlp.up", 2, [3, 9]))
        role, layer, rows = reqs[-1]
        np.testing.assert_array_equal(view.rows(role, layer, rows), got[-1])
        view.release_prefetched()
        assert view._prefetched is None


def test_prefetch_changes_nothing_when_range_is_honoured(models):
    with serve(models["base"].parent, honour_range=True) as (url, _log):
        files = HttpFiles(url + "base/")
        view = SafetensorsView(files, digest_max_bytes=0)
        reqs = SamplePlan().requests(view)
        spans = [sp for r in reqs for sp in view.planned_spans(*r)]
        before_requests, before_bytes = files.requests, files.bytes_transferred
        assert not view.prefetch(reqs)
        view.fetch_many(reqs)
        # today's behaviour: one ranged request per planned span, exactly the planned bytes
        assert files.requests - before_requests == len(spans)
        assert files.bytes_transferred - before_bytes == sum(n for _f, _s, n in spans)


@pytest.mark.parametrize("honour_range", [True, False])
def test_remote_fingerprint_equals_the_local_one(models, tmp_path, honour_range):
    plan = SamplePlan(seed=4)
    write_fingerprint(SafetensorsView(LocalFiles(models["base"])), tmp_path / "l.safetensors",
                      plan, digests=False)
    local = FingerprintView(tmp_path / "l.safetensors")
    with serve(models["base"].parent, honour_range) as (url, _log):
        files = HttpFiles(url + "base/")
        view = SafetensorsView(files, digest_max_bytes=0)
        opened = files.requests
        write_fingerprint(view, tmp_path / "r.safetensors", plan, digests=False)
        reads = files.requests - opened
    remote = FingerprintView(tmp_path / "r.safetensors")
    assert remote.meta["requests"] == files.requests  # recorded for the reports
    assert remote.meta["bytes_read"] == files.bytes_transferred
    planned = sum(len(view.planned_spans(*r)) for r in plan.requests(view))
    # plus one for tokenizer.json (its digest goes into the fingerprint)
    assert reads == 1 + (planned if honour_range else len(view.weight_files))
    for role, layer, rows in plan.requests(view):
        np.testing.assert_array_equal(remote.rows(role, layer, rows),
                                      local.rows(role, layer, rows))


def test_digest_over_a_range_ignoring_server_is_one_pass(models):
    local = SafetensorsView(LocalFiles(models["base"]))
    with serve(models["base"].parent, honour_range=False) as (url, _log):
        files = HttpFiles(url + "base/")
        view = SafetensorsView(files, digest_max_bytes=None)  # hashing allowed remotely
        before = files.requests
        assert view.digest("mlp.up", 1) == local.digest("mlp.up", 1)
        assert files.requests - before == 1
        assert view.bytes_hashed == local.bytes_hashed > 0


class _Counting:
    """A byte source that records each read_ranges call."""

    def __init__(self, data: dict[str, bytes]) -> None:
        self.data = data
        self.calls: list[tuple[str, list[tuple[int, int]]]] = []

    def read_ranges(self, path: str, ranges: list[tuple[int, int]]) -> list[bytes]:
        self.calls.append((path, list(ranges)))
        return [self.data[path][s : s + n] for s, n in ranges]


def test_prefetched_spans_are_fetched_per_file_and_dropped_once_served():
    src = _Counting({"a": bytes(range(200)), "b": bytes(100)})
    store = PrefetchedSpans(src, {"a": [(10, 5), (50, 5), (10, 5)], "b": [(0, 4)]})
    assert src.calls == []  # nothing fetched before a read needs the file
    assert store.take("a", 50, 5) == bytes(range(50, 55))
    assert src.calls == [("a", [(10, 5), (50, 5)])]  # one call, duplicates once
    assert store.held_bytes == 5  # (10, 5) is held for its two planned reads
    assert store.take("a", 10, 5) == store.take("a", 10, 5) == bytes(range(10, 15))
    assert store.take("a", 10, 5) is None  # served as often as planned: gone
    assert store.take("a", 0, 3) is None  # never planned
    assert store.take("c", 0, 3) is None  # unknown file
    assert store.held_bytes == 0 and len(src.calls) == 1
    store.release()
    assert store.take("b", 0, 4) is None and len(src.calls) == 1  # released: not fetched
