"""A small HTTP proxy in front of a Hub-compatible server (olah), for tests and benchmarks.

It forwards every request to `upstream` and can, per request path, inject a fault:

- `Fault(match, status=429, headers={"Retry-After": "0"}, times=1)`: answer with a status
  (429, 5xx, 401, 403...) instead of forwarding;
- `Fault(match, kind="delay", delay=3)`: wait before answering (client-side timeouts);
- `Fault(match, kind="truncate")`: announce the full Content-Length, send half, hang up;
- `Fault(match, kind="close")`: close the connection without answering;
- `Fault(match, kind="drip", delay=0.5)`: forward, then send the body one byte every
  `delay` seconds (a server that is slow but never silent long enough for a read
  timeout); it gives up after `max_seconds` or when the client hangs up;
- `Fault(match, kind="endless")`: answer a tree listing with an empty page and a
  `Link: rel="next"` to yet another page, every time;
- `Fault(match, kind="listing", entries=1000, pages=3)`: answer a tree listing with
  `pages` synthetic pages of `entries` files each (a huge repo), linked by rel="next".

Every fault is bounded in count (`times`) and time (`max_seconds`), and the proxy
listens on loopback only.

It counts requests and body bytes sent (`requests`, `bytes`, `log`), keeps the request
headers it saw (`seen_headers`, to check a token was *sent*), and with
`honour_range=True` answers `Range` requests with 206 slices the way the Hub does
(olah streams whole files from its git mirrors and ignores `Range`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


@dataclass
class Fault:
    match: str  # regex searched in "METHOD /path?query"
    kind: str = "status"  # status | delay | truncate | close
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = None  # None: every matching request
    hits: int = 0
    max_seconds: float = 30.0  # drip: never longer than this
    entries: int = 1000  # listing: files per page
    pages: int = 1  # listing: pages in all


@dataclass
class Entry:
    method: str
    path: str
    status: int
    bytes: int


class FaultProxy:
    def __init__(self, upstream: str, *, honour_range: bool = False) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.honour_range = honour_range
        self.faults: list[Fault] = []
        self.log: list[Entry] = []
        self.seen_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                proxy._handle(self)

            do_HEAD = do_GET
            do_POST = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # ------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.log.clear()
            self.seen_headers.clear()

    @property
    def requests(self) -> int:
        return len(self.log)

    @property
    def bytes(self) -> int:
        return sum(e.bytes for e in self.log)

    # ------------------------------------------------------------ serving

    def _fault_for(self, line: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if re.search(f.match, line) and (f.times is None or f.hits < f.times):
                    f.hits += 1
                    return f
        return None

    def _record(self, method: str, path: str, status: int, n: int) -> None:
        with self._lock:
            self.log.append(Entry(method, path, status, n))

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        method, path = h.command, h.path
        with self._lock:
            self.seen_headers.append({k.lower(): v for k, v in h.headers.items()})
        length = int(h.headers.get("Content-Length") or 0)
        body_in = h.rfile.read(length) if length else None
        fault = self._fault_for(f"{method} {path}")
        if fault is not None and fault.kind == "close":
            self._record(method, path, 0, 0)
            h.close_connection = True
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
        if fault is not None and fault.kind in ("endless", "listing"):
            self._listing(h, method, path, fault)
            return
        if fault is not None and fault.kind == "status":
            payload = b'{"error": "injected fault"}'
            # Recorded before the response goes out: a client may act on the response
            # (and a test read the log) before this thread gets to run again.
            self._record(method, path, fault.status, 0 if method == "HEAD" else len(payload))
            h.send_response(fault.status)
            for k, v in fault.headers.items():
                h.send_header(k, v)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            h.send_header("Connection", "close")
            h.end_headers()
            if method != "HEAD":
                h.wfile.write(payload)
            h.close_connection = True
            return
        status, headers, body = self._forward(method, path, h.headers, body_in)
        if self.honour_range and method == "GET" and status == 200:
            status, headers, body = _apply_range(h.headers.get("Range"), headers, body)
        declared = len(body)  # a truncated body still announces its full length
        if method == "HEAD":
            body = b""
        elif fault is not None and fault.kind == "truncate":
            body = body[: max(1, len(body) // 2)]
        self._record(method, path, status, len(body))  # before the client can see it (above)
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        if method != "HEAD":
            h.send_header("Content-Length", str(declared))
        h.send_header("Connection", "close")
        h.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if body and fault is not None and fault.kind == "drip":
                _drip(h, body, fault.delay, fault.max_seconds)
            elif body:
                h.wfile.write(body)
        h.close_connection = True

    def _listing(self, h: BaseHTTPRequestHandler, method: str, path: str, fault: Fault) -> None:
        """One synthetic page of a tree listing, linked to the next one."""
        m = re.search(r"[?&]cursor=(\d+)", path)
        page = int(m.group(1)) if m else 0
        if fault.kind == "endless":
            items: list[dict[str, object]] = []
            more = True
        else:
            first = page * fault.entries
            items = [
                {"type": "file", "oid": f"{i:040x}", "size": 1, "path": f"f/{i:08}.txt"}
                for i in range(first, first + fault.entries)
            ]
            more = page + 1 < fault.pages
        payload = json.dumps(items).encode()
        self._record(method, path, 200, len(payload))
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        if more:
            base = path.split("?", 1)[0]
            query = re.sub(r"&?cursor=\d+", "", path.split("?", 1)[1] if "?" in path else "")
            sep = "&" if query else ""
            h.send_header("Link", f'<{self.url}{base}?{query}{sep}cursor={page + 1}>; rel="next"')
        h.send_header("Connection", "close")
        h.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            h.wfile.write(payload)
        h.close_connection = True

    def _forward(
        self, method: str, path: str, headers: object, body: bytes | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        try:
            out = {k: v for k, v in headers.items() if k.lower() not in _HOP}  # type: ignore[attr-defined]
            conn.request(method, path, body=body, headers=out)
            resp = conn.getresponse()
            data = resp.read() if method != "HEAD" else b""
            fwd = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP]
            if method == "HEAD":
                # a HEAD's Content-Length is the file size (huggingface_hub reads it)
                fwd.append(("Content-Length", resp.getheader("content-length") or "0"))
            return resp.status, fwd, data
        finally:
            conn.close()


def _drip(h: BaseHTTPRequestHandler, body: bytes, every: float, max_seconds: float) -> None:
    """Send `body` a byte at a time, `every` seconds apart, for at most `max_seconds`."""
    ends = time.monotonic() + max_seconds
    for i in range(len(body)):
        if time.monotonic() > ends:
            return
        h.wfile.write(body[i : i + 1])
        h.wfile.flush()
        time.sleep(every)


def _apply_range(
    value: str | None, headers: list[tuple[str, str]], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    m = re.fullmatch(r"bytes=(\d+)-(\d*)", (value or "").strip())
    if not m:
        return 200, headers, body
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else len(body) - 1
    if start >= len(body):
        return 416, [("Content-Range", f"bytes */{len(body)}")], b""
    end = min(end, len(body) - 1)
    headers = [*headers, ("Content-Range", f"bytes {start}-{end}/{len(body)}")]
    return 206, headers, body[start : end + 1]
