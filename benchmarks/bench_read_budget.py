"""Time and peak memory of a local audit of two hostile repos, with the per-audit read
budget (the default) and without it (a budget too large to matter: the baseline, measured
in the same run on the same files).

- `licences`: 2,500 LICENSE files of 512 KiB one folder down (sparse files: nothing on
  disk), each under its own cap;
- `shards`: 300 safetensors shards, each with a 1 MiB header.

Each audit runs in its own child process; peak memory is the child's ru_maxrss (wait4).

    .venv/bin/python benchmarks/bench_read_budget.py
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NO_BUDGET = str(1 << 60)


def _licences(root: Path) -> Path:
    repo = root / "licences"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# m\n", encoding="utf-8")
    for i in range(2500):
        (repo / f"d{i:04}").mkdir()
        with (repo / f"d{i:04}" / "LICENSE").open("wb") as fh:
            fh.truncate(512 << 10)
    return repo


def _shards(root: Path) -> Path:
    repo = root / "shards"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# m\n", encoding="utf-8")
    raw = json.dumps({"__metadata__": {"pad": "x" * (1 << 20)}}).encode()
    blob = struct.pack("<Q", len(raw)) + raw
    for i in range(300):
        (repo / f"model-{i:05}-of-00300.safetensors").write_bytes(blob)
    return repo


def _audit(repo: Path, budget: str | None) -> tuple[float, int, int]:
    env = {**os.environ, "MODELCHECK_NO_CACHE": "1"}
    env.pop("MODELCHECK_MAX_READ_BYTES", None)
    env.pop("MODELCHECK_MAX_READ_FILES", None)
    if budget is not None:
        env["MODELCHECK_MAX_READ_BYTES"] = budget
        env["MODELCHECK_MAX_READ_FILES"] = budget
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "compliance.cli", "audit", str(repo)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for repo in (_licences(root), _shards(root)):
            base_t, base_m, base_rc = _audit(repo, NO_BUDGET)
            t, m, rc = _audit(repo, None)
            print(
                f"{repo.name:9} no budget: {base_t:6.1f} s {base_m / 1024:7.0f} MiB "
                f"(exit {base_rc}) | budget: {t:5.1f} s {m / 1024:6.0f} MiB (exit {rc})"
                f" | time x{base_t / t:.1f} less, memory x{base_m / m:.1f} less"
            )


if __name__ == "__main__":
    main()
