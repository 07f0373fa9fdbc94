"""One request budget for every worker of a process: a token bucket plus a global pause.

A 429 with `Retry-After` pauses *every* worker sharing the limiter, not only the one
that was told: the Hub's limit is per client, so one worker backing off alone would
let the others keep hitting it. Across processes (a Dask cluster) a `PauseBoard`
carries the pause: a 429 seen by one process is published there, and every process
reads the board at most once per `BOARD_EVERY` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

BOARD_EVERY = 0.5  # seconds between two reads of a shared pause board


class PauseBoard(Protocol):
    """A pause shared between processes, as a wall-clock time (`time.time()`)."""

    def publish(self, until: float) -> None: ...

    def read(self) -> float: ...


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        board: PauseBoard | None = None,
    ) -> None:
        """`rate` requests per second (0 or less: unlimited), up to `burst` at once."""
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._stamp = clock()
        self._paused_until = 0.0
        self.waited = 0.0  # seconds spent waiting, for the benchmark and the progress line
        self._board = board
        self._board_read = -BOARD_EVERY
        self._board_lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        """No request from any worker for `seconds` (a 429's Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))
        if self._board is not None:
            self._board.publish(time.time() + max(0.0, seconds))

    def _read_board(self) -> None:
        if self._board is None or not self._board_lock.acquire(blocking=False):
            return
        try:
            now = self._clock()
            if now - self._board_read < BOARD_EVERY:
                return
            self._board_read = now
            left = self._board.read() - time.time()
            if left > 0:
                with self._lock:
                    self._paused_until = max(self._paused_until, now + left)
        finally:
            self._board_lock.release()

    def acquire(self) -> None:
        """Block until one request may go out."""
        self._read_board()
        while True:
            with self._lock:
                now = self._clock()
                wait = self._paused_until - now
                if wait <= 0 and self.rate <= 0:
                    return
                if wait <= 0:
                    self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return
                    wait = (1 - self._tokens) / self.rate
            self.waited += wait
            self._sleep(wait)
