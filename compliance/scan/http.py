"""The scan's HTTP client: every request goes through one shared `RateLimiter`.

429 pauses every worker for `Retry-After` (capped by `max_wait`); 408/5xx, timeouts and
dropped connections are retried with exponential backoff; then the request fails with
a one-line `SourceError` that the worker records as the repo's could-not-audit reason.
401/403 become `GatedRepoError`, 404 `RepoNotFoundError`. Bodies are read as a stream
and never beyond the caller's limit, so a server that ignores `Range` costs no more
than one that honours it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compliance import __version__
from compliance.errors import GatedRepoError, NetworkError, RepoNotFoundError, SourceError
from compliance.scan.limiter import RateLimiter
from compliance.sources.hub_errors import redact, retry_after_seconds

RETRY_STATUSES = frozenset({408, 500, 502, 503, 504})
JSON_CAP = 16 << 20  # a model-info answer lists every file; 16 MiB covers ~100k files


@dataclass
class Tally:
    """Requests and body bytes, for one repo or for a whole scan (thread-safe)."""

    requests: int = 0
    bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, requests: int, nbytes: int) -> None:
        with self._lock:
            self.requests += requests
            self.bytes += nbytes


@dataclass(frozen=True)
class Retry:
    retries: int = 3
    backoff: float = 0.5  # seconds, doubled per attempt
    max_wait: float = 120.0  # a longer Retry-After is not waited for: the request fails


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    next_url: str | None = None  # the `Link: <…>; rel="next"` of a paged answer


class PoliteClient:
    def __init__(
        self,
        endpoint: str,
        *,
        token: str | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = 20.0,
        retry: Retry | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx  # lazy: the CLI path never pays for the network stack

        self.endpoint = endpoint.rstrip("/")
        self.limiter = limiter or RateLimiter(0)
        self.retry = retry or Retry()
        self.total = Tally()
        self._token = token
        self._sleep = sleep
        headers = {"user-agent": f"modelcheck/{__version__} (scan)"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=True
        )

    def close(self) -> None:
        self._http.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.endpoint + path

    def get(
        self,
        path: str,
        *,
        what: str,
        limit: int = JSON_CAP,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        tally: Tally | None = None,
    ) -> Response:
        """GET `path` (or a full URL) with retries; at most `limit` body bytes are read."""
        import httpx

        attempt = 0
        while True:
            self.limiter.acquire()
            try:
                response = self._once(path, limit, params, headers, tally)
            except httpx.TimeoutException:
                failure = "timed out"
            except (httpx.NetworkError, httpx.RemoteProtocolError) as e:
                failure = f"connection failed ({type(e).__name__})"
            else:
                status = response.status
                if status < 400:
                    return response
                if status == 429:
                    asked = retry_after_seconds(response.headers)
                    wait = asked if asked is not None else self._backoff(attempt)
                    if attempt < self.retry.retries and wait <= self.retry.max_wait:
                        self.limiter.pause(wait)
                        attempt += 1
                        continue
                    after = f"; asked to retry after {asked:.0f}s" if asked is not None else ""
                    raise self._error(
                        NetworkError, what, f"rate limited (HTTP 429){after}", attempt
                    )
                if status in RETRY_STATUSES:
                    failure = f"server error (HTTP {status})"
                elif status in (401, 403):
                    code = response.headers.get("x-error-code") or ""
                    if code == "RepoNotFound":  # the Hub's answer for missing *and* private
                        problem = f"not found, or private (HTTP {status})"
                        raise self._error(RepoNotFoundError, what, problem, 0)
                    kind = "gated" if code == "GatedRepo" else "gated or private"
                    raise self._error(GatedRepoError, what, f"{kind} (HTTP {status})", 0)
                elif status == 404:
                    raise self._error(RepoNotFoundError, what, "not found (HTTP 404)", 0)
                else:
                    raise self._error(NetworkError, what, f"unexpected HTTP {status}", 0)
            if attempt >= self.retry.retries:
                raise self._error(NetworkError, what, failure, attempt)
            self._sleep(self._backoff(attempt))
            attempt += 1

    def _once(
        self,
        path: str,
        limit: int,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        tally: Tally | None,
    ) -> Response:
        received = 0
        chunks: list[bytes] = []
        try:
            with self._http.stream("GET", self.url(path), params=params, headers=headers) as r:
                if r.status_code < 400:
                    for chunk in r.iter_bytes():
                        take = chunk[: max(0, limit - received)]
                        chunks.append(take)
                        received += len(chunk)
                        if received >= limit:
                            break  # the rest is never read: closing drops the connection
                next_link = r.links.get("next", {}).get("url")
                headers = {k.lower(): v for k, v in r.headers.items()}
                return Response(r.status_code, headers, b"".join(chunks), next_link)
        finally:
            self.total.add(1, received)
            if tally is not None:
                tally.add(1, received)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.retry.max_wait, self.retry.backoff * 2.0**attempt))

    def _error(self, kind: type[SourceError], what: str, problem: str, retried: int) -> SourceError:
        tries = f" after {retried + 1} attempts" if retried else ""
        return kind(redact(f"{what}: {problem}{tries}", self._token))
