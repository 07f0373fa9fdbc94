"""Bounded range reads over HTTP, against olah (which ignores Range) and the
proxy in its Hub-like mode (which honours it)."""

from __future__ import annotations

import pytest
from hubrepos import gguf_bytes, make_repo

from compliance.sources.http_range import ByteCounter, coalesce, read_ranges

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def blob(olah) -> tuple[str, bytes]:
    data = gguf_bytes({"general.name": "x"}, tensor_data=1 << 20)
    make_repo(olah.mirrors, "range-org/blob", {"README.md": "x"}, lfs={"w.gguf": data})
    return f"{olah.url}/range-org/blob/resolve/main/w.gguf", data


def test_coalesce() -> None:
    spans = coalesce([(100, 10), (0, 10), (15, 5), (5000, 1), (7, 0)], max_gap=64)
    assert [(s.start, s.end) for s in spans] == [(0, 20), (100, 110), (5000, 5001)]


def test_ranges_in_order_with_coalescing_and_a_byte_budget(blob) -> None:
    url, data = blob
    counter = ByteCounter()
    got = read_ranges(url, [(600, 8), (0, 4), (10, 6), (len(data) - 3, 10)], {}, counter=counter)
    assert got == [data[600:608], data[:4], data[10:16], data[-3:]]
    # (0,4) (10,6) (600,8) coalesce into one span, the tail is another; olah answers
    # 200 with the whole file, so that one stream serves both spans in one pass
    assert counter.requests == 1
    assert counter.bytes <= len(data)


def test_range_ignoring_server_is_read_once_up_to_the_last_span(blob) -> None:
    url, data = blob
    counter = ByteCounter()
    spans = [(i * 100_000, 16) for i in range(1, 8)]  # far apart: never coalesced
    got = read_ranges(url, spans, {}, counter=counter, max_gap=0)
    assert got == [data[s : s + n] for s, n in spans]
    assert counter.requests == 1
    # the stream is dropped soon after the last wanted byte, not at the end of the file
    assert counter.bytes <= spans[-1][0] + 16 + 64 * 1024 < len(data)
    assert counter.range_ignored is True  # a 200 for a ranged request: noticed


def test_range_support_is_unknown_until_a_ranged_answer() -> None:
    assert ByteCounter().range_ignored is None
    counter = ByteCounter()
    counter.note_range(True)
    assert counter.range_ignored is False
    counter.note_range(False)
    counter.note_range(True)  # one whole-file answer is enough to know reads are costly
    assert counter.range_ignored is True


def test_server_honouring_range_sends_only_the_range(olah, blob) -> None:
    from faultproxy import FaultProxy

    url, data = blob
    proxy = FaultProxy(olah.url, honour_range=True).start()
    try:
        counter = ByteCounter()
        far = len(data) - 100
        hub_like = url.replace(olah.url, proxy.url)
        assert read_ranges(hub_like, [(far, 50)], {}, counter=counter) == [data[far : far + 50]]
        assert counter.bytes == 50
        assert counter.range_ignored is False  # 206
        assert read_ranges(hub_like, [(len(data) + 5, 5)], {}) == [b""]  # 416: past the end
        counter = ByteCounter()
        spans = [(1000, 10), (500_000, 10), (far, 10)]
        got = read_ranges(hub_like, spans, {}, counter=counter, max_gap=0)
        assert got == [data[s : s + n] for s, n in spans]
        assert counter.requests == 3 and counter.bytes == 30  # one ranged request each
    finally:
        proxy.stop()
