"""Bounded byte-range reads over HTTP.

`read_ranges(url, [(start, length), ...], headers)` returns exactly the bytes
asked for (fewer at end of file) and never reads past the end of the last range
it needs, even when the server ignores `Range` and answers 200 with the whole
file (some mirrors do, e.g. olah for mirrored repos): the body is streamed and
the connection is dropped as soon as enough bytes have arrived.

Nearby ranges are coalesced into one request (`max_gap`), every request and
every byte received is counted (`ByteCounter`, which also records whether the
server honours `Range`, so callers can batch their reads when it does not), and
transient failures are retried under a `RetryPolicy`. Request headers (which
carry the token) are never logged and never appear in an error message.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from compliance.errors import NetworkError
from compliance.sources.hub_errors import RetryPolicy, map_error, with_retries

_CHUNK = 16 << 10


@dataclass
class ByteCounter:
    """Requests made and body bytes received (thread-safe).

    `range_ignored` says how the server answered ranged requests: None until one was
    answered, False after a 206, True once a ranged request got 200 (the whole file from
    byte 0). True is sticky: one such answer is enough to know reads are expensive."""

    requests: int = 0
    bytes: int = 0
    per_url: dict[str, int] = field(default_factory=dict)
    range_ignored: bool | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, url: str, n: int, *, request: bool = False) -> None:
        with self._lock:
            if request:
                self.requests += 1
            self.bytes += n
            self.per_url[url] = self.per_url.get(url, 0) + n

    def note_range(self, honoured: bool) -> None:
        """Record how a ranged request was answered (206: honoured; 200: ignored)."""
        with self._lock:
            if not honoured:
                self.range_ignored = True
            elif self.range_ignored is None:
                self.range_ignored = False


@dataclass(frozen=True, order=True)
class _Span:
    start: int
    end: int  # exclusive


def coalesce(ranges: Sequence[tuple[int, int]], max_gap: int) -> list[_Span]:
    """Merge ranges whose gap is at most `max_gap` bytes; empty ranges are dropped."""
    spans = sorted(_Span(s, s + n) for s, n in ranges if n > 0)
    out: list[_Span] = []
    for sp in spans:
        if out and sp.start <= out[-1].end + max_gap:
            last = out[-1]
            out[-1] = _Span(last.start, max(last.end, sp.end))
        else:
            out.append(sp)
    return out


def _where(url: str) -> str:
    """The URL without query string (signed CDN URLs carry credentials there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def read_ranges(
    url: str,
    ranges: Sequence[tuple[int, int]],
    headers: Mapping[str, str] | None = None,
    *,
    counter: ByteCounter | None = None,
    timeout: float = 10.0,
    policy: RetryPolicy | None = None,
    max_gap: int = 64 << 10,
    what: str | None = None,
    client: object | None = None,
    sleep: Callable[[float], None] | None = None,
) -> list[bytes]:
    """The bytes of each `(start, length)` range of `url`, in the order given.

    A range past the end of the file comes back short (or empty). Raises a
    `compliance.errors.SourceError` subclass (mapped from the HTTP failure) with
    a one-line message naming `what` (default: the URL path).
    """
    for start, length in ranges:
        if start < 0 or length < 0:
            raise ValueError(f"bad range ({start}, {length})")
    label = what or _where(url)
    policy = policy or RetryPolicy()
    token = _token_of(headers)
    kwargs = {} if sleep is None else {"sleep": sleep}
    got: dict[_Span, bytes] = {}
    spans = coalesce(ranges, max_gap)
    i = 0
    while i < len(spans):
        parts = with_retries(
            functools.partial(
                _fetch_from, url, spans[i:], headers or {}, counter, timeout, client, label
            ),
            what=label,
            policy=policy,
            token=token,
            **kwargs,
        )
        for span, data in zip(spans[i:], parts, strict=False):  # parts may be fewer
            got[span] = data
        i += len(parts)
    out: list[bytes] = []
    for start, length in ranges:
        if length == 0:
            out.append(b"")
            continue
        for span, data in got.items():
            if span.start <= start < span.end:
                off = start - span.start
                out.append(data[off : off + length])
                break
        else:  # pragma: no cover - every non-empty range lies in some span
            out.append(b"")
    return out


def read_range(
    url: str, start: int, length: int, headers: Mapping[str, str] | None = None, **kw: object
) -> bytes:
    """One range; see `read_ranges`."""
    return read_ranges(url, [(start, length)], headers, **kw)[0]  # type: ignore[arg-type]


def _token_of(headers: Mapping[str, str] | None) -> str | None:
    for k, v in (headers or {}).items():
        if k.lower() == "authorization":
            return v.split(" ", 1)[-1]
    return None


class _Truncated(NetworkError):
    retryable = True


def _fetch_from(
    url: str,
    spans: Sequence[_Span],
    headers: Mapping[str, str],
    counter: ByteCounter | None,
    timeout: float,
    client: object | None,
    label: str,
) -> list[bytes]:
    """Fetch `spans[0]`, asking for it with `Range`.

    A server that honours `Range` (206) gives that one span. A server that
    ignores it (200, the whole file from byte 0) gives every later span too,
    from the same stream, in one pass: without that, n ranges from such a
    server would cost n downloads from the start of the file. Either way the
    stream is dropped once the last wanted byte has arrived.
    """
    from huggingface_hub.utils import get_session, httpx

    session = client if client is not None else get_session()
    first = spans[0]
    # identity: a compressed body would make byte offsets meaningless
    req_headers = {
        **headers,
        "Range": f"bytes={first.start}-{first.end - 1}",
        "Accept-Encoding": "identity",
    }
    with session.stream("GET", url, headers=req_headers, timeout=timeout) as response:  # type: ignore[attr-defined]
        if counter is not None:
            counter.add(label, 0, request=True)
        status = response.status_code
        if status == 416:  # the whole span is past the end of the file
            return [b""]
        if status >= 400:
            response.read()
            try:
                response.raise_for_status()
            except httpx.HTTPStatusError as e:
                raise e from None
        if counter is not None and status in (200, 206):
            counter.note_range(status == 206)
        if status == 206:
            pos = first.start - _content_range_start(
                response.headers.get("content-range"), first.start
            )
            total = _content_range_total(response.headers.get("content-range"))
            wanted = [first]
        else:  # 200: the server ignored Range and sends the file from byte 0
            pos = 0
            total = _int(response.headers.get("content-length"))
            wanted = list(spans)
        out = [bytearray() for _ in wanted]
        i = 0
        for chunk in response.iter_bytes(_CHUNK):
            if counter is not None:
                counter.add(label, len(chunk))
            c_start, c_end = pos, pos + len(chunk)
            pos = c_end
            while i < len(wanted):
                sp = wanted[i]
                lo, hi = max(sp.start, c_start), min(sp.end, c_end)
                if lo < hi:
                    out[i] += chunk[lo - c_start : hi - c_start]
                if sp.end <= c_end:
                    i += 1  # this span is complete; the chunk may hold the next one too
                else:
                    break
            if i == len(wanted):
                break  # enough: leaving the block closes the stream mid-body
    # Without a known total (a chunked 200), a normal end of stream is end of
    # file; a broken one raises RemoteProtocolError inside iter_bytes instead.
    result = [bytes(b) for b in out]
    if total is not None:
        for sp, data in zip(wanted, result, strict=True):
            expected = max(0, min(sp.end, total) - sp.start)
            if len(data) < expected:
                raise _Truncated(f"{label}: truncated response ({len(data)} of {expected} bytes)")
    return result


def _content_range_start(value: str | None, default: int) -> int:
    """Bytes to skip when a 206 starts earlier than asked (never negative)."""
    if not value or not value.startswith("bytes "):
        return 0
    try:
        first = int(value[6:].split("-", 1)[0])
    except ValueError:
        return 0
    return max(0, default - first)


def _content_range_total(value: str | None) -> int | None:
    if not value or "/" not in value:
        return None
    return _int(value.rsplit("/", 1)[1])


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


__all__ = ["ByteCounter", "coalesce", "map_error", "read_range", "read_ranges"]
