"""Wall-clock deadlines and fan-out caps for everything modelcheck asks of the Hub.

httpx's timeouts bound each socket read, not a request: a server that drips one
byte a second never trips a 10 s read timeout, and a tree listing that always
answers with another `Link: rel="next"` never ends. So every request made through
huggingface_hub's shared client (and our range reads, which use the same client)
goes through `DeadlineTransport`, which ends the body once the request's deadline
or the audit's deadline has passed, and refuses a listing past its page cap.

| limit | default | environment variable |
| one request (headers + body) | 120 s | MODELCHECK_HUB_REQUEST_DEADLINE |
| one audit (all Hub requests) | 300 s | MODELCHECK_HUB_AUDIT_DEADLINE |
| pages of one file listing | 200 | MODELCHECK_HUB_MAX_TREE_PAGES |
| files kept from a listing | 100,000 | MODELCHECK_HUB_MAX_FILES |
| ancestors read on the Hub | 32 | MODELCHECK_HUB_MAX_ANCESTORS |

A deadline or cap that is reached raises `HubLimitError` (a `NetworkError`): it is
not retried (retrying a request that ran out of time only spends more of it). A URL
that has already stalled (socket timeout) `MAX_STALLS` times in this audit is not asked
again: huggingface_hub's own backoff would otherwise retry a stalled listing five times,
each waiting the full timeout.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from compliance.errors import ConfigError, NetworkError

REQUEST_DEADLINE_ENV = "MODELCHECK_HUB_REQUEST_DEADLINE"
AUDIT_DEADLINE_ENV = "MODELCHECK_HUB_AUDIT_DEADLINE"
MAX_TREE_PAGES_ENV = "MODELCHECK_HUB_MAX_TREE_PAGES"
MAX_FILES_ENV = "MODELCHECK_HUB_MAX_FILES"
MAX_ANCESTORS_ENV = "MODELCHECK_HUB_MAX_ANCESTORS"
MAX_STALLS = 2  # socket timeouts per URL per audit before it is given up


class HubLimitError(NetworkError):
    """A deadline or a cap of this audit was reached; never retried."""

    retryable = False


def _positive(env: Mapping[str, str], name: str, default: float, kind: type) -> Any:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name}={raw[:40]!r}: expected a number above 0")
    return value


@dataclass(frozen=True)
class HubLimits:
    request_deadline: float = 120.0
    audit_deadline: float = 300.0
    max_tree_pages: int = 200
    max_files: int = 100_000
    max_ancestors: int = 32

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubLimits:
        env = os.environ if environ is None else environ
        d = cls()
        return cls(
            request_deadline=_positive(env, REQUEST_DEADLINE_ENV, d.request_deadline, float),
            audit_deadline=_positive(env, AUDIT_DEADLINE_ENV, d.audit_deadline, float),
            max_tree_pages=_positive(env, MAX_TREE_PAGES_ENV, d.max_tree_pages, int),
            max_files=_positive(env, MAX_FILES_ENV, d.max_files, int),
            max_ancestors=_positive(env, MAX_ANCESTORS_ENV, d.max_ancestors, int),
        )


class _Clock:
    """The audit in progress: when it ends, and how many pages each listing took."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.limits = HubLimits()
        self.audit_ends = math.inf
        self.pages: dict[str, int] = {}
        self.stalls: dict[str, int] = {}

    def start(self, limits: HubLimits, started: float) -> None:
        with self.lock:
            self.limits = limits
            self.audit_ends = started + limits.audit_deadline
            self.pages = {}
            self.stalls = {}

    def stalled(self, where: str) -> None:
        with self.lock:
            self.stalls[where] = self.stalls.get(where, 0) + 1

    def stall_count(self, where: str) -> int:
        with self.lock:
            return self.stalls.get(where, 0)


CLOCK = _Clock()


def start_audit(limits: HubLimits, started: float) -> None:
    """Arm the deadlines for the audit that began at `started` (time.monotonic())."""
    CLOCK.start(limits, started)


def _where(request: Any) -> str:
    url = urlsplit(str(request.url))
    return f"{url.netloc}{url.path}"  # never the query: signed URLs carry credentials


def _is_tree_listing(path: str) -> bool:
    return "/api/models/" in path and "/tree/" in path


def _check_page(request: Any) -> None:
    path = urlsplit(str(request.url)).path
    if not _is_tree_listing(path):
        return
    with CLOCK.lock:
        n = CLOCK.pages.get(path, 0) + 1
        CLOCK.pages[path] = n
        cap = CLOCK.limits.max_tree_pages
    if n > cap:
        raise HubLimitError(
            f"{_where(request)}: file listing longer than {cap} pages; "
            f"stopped ({MAX_TREE_PAGES_ENV} raises the cap)"
        )


def _ends_at(request: Any) -> tuple[float, str]:
    now = time.monotonic()
    with CLOCK.lock:
        audit_ends, limits = CLOCK.audit_ends, CLOCK.limits
    request_ends = now + limits.request_deadline
    if audit_ends <= request_ends:
        why = f"the audit's {limits.audit_deadline:g} s deadline ({AUDIT_DEADLINE_ENV})"
        return audit_ends, why
    return request_ends, f"its {limits.request_deadline:g} s deadline ({REQUEST_DEADLINE_ENV})"


def deadline_transport(inner: Any) -> Any:
    """An httpx transport that applies the deadlines and the page cap around `inner`
    (huggingface_hub's own httpx, which is what its shared client is built from)."""
    from huggingface_hub.utils import httpx

    class DeadlineStream(httpx.SyncByteStream):
        """A response body that stops at the deadline, however slowly bytes arrive."""

        def __init__(self, body: Any, ends: float, why: str, where: str) -> None:
            self.body, self.ends, self.why, self.where = body, ends, why, where

        def __iter__(self) -> Iterator[bytes]:
            try:
                for chunk in self.body:
                    if time.monotonic() > self.ends:
                        raise HubLimitError(
                            f"{self.where}: response not complete within {self.why}"
                        )
                    yield chunk
            except httpx.TimeoutException:
                CLOCK.stalled(self.where)
                raise

        def close(self) -> None:
            self.body.close()

    class DeadlineTransport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            ends, why = _ends_at(request)
            where = _where(request)
            left = ends - time.monotonic()
            if left <= 0:
                raise HubLimitError(f"{where}: not sent, past {why}")
            stalls = CLOCK.stall_count(where)
            if stalls >= MAX_STALLS:
                raise HubLimitError(f"{where}: stalled {stalls} times; not asked again")
            _check_page(request)
            # no single socket wait may outlast the deadline either
            timeout = dict(request.extensions.get("timeout") or {})
            for key in ("connect", "read", "write", "pool"):
                value = timeout.get(key)
                timeout[key] = left if value is None else min(value, left)
            request.extensions["timeout"] = timeout
            try:
                response: httpx.Response = inner.handle_request(request)
            except httpx.TimeoutException:
                CLOCK.stalled(where)
                raise
            response.stream = DeadlineStream(response.stream, ends, why, where)
            return response

        def close(self) -> None:
            inner.close()

    return DeadlineTransport()
