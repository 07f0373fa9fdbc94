"""Environment variables that would break the run at import time, checked up front.

huggingface_hub parses `HF_HUB_ETAG_TIMEOUT` and `HF_HUB_DOWNLOAD_TIMEOUT` with
`int()` when it is imported, so `2.5`, `nan` or `inf` there ends in a traceback deep
inside an import. Checking them first gives one line naming the variable (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from compliance.errors import ConfigError

WHOLE_SECONDS = ("HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT")


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Raise ConfigError naming the first variable huggingface_hub could not parse."""
    env = os.environ if environ is None else environ
    for name in WHOLE_SECONDS:
        raw = env.get(name)
        if raw is None:
            continue
        try:
            ok = int(raw) > 0
        except ValueError:
            ok = False
        if not ok:
            shown = raw if len(raw) <= 40 else raw[:39] + "…"
            raise ConfigError(f"{name}={shown!r}: expected a whole number of seconds, above 0")
