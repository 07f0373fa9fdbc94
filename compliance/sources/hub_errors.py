"""Map huggingface_hub / httpx failures to `compliance.errors`, and the retry policy.

Every message built here is one line that names the repo and the problem. It is
assembled from the status code, the repo id and a URL path; never from the
library's own message (which can carry request headers in debug mode), and it
is passed through `redact` so a token can never leak into output.

huggingface_hub is imported lazily, inside functions: a local audit must not
pay for (or depend on) the Hub network stack.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from compliance.errors import (
    GatedRepoError,
    NetworkError,
    OfflineError,
    RepoNotFoundError,
    SourceError,
)

T = TypeVar("T")

TOKEN_HINT = "set HF_TOKEN or accept the licence on the Hub"
RETRY_STATUSES = (408, 429, 500, 502, 503, 504)
MAX_RETRIES = 10  # MODELCHECK_HUB_RETRIES above this is capped

# Anything that looks like a Hub token or an Authorization value.
_SECRET_PATTERNS = (
    re.compile(r"hf_[A-Za-z0-9]{6,}"),
    re.compile(r"(?i)(bearer\s+)[^\s'\"]+"),
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
)


def redact(text: str, token: str | None = None) -> str:
    """`text` with the token (and anything token-shaped) replaced by `***`."""
    if token:
        text = text.replace(token, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff; `Retry-After` is honoured up to `max_wait`."""

    retries: int = 3  # retries after the first attempt
    base_wait: float = 0.5  # seconds before the first retry, doubled each time
    max_wait: float = 30.0  # a longer Retry-After is not waited for: we fail fast instead

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetryPolicy:
        """`MODELCHECK_HUB_RETRIES` / `MODELCHECK_HUB_BACKOFF` override the defaults."""
        env = os.environ if environ is None else environ
        retries = env_number(env, "MODELCHECK_HUB_RETRIES", cls.retries, int)
        base = env_number(env, "MODELCHECK_HUB_BACKOFF", cls.base_wait, float)
        # capped: 10**6 retries would overflow the backoff and never end
        return cls(
            retries=min(MAX_RETRIES, max(0, int(retries))),
            base_wait=min(cls.max_wait, max(0.0, float(base))),
        )


