"""Wall time of `modelcheck audit` per output format, as whole processes, against
`--format json` measured in the same run (interleaved, so load affects all alike).

    python benchmarks/bench_formats.py [--runs 9]

The pre-commit hook uses `--format terminal`; the SBOM formats import spdx-tools or
cyclonedx-python-lib and hash the weight files, so they are expected to cost more.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/llama31-finetune-apache"
FORMATS = ("json", "terminal", "markdown", "sarif", "spdx", "cyclonedx")


def command(fmt: str) -> list[str]:
    script = Path(sys.executable).parent / "modelcheck"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "compliance.cli"]
    return [*base, "audit", EXAMPLE, "--format", fmt]


def time_once(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for fmt in FORMATS:  # warm caches (rule packs, templates) once
        time_once(command(fmt))
    times: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    for _ in range(args.runs):
        for fmt in FORMATS:
            times[fmt].append(time_once(command(fmt)))
    base = statistics.median(times["json"])
    print(f"| `--format` | median of {args.runs} (ms) | vs json |")
    print("| --- | ---: | ---: |")
    for fmt in FORMATS:
        med = statistics.median(times[fmt])
        print(f"| {fmt} | {med * 1000:.0f} | {med / base:.2f}× |")


if __name__ == "__main__":
    main()
