"""One progress line on stderr, redrawn in place, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, *, every: float = 0.5) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self.start = time.monotonic()
        self._last = 0.0
        self.listed = 0
        self.listing_done = False

    def update(self, done: int, errors: int, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        elapsed = max(1e-6, now - self.start)
        rate = done / elapsed * 60
        total = f"/{self.listed}" if self.listing_done else f" (listed {self.listed})"
        eta = ""
        if self.listing_done and done and self.listed > done:
            eta = f", ETA {_clock((self.listed - done) / (done / elapsed))}"
        line = f"scan: {done}{total} repos, {rate:.0f}/min, {errors} could not be audited{eta}"
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"
