"""The pause board of a Dask scan: one `distributed.Variable` every worker process reads.

A 429 seen by any worker process pauses them all (limiter.PauseBoard). The value is a
wall-clock time, so the machines' clocks are assumed to agree to within a second or so.
"""

from __future__ import annotations

from typing import Any, cast

BOARD_TIMEOUT = "2s"


class DaskPauseBoard:
    def __init__(self, name: str, client: Any = None) -> None:
        from distributed import Variable

        self._var: Any = cast(Any, Variable)(name, client)

    def clear(self) -> None:
        """Set before the first task: a Variable never set makes every read wait."""
        self._var.set(0.0)

    def publish(self, until: float) -> None:
        if until > self.read():
            self._var.set(until)

    def read(self) -> float:
        try:
            return float(self._var.get(timeout=BOARD_TIMEOUT))
        except Exception:  # not set yet, or the scheduler is busy: no shared pause known
            return 0.0
