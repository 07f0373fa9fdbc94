"""Run a snippet in a fresh interpreter under a wall-clock bound (regression tests for
patterns that used to backtrack quadratically: a hang must fail the test, not the run)."""

from __future__ import annotations

import subprocess
import sys


def runs_within(code: str, seconds: float = 20.0) -> bool:
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, timeout=seconds, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return True
