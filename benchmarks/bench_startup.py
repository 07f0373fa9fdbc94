"""Start-up cost of the CLI, as a whole process, against a bare Python start.

    python benchmarks/bench_startup.py [--runs 15]

Times, in the same run and interleaved (so machine load affects all alike):
`python -c pass`, `modelcheck --version`, and `modelcheck audit
examples/llama31-finetune-apache --format json`. Prints the median wall time of
each and its ratio to the bare interpreter, as a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "llama31-finetune-apache"


def modelcheck_cmd() -> list[str]:
    """The installed console script next to this interpreter, else `python -m`."""
    script = Path(sys.executable).parent / "modelcheck"
    if script.exists():
        return [str(script)]
    found = shutil.which("modelcheck")
    return [found] if found else [sys.executable, "-m", "compliance.cli"]


def time_once(cmd: list[str], ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    args = parser.parse_args()

    mc = modelcheck_cmd()
    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], (0,)),
        "modelcheck --version": ([*mc, "--version"], (0,)),
        # exit 1 is expected: the example has findings
        "modelcheck audit examples/llama31-finetune-apache --format json": (
            [*mc, "audit", str(EXAMPLE.relative_to(ROOT)), "--format", "json"],
            (0, 1),
        ),
    }
    for cmd, ok in cases.values():  # warm the OS file cache and .pyc files
        time_once(cmd, ok)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (cmd, ok) in cases.items():
            times[name].append(time_once(cmd, ok))

    base = statistics.median(times["python -c pass"])
    print(f"Median of {args.runs} runs each ({sys.implementation.name} "
          f"{sys.version.split()[0]}):\n")
    print("| command | median ms | × `python -c pass` |")
    print("| --- | ---: | ---: |")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(f"| `{name}` | {med * 1000:.0f} | {med / base:.1f} |")


if __name__ == "__main__":
    main()