def env_number(
    env: Mapping[str, str], name: str, default: float, kind: Callable[[str], float]
) -> float:
    """`env[name]` as `kind`; `default` when unset, blank, not a number, nan or inf."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw)
    except ValueError:
        return default
    return value if math.isfinite(value) else default  # nan / inf


def retry_after_seconds(headers: object) -> float | None:
    """Seconds asked for by a `Retry-After` header (delta-seconds or HTTP date)."""
    get = getattr(headers, "get", None)
    value = get("retry-after") if get else None
    if not value:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    import email.utils  # only a 429/503 with a date needs it; a local audit never does

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_and_headers(exc: BaseException) -> tuple[int | None, object]:
    response = getattr(exc, "response", None)
    if response is None:
        return None, {}
    return getattr(response, "status_code", None), getattr(response, "headers", {})


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and its causes: huggingface_hub wraps HTTP errors in cache-fallback errors."""
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out and len(out) < 8:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def is_retryable(exc: BaseException) -> bool:
    from huggingface_hub.utils import httpx

    for e in _chain(exc):
        if isinstance(e, NetworkError) and getattr(e, "retryable", False):
            return True
        status, _ = _status_and_headers(e)
        if status in RETRY_STATUSES:
            return True
        if isinstance(e, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
            return True
    return False


def _wait_for(exc: BaseException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before the next attempt; None = give up now."""
    for e in _chain(exc):
        status, headers = _status_and_headers(e)
        if status == 429:
            asked = retry_after_seconds(headers)
            if asked is not None:
                return asked if asked <= policy.max_wait else None
    return min(policy.max_wait, policy.base_wait * 2.0**attempt)


def with_retries(
    call: Callable[[], T],
    *,
    what: str,
    policy: RetryPolicy,
    token: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying transient failures; raise a mapped `SourceError` otherwise."""
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            if isinstance(exc, SourceError) and not getattr(exc, "retryable", False):
                raise
            if attempt < policy.retries and is_retryable(exc):
                wait = _wait_for(exc, attempt, policy)
                if wait is not None:
                    sleep(wait)
                    attempt += 1
                    continue
            raise map_error(exc, what=what, token=token, attempts=attempt + 1) from None


def map_error(
    exc: BaseException, *, what: str, token: str | None = None, attempts: int = 1
) -> SourceError:
    """One `SourceError` subclass with a one-line message for `exc` while reading `what`."""
    return _map(exc, what, attempts, token)


def _map(exc: BaseException, what: str, attempts: int, token: str | None) -> SourceError:
    from huggingface_hub import errors as hf
    from huggingface_hub.utils import httpx

    tries = f" after {attempts} attempts" if attempts > 1 else ""
    chain = _chain(exc)
    cache_miss = (hf.OfflineModeIsEnabled, hf.RevisionResolutionError, hf.LocalEntryNotFoundError)

    def msg(text: str) -> str:
        return redact(f"{what}: {text}", token)

    for e in chain:
        if isinstance(e, SourceError):
            if getattr(e, "retryable", False):  # a retried internal error: say how often
                return NetworkError(redact(f"{e}{tries}", token))
            return e
        if isinstance(e, hf.GatedRepoError):
            return GatedRepoError(msg(f"gated or private (HTTP {_status(e)}); {TOKEN_HINT}"))
        if isinstance(e, hf.RevisionNotFoundError):
            return RepoNotFoundError(msg("revision not found"))
        if isinstance(e, cache_miss) and _offline_only(chain):
            return OfflineError(msg("not in the Hugging Face cache and HF_HUB_OFFLINE=1"))
        status, headers = _status_and_headers(e)
        if status is not None:
            code = getattr(headers, "get", lambda _k, _d=None: None)("x-error-code")
            if code == "GatedRepo":
                return GatedRepoError(msg(f"gated or private (HTTP {status}); {TOKEN_HINT}"))
            if code == "RepoNotFound" or (
                status == 404 and isinstance(e, hf.RepositoryNotFoundError)
            ):
                return RepoNotFoundError(
                    msg(f"repository not found (HTTP {status}); if it is private, {TOKEN_HINT}")
                )
            if code == "EntryNotFound" or status == 404:
                return RepoNotFoundError(msg(f"not found (HTTP {status})"))
            if status in (401, 403):
                return GatedRepoError(msg(f"gated or private (HTTP {status}); {TOKEN_HINT}"))
            if status == 429:
                asked = retry_after_seconds(headers)
                after = f"; the Hub asks to retry after {asked:.0f}s" if asked is not None else ""
                return NetworkError(msg(f"rate limited (HTTP 429){tries}{after}"))
            if status >= 500:
                return NetworkError(msg(f"server error (HTTP {status}){tries}"))
            return NetworkError(msg(f"unexpected HTTP {status}"))
        if isinstance(e, httpx.TimeoutException):
            return NetworkError(msg(f"timed out{tries}"))
        if isinstance(e, httpx.ConnectError):
            return NetworkError(msg(f"cannot connect to {_host(e)}{tries}"))
        if isinstance(e, httpx.RemoteProtocolError):
            return NetworkError(msg(f"connection closed early: truncated response{tries}"))
        if isinstance(e, httpx.NetworkError):
            return NetworkError(msg(f"network error ({type(e).__name__}){tries}"))
        if isinstance(e, hf.FileMetadataError):  # e.g. redirected to a host that is no Hub
            return NetworkError(
                msg("the answer did not come from a Hub (no X-Repo-Commit header; a redirect?)")
            )
        if isinstance(e, (hf.OfflineModeIsEnabled, hf.LocalEntryNotFoundError)):
            if e is not chain[-1]:
                continue  # the cause (a 500, a redirect...) says more than "unreachable"
            return OfflineError(msg("not in the Hugging Face cache and the Hub is not reachable"))
        if isinstance(e, EnvironmentError) and "consistency check failed" in str(e).lower():
            return NetworkError(msg(f"truncated download (size mismatch){tries}"))
    return NetworkError(msg(f"could not be read from the Hub ({type(exc).__name__})"))


def _host(e: BaseException) -> str:
    """host:port of the failed request (never the path or query: signed URLs)."""
    try:
        url = e.request.url  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return "the Hub endpoint"
    port = f":{url.port}" if url.port else ""
    return f"{url.host}{port}"


def _status(e: BaseException) -> str:
    status, _ = _status_and_headers(e)
    return str(status) if status is not None else "401/403"


def _offline_only(chain: list[BaseException]) -> bool:
    """True when the failure is only "offline / not cached", not a real network error."""
    from huggingface_hub import errors as hf

    for e in chain:
        status, _ = _status_and_headers(e)
        if status is not None:
            return False
        if not isinstance(
            e,
            (
                hf.OfflineModeIsEnabled,
                hf.RevisionResolutionError,
                hf.LocalEntryNotFoundError,
                hf.CachedRepoTreeNotFoundError,
            ),
        ):
            # e.g. an httpx.ConnectError behind a cache miss is a network problem
            return False
    return True
