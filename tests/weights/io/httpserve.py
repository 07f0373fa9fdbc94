"""A tiny loopback HTTP file server for tests: honours a single Range, or ignores it."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


def _handler(root: Path, honour_range: bool, log: list[tuple[str, str | None, int]]):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else keep-alive + delayed ACK stall ~40 ms a request

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            path = (root / self.path.lstrip("/")).resolve()
            if root not in path.parents or not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            size = path.stat().st_size
            rng = self.headers.get("Range")
            m = _RANGE.match(rng or "")
            if honour_range and m:
                start = int(m.group(1))
                end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            else:
                start, end = 0, size - 1
                self.send_response(200)
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            sent = 0
            with open(path, "rb") as fh, contextlib.suppress(BrokenPipeError,
                                                            ConnectionResetError):
                fh.seek(start)
                while sent < end - start + 1:  # the client may hang up mid-body
                    chunk = fh.read(min(8192, end - start + 1 - sent))
                    self.wfile.write(chunk)
                    sent += len(chunk)
            log.append((self.path, rng, sent))

    return Handler


@contextlib.contextmanager
def serve(root: Path, honour_range: bool = True) -> Iterator[tuple[str, list]]:
    log: list[tuple[str, str | None, int]] = []
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(Path(root).resolve(), honour_range, log)
    )
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
