"""Deadlines and fan-out caps against misbehaving servers (the fault proxy in front of
olah): a dripped response ends at its deadline, an endless or huge tree listing is cut,
the audit as a whole has a deadline, and only so many ancestors are read on the Hub."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from faultproxy import Fault
from hubrepos import make_repo, safetensors_bytes
from hubserver import settings_for

from compliance.errors import NetworkError, SourceError
from compliance.facts.read import read_facts
from compliance.facts.wanted import read_by_facts
from compliance.lineage.build import build_lineage
from compliance.lineage.hub_resolver import HubResolver
from compliance.packs.identify import Identifier
from compliance.sources.hub import HubSource
from compliance.sources.hub_limits import HubLimitError, HubLimits
from compliance.sources.local import LocalSource

pytestmark = pytest.mark.hub

REV = r"GET /api/models/[^ ]*/revision/"
TREE = r"GET /api/models/[^ ]*/tree/"
RESOLVE = r"GET /[^ ]*/resolve/"

_n = itertools.count()


@pytest.fixture
def repo(olah) -> str:
    rid = f"limits-org/model-{next(_n)}"
    make_repo(
        olah.mirrors,
        rid,
        {"README.md": "---\nlicense: apache-2.0\n---\n", "config.json": json.dumps({})},
        lfs={"model.safetensors": safetensors_bytes({"w": ("F32", (64, 64))})},
    )
    return rid


def _settings(proxy, tmp_path: Path, **limits: object):
    return settings_for(proxy.url, tmp_path / "hf", limits=HubLimits(**limits))  # type: ignore[arg-type]


def _hits(proxy, pattern: str) -> int:
    import re

    return sum(1 for e in proxy.log if re.search(pattern, f"{e.method} {e.path}"))


def test_dripped_revision_json_ends_at_the_request_deadline(proxy, tmp_path, repo) -> None:
    # one byte every 0.3 s: no read ever waits long enough for the 15 s read timeout
    proxy.add(Fault(REV, kind="drip", delay=0.3, max_seconds=30))
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        HubSource.open(repo, settings=_settings(proxy, tmp_path, request_deadline=2))
    elapsed = time.monotonic() - started
    assert elapsed < 12, elapsed  # 2 s deadline, not 30 s of drip (or 260 s on a big body)
    message = str(info.value)
    assert "MODELCHECK_HUB_REQUEST_DEADLINE" in message and "\n" not in message
    assert _hits(proxy, REV) == 1  # a request that ran out of time is not retried


def test_dripped_header_range_read_ends_at_the_deadline(proxy, tmp_path, repo) -> None:
    src = HubSource.open(repo, settings=_settings(proxy, tmp_path, request_deadline=2))
    proxy.add(Fault(RESOLVE + r"[^ ]*model\.safetensors", kind="drip", delay=0.3))
    started = time.monotonic()
    with pytest.raises(SourceError, match="deadline"):
        src.read_range("model.safetensors", 0, 8 + 200)
    assert time.monotonic() - started < 12


def test_the_audit_deadline_bounds_every_later_request(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(TREE, kind="delay", delay=8, times=1))
    started = time.monotonic()
    with pytest.raises(NetworkError):
        HubSource.open(repo, settings=_settings(proxy, tmp_path, audit_deadline=1.5))
    assert time.monotonic() - started < 6  # not the 8 s stall (nor retries of it)


def test_endless_pagination_stops_at_the_page_cap(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(TREE, kind="endless", times=500))
    with pytest.raises(HubLimitError, match="more than 5 pages|longer than 5 pages"):
        HubSource.open(repo, settings=_settings(proxy, tmp_path, max_tree_pages=5))
    assert _hits(proxy, TREE) <= 6


def test_huge_listing_keeps_the_first_entries_and_says_so(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(TREE, kind="listing", entries=1000, pages=20, times=50))
    src = HubSource.open(repo, settings=_settings(proxy, tmp_path, max_files=1500))
    assert len(src.list_files()) == 1500
    assert _hits(proxy, TREE) == 2  # the third page and later are never asked for
    notes = " ".join(src.notes())
    assert "more than 1500 entries" in notes and "MODELCHECK_HUB_MAX_FILES" in notes


def test_a_server_error_on_a_file_download_is_not_called_unreachable(
    proxy, tmp_path, repo
) -> None:
    proxy.add(Fault(r"(GET|HEAD) /[^ ]*/resolve/[^ ]*README", status=500))
    with pytest.raises(SourceError) as info:
        HubSource.open(repo, settings=_settings(proxy, tmp_path), wanted=read_by_facts)
    message = str(info.value)
    assert "not reachable" not in message and "500" in message
    # without `wanted` the card is downloaded when first read: the same error there
    lazy = HubSource.open(repo, settings=_settings(proxy, tmp_path))
    with pytest.raises(SourceError) as info:
        lazy.read_bytes("README.md", 1 << 16)
    message = str(info.value)
    assert "not reachable" not in message and "500" in message


def test_a_cross_host_redirect_on_a_file_download_is_not_called_unreachable(
    proxy, tmp_path, repo
) -> None:
    proxy.add(
        Fault(
            r"(GET|HEAD) /[^ ]*/resolve/[^ ]*README",
            status=302,
            headers={"Location": "http://127.0.0.2:9/elsewhere/README.md"},
        )
    )
    with pytest.raises(SourceError) as info:
        HubSource.open(repo, settings=_settings(proxy, tmp_path), wanted=read_by_facts)
    assert "not reachable" not in str(info.value)
    lazy = HubSource.open(repo, settings=_settings(proxy, tmp_path))
    with pytest.raises(SourceError) as info:
        lazy.read_bytes("README.md", 1 << 16)
    assert "not reachable" not in str(info.value)


# ------------------------------------------------------------------ ancestors


class _Opens:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, repo_id: str):
        self.calls.append(repo_id)
        raise NetworkError(f"{repo_id}: fake network error")


def test_ancestors_read_on_the_hub_are_capped(tmp_path) -> None:
    bases = [f"org{i}/base-{i}" for i in range(40)]
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text(
        "---\nlicense: apache-2.0\nbase_model:\n" + "".join(f"- {b}\n" for b in bases) + "---\n",
        encoding="utf-8",
    )
    opens = _Opens()
    resolver = HubResolver(
        identify=Identifier([]),  # never asked: every Hub read fails
        open_source=opens,
        settings=SimpleNamespace(limits=HubLimits(max_ancestors=3)),
    )
    lineage = build_lineage(read_facts(LocalSource(repo)), None, resolver, model_id="a/b")
    assert len(opens.calls) == 3  # not 40 (or 1,000) Hub reads
    left_out = [a for a in lineage.ancestors if "MODELCHECK_HUB_MAX_ANCESTORS" in str(
        a.resolution_note)]
    assert len(left_out) == 37
    assert all(a.repo_id in str(a.resolution_note) for a in left_out)  # names what was left out


def test_a_stalled_listing_is_not_retried_forever(proxy, tmp_path, repo) -> None:
    # each attempt stalls past the 1 s socket timeout; huggingface_hub alone would try
    # six times (about 6 x timeout + 23 s of backoff)
    proxy.add(Fault(TREE, kind="delay", delay=3, times=20))
    s = settings_for(proxy.url, tmp_path / "hf", timeout=1.0)
    started = time.monotonic()
    with pytest.raises(NetworkError):
        HubSource.open(repo, settings=s)
    assert _hits(proxy, TREE) <= 2
    assert time.monotonic() - started < 15


def test_many_licence_files_on_the_hub_stay_within_the_read_budget(
    olah, proxy, tmp_path, monkeypatch
) -> None:
    rid = f"limits-org/many-licences-{next(_n)}"
    files = {"README.md": "---\nlicense: mit\n---\n"}
    files.update({f"d{i:02}/LICENSE": f"MIT License {i}\n" for i in range(30)})
    make_repo(olah.mirrors, rid, files)
    monkeypatch.setenv("MODELCHECK_MAX_READ_FILES", "10")
    src = HubSource.open(rid, settings=_settings(proxy, tmp_path))
    facts = read_facts(src)
    assert len(facts.license_files) < 10
    downloads = {e.path for e in proxy.log if "/resolve/" in e.path and e.method == "GET"}
    assert len(downloads) <= 10  # not 31 downloads
    assert "Read budget" in " ".join(facts.notes)
