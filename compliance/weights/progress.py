"""Progress of long weight work (fingerprinting, remote reads, comparisons) on stderr.

One line, rewritten in place at most every quarter second: what is being done, items
done of the total, bytes read when known, and an ETA from the items' pace. Only when
stderr is a terminal: piped or redirected output (CI, reports, tests) stays silent.
Imported lazily by the weight commands only; the audit path never loads it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

INTERVAL = 0.25  # seconds between redraws


class Progress:
    """`with Progress("fingerprint org/model", total=579, read=lambda: view.bytes_read) as p:
    ... p.advance()` draws "fingerprint org/model: 120/579 tensors, 52.1 MB read, ETA 9 s"."""

    def __init__(
        self,
        what: str,
        total: int,
        unit: str = "tensors",
        read: Callable[[], int] | None = None,
        stream: IO[str] | None = None,
    ) -> None:
        self.what = what
        self.total = max(int(total), 0)
        self.unit = unit
        self.done = 0
        self._read = read
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self._stream)
        self._start = time.monotonic()
        self._last = 0.0
        self._width = 0

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done += n
        self._draw(note=note)

    def close(self) -> None:
        if self.enabled and self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0

    def line(self, note: str = "") -> str:
        parts = [f"{self.what}: {self.done}/{self.total} {self.unit}"]
        if self._read is not None:
            parts.append(f"{_size(self._read())} read")
        elapsed = time.monotonic() - self._start
        if 0 < self.done < self.total and elapsed > 0:
            parts.append(f"ETA {_duration(elapsed * (self.total - self.done) / self.done)}")
        if note:
            parts.append(note)
        return ", ".join(parts)

    def _draw(self, force: bool = False, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < INTERVAL and self.done < self.total:
            return
        self._last = now
        # a label is a path or repo id: no control characters reach the terminal
        text = "".join(c if c.isprintable() else "?" for c in self.line(note)[:200])
        pad = max(self._width - len(text), 0)
        self._width = len(text)
        self._write("\r" + text + " " * pad)

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # a closed terminal must not fail the work
            self.enabled = False


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"
