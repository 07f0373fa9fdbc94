"""Weight spans through the light Hub source: one ranged request per span where the
server honours Range; one pass for many spans where it ignores Range."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compliance.sources.base import RepoFile
from compliance.sources.hub_snapshot import PREFETCH, HubSnapshot, ModelInfo

DATA = bytes(range(256)) * 512  # 128 KiB: larger than the first read's prefix


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass
class FakeHttp:
    honours_range: bool
    ranges: list[str | None] = field(default_factory=list)

    def get(self, path: str, *, what: str, limit: int = 0, params: Any = None,
            headers: Mapping[str, str] | None = None, tally: Any = None) -> Answer:
        rng = (headers or {}).get("range")
        self.ranges.append(rng)
        if rng and self.honours_range:
            start, end = (int(x) for x in rng.removeprefix("bytes=").split("-"))
            return Answer(206, {}, DATA[start : end + 1][:limit])
        return Answer(200, {}, DATA[:limit])


def _snap(http: FakeHttp) -> HubSnapshot:
    info = ModelInfo("o/m", "main", "c" * 40, (RepoFile("model.safetensors", len(DATA)),))
    return HubSnapshot(info, http, lambda _p: False)


SPANS = [(PREFETCH + 100, 50), (70_000, 10), (DATA.__len__() - 5, 20), (3, 4)]
WANT = [DATA[s : s + n] for s, n in SPANS]


def test_a_range_honouring_server_gets_one_ranged_request_per_span():
    http = FakeHttp(honours_range=True)
    snap = _snap(http)
    assert snap.read_range("model.safetensors", 0, 8) == DATA[:8]
    assert snap.ignores_range is False
    assert snap.read_ranges("model.safetensors", SPANS) == WANT
    # the prefix serves the span inside it; each other span is its own ranged request
    assert http.ranges[1:] == [
        f"bytes={PREFETCH + 100}-{PREFETCH + 149}", "bytes=70000-70009",
        f"bytes={len(DATA) - 5}-{len(DATA) - 1}",
    ]


def test_a_server_ignoring_range_serves_all_spans_from_one_pass():
    http = FakeHttp(honours_range=False)
    snap = _snap(http)
    assert snap.read_range("model.safetensors", 0, 8) == DATA[:8]
    assert snap.ignores_range is True
    assert snap.read_ranges("model.safetensors", SPANS) == WANT
    assert len(http.ranges) == 2
