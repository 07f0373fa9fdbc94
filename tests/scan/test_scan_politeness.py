"""One rate limiter for every worker; 429 Retry-After pauses them all; failures retried."""

from __future__ import annotations

import threading

import pytest
from faultproxy import Fault

from compliance.errors import GatedRepoError, NetworkError, RepoNotFoundError
from compliance.scan.http import PoliteClient, Retry
from compliance.scan.limiter import RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_bucket_spaces_requests_at_the_rate():
    t = FakeTime()
    limiter = RateLimiter(4.0, burst=1, clock=t.clock, sleep=t.sleep)
    for _ in range(9):
        limiter.acquire()
    assert t.now == pytest.approx(100.0 + 8 * 0.25)


def test_a_pause_holds_every_caller():
    t = FakeTime()
    limiter = RateLimiter(0, clock=t.clock, sleep=t.sleep)
    limiter.pause(30)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(5)
    assert t.now >= 130.0
    assert limiter.waited >= 30.0


def test_429_retry_after_pauses_the_shared_limiter(hub):
    t = FakeTime()
    limiter = RateLimiter(0, clock=t.clock, sleep=t.sleep)
    repo = hub.ids({"compliant"}, limit=1)[0]
    hub.proxy.add(
        Fault(f"/api/models/{repo}/revision", status=429, headers={"Retry-After": "7"}, times=1)
    )
    client = PoliteClient(hub.url, limiter=limiter, retry=Retry(3, 0.01, 60))
    answer = client.get(f"/api/models/{repo}/revision/main", what=repo)
    client.close()
    assert answer.status == 200
    assert t.slept == [7.0]  # the pause every worker honours, not a private sleep


def test_a_retry_after_longer_than_the_cap_fails_the_repo(hub):
    repo = hub.ids({"compliant"}, limit=1)[0]
    hub.proxy.add(
        Fault(f"/api/models/{repo}/revision", status=429, headers={"Retry-After": "3600"})
    )
    client = PoliteClient(hub.url, retry=Retry(3, 0.01, 60))
    with pytest.raises(NetworkError, match=r"rate limited \(HTTP 429\).*3600s"):
        client.get(f"/api/models/{repo}/revision/main", what=repo)
    client.close()


def test_5xx_is_retried_with_backoff_then_reported(hub):
    repo = hub.ids({"compliant"}, limit=1)[0]
    hub.proxy.add(Fault(f"/api/models/{repo}/revision", status=502))
    slept: list[float] = []
    client = PoliteClient(hub.url, retry=Retry(3, 0.5, 60), sleep=slept.append)
    with pytest.raises(NetworkError, match=r"HTTP 502\) after 4 attempts"):
        client.get(f"/api/models/{repo}/revision/main", what=repo)
    client.close()
    assert slept == [0.5, 1.0, 2.0]


def test_gated_and_missing_are_told_apart(hub):
    client = PoliteClient(hub.url, retry=Retry(0))
    gated = hub.ids({"gated"}, limit=1)[0]
    with pytest.raises(GatedRepoError, match="HTTP 403"):
        client.get(f"/{gated}/resolve/main/README.md", what=gated)
    with pytest.raises(RepoNotFoundError, match="not found"):
        client.get("/api/models/fam/no-such-repo/revision/main", what="fam/no-such-repo")
    client.close()


def test_a_body_is_never_read_past_the_limit(hub):
    repo = hub.ids({"compliant"}, limit=1)[0]
    client = PoliteClient(hub.url)
    answer = client.get(f"/{repo}/resolve/main/LICENSE", what=repo, limit=10)
    client.close()
    assert len(answer.body) == 10


class Board:
    def __init__(self) -> None:
        self.until = 0.0

    def publish(self, until: float) -> None:
        self.until = max(self.until, until)

    def read(self) -> float:
        return self.until


def test_a_pause_crosses_processes_through_the_board():
    board = Board()
    told, other = FakeTime(), FakeTime()
    a = RateLimiter(0, clock=told.clock, sleep=told.sleep, board=board)
    b = RateLimiter(0, clock=other.clock, sleep=other.sleep, board=board)
    a.pause(30)
    b.acquire()
    assert sum(other.slept) == pytest.approx(30, abs=1)
