"""The report's input identities (each weight file hashed whole), computed on a
background thread while the signals run.

Hashing is reads (pread) and BLAKE3/sha256 updates, which release the GIL, so on a second
core it costs the comparison almost no wall time (~70 ms for two MiniLM-sized models
otherwise). The digests are the same as `compare.file_identities` gives in line; these
reads are not counted in the views' `bytes_read` (the report counts what the signals read).
"""

from __future__ import annotations

import threading
from typing import Any


class BackgroundIdentities:
    """`compare.file_identities` of several views, started at once on one daemon thread;
    `get(view)` waits for that view's answer and re-raises what the hashing raised."""

    def __init__(self, views: list[Any]) -> None:
        self._views = views
        self._done: dict[int, list[dict[str, Any]] | None] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="modelcheck-file-digests",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from compliance.weights.compare import file_identities

        try:
            for view in self._views:
                if id(view) not in self._done:
                    self._done[id(view)] = file_identities(view, counted=False)
        except BaseException as e:  # handed to the caller of get()
            self._error = e

    def get(self, view: Any) -> list[dict[str, Any]] | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._done[id(view)]
