"""Each network fault, injected by the proxy in front of olah, becomes one clear
`SourceError` (never a traceback, never the token)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from faultproxy import Fault
from hubrepos import make_repo, safetensors_bytes
from hubserver import free_port, settings_for

from compliance.errors import GatedRepoError, NetworkError, RepoNotFoundError, SourceError
from compliance.facts.wanted import read_by_facts
from compliance.sources.hub import HubSource
from compliance.sources.hub_errors import RetryPolicy, map_error, redact, with_retries

pytestmark = pytest.mark.hub

MARKER = "hf_TOKENMARKERdoNotLeak0123456789"
REV = r"GET /api/models/[^ ]*/revision/"
TREE = r"GET /api/models/[^ ]*/tree/"

_n = itertools.count()


@pytest.fixture
def repo(olah) -> str:
    rid = f"fault-org/model-{next(_n)}"
    st = safetensors_bytes({"w": ("F32", (256, 64))})
    make_repo(
        olah.mirrors,
        rid,
        {"README.md": "---\nlicense: apache-2.0\n---\n", "config.json": json.dumps({})},
        lfs={"model.safetensors": st},
    )
    return rid


def _open(proxy, tmp_path: Path, rid: str, **kw: object) -> HubSource:
    s = settings_for(proxy.url, tmp_path / "hf", token=MARKER, **kw)
    return HubSource.open(rid, settings=s, wanted=read_by_facts)


def _fails(exc_type: type[SourceError], proxy, tmp_path, rid, **kw) -> str:
    with pytest.raises(exc_type) as info:
        _open(proxy, tmp_path, rid, **kw)
    message = str(info.value)
    assert "\n" not in message and MARKER not in message and "Traceback" not in message
    assert message.startswith(rid)
    return message


def _hits(proxy, pattern: str) -> int:
    import re

    return sum(1 for e in proxy.log if re.search(pattern, f"{e.method} {e.path}"))


def test_429_retry_after_is_honoured_then_succeeds(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(REV, status=429, headers={"Retry-After": "0"}, times=2))
    src = _open(proxy, tmp_path, repo)
    assert src.commit and _hits(proxy, REV) == 3
    # the token was sent to the server...
    assert any(h.get("authorization") == f"Bearer {MARKER}" for h in proxy.seen_headers)


def test_429_persisting_gives_up_after_bounded_retries(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(REV, status=429, headers={"Retry-After": "0"}))
    msg = _fails(NetworkError, proxy, tmp_path, repo)
    assert "rate limited (HTTP 429) after 3 attempts" in msg
    assert _hits(proxy, REV) == 3


def test_429_with_a_long_retry_after_fails_fast(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(REV, status=429, headers={"Retry-After": "3600"}))
    msg = _fails(NetworkError, proxy, tmp_path, repo)
    assert "retry after 3600s" in msg and _hits(proxy, REV) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx(proxy, tmp_path, repo, status: int) -> None:
    proxy.add(Fault(REV, status=status))
    msg = _fails(NetworkError, proxy, tmp_path, repo)
    assert f"server error (HTTP {status}) after 3 attempts" in msg
    assert _hits(proxy, REV) == 3  # bounded


def test_transient_5xx_is_retried(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(REV, status=503, times=1))
    # the tree listing backs off inside huggingface_hub (1 s here), not twice
    proxy.add(Fault(TREE, status=502, times=1))
    assert _open(proxy, tmp_path, repo).commit
    assert _hits(proxy, REV) == 2


def test_timeout(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(REV, kind="delay", delay=2.0))
    msg = _fails(NetworkError, proxy, tmp_path, repo, timeout=0.3, policy=RetryPolicy(retries=0))
    assert "timed out" in msg


def test_truncated_repo_info(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(REV, kind="truncate"))
    msg = _fails(NetworkError, proxy, tmp_path, repo)
    assert "truncated" in msg


def test_truncated_weight_header_read(proxy, tmp_path, repo) -> None:
    # Against olah (which ignores Range) half of the whole file is still more
    # than the header: let the proxy answer ranges the way the Hub does.
    proxy.honour_range = True
    src = _open(proxy, tmp_path, repo)
    proxy.add(Fault(r"GET /fault-org/[^ ]*/resolve/[^ ]*model\.safetensors", kind="truncate"))
    with pytest.raises(NetworkError, match=r"model\.safetensors: .*truncated"):
        src.read_range("model.safetensors", 0, 8)


def test_connection_refused(tmp_path, repo) -> None:
    s = settings_for(f"http://127.0.0.1:{free_port()}", tmp_path / "hf", token=MARKER)
    with pytest.raises(NetworkError, match=r"cannot connect to 127\.0\.0\.1:\d+ after 3 attempts"):
        HubSource.open(repo, settings=s, wanted=read_by_facts)


@pytest.mark.parametrize("status", [401, 403])
def test_unauthorised_is_gated(proxy, tmp_path, repo, status: int) -> None:
    proxy.add(Fault(REV, status=status))
    msg = _fails(GatedRepoError, proxy, tmp_path, repo)
    assert "set HF_TOKEN or accept the licence on the Hub" in msg


def test_gated_file_download(proxy, tmp_path, repo) -> None:
    proxy.add(Fault(r"/resolve/", status=403, headers={"X-Error-Code": "GatedRepo"}))
    msg = _fails(GatedRepoError, proxy, tmp_path, repo)
    assert "gated or private" in msg and "set HF_TOKEN" in msg


def test_missing_repo_is_not_gated(proxy, tmp_path) -> None:
    msg = _fails(RepoNotFoundError, proxy, tmp_path, "fault-org/does-not-exist")
    assert "repository not found" in msg


def test_retry_after_header_drives_the_wait() -> None:
    from huggingface_hub.utils import httpx

    request = httpx.Request("GET", "http://hub.invalid/api/models/a/b/revision/main")
    response = httpx.Response(429, headers={"Retry-After": "7"}, request=request)
    calls: list[int] = []
    waits: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.HTTPStatusError("429", request=request, response=response)
        return "ok"

    policy = RetryPolicy(retries=2, base_wait=0.01, max_wait=30.0)
    assert with_retries(flaky, what="a/b", policy=policy, sleep=waits.append) == "ok"
    assert waits == [7.0, 7.0]


def test_backoff_is_exponential_and_bounded() -> None:
    from huggingface_hub.utils import httpx

    waits: list[float] = []

    def down() -> None:
        raise httpx.ConnectTimeout("slow")

    policy = RetryPolicy(retries=4, base_wait=1.0, max_wait=3.0)
    with pytest.raises(NetworkError, match="^a/b: timed out after 5 attempts$"):
        with_retries(down, what="a/b", policy=policy, sleep=waits.append)
    assert waits == [1.0, 2.0, 3.0, 3.0]


def test_redaction() -> None:
    assert MARKER not in redact(f"GET with Authorization: Bearer {MARKER}", MARKER)
    assert "hf_" not in redact("token hf_abcdefghijkl in text")
    err = map_error(RuntimeError(MARKER), what=f"x {MARKER}", token=MARKER)
    assert MARKER not in str(err)
