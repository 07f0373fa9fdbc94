"""Start-up cost of the CLI, as a whole process, against a bare Python start.

    python benchmarks/bench_startup.py [--runs 15]

Times, in the same run and interleaved (so machine load affects all alike):

- `python -c pass`, the baseline;
- the floor: Python importing only the standard-library modules a warm local audit
  imports (dataclasses, json, pathlib, re, typing), none of modelcheck's own;
- importing every module a local JSON audit imports, without running anything: what
  modelcheck's own module-level work (classes, patterns, registries) costs;
- `modelcheck --version`;
- `modelcheck audit examples/llama31-finetune-apache --format json`, parsed by the fast
  path in `compliance.cli` (no Typer), and the same audit in Markdown, the hook's
  default format (which adds Jinja2);
- the same audit with a root option first, which is parsed by Typer: the price of Typer.

Prints the median wall time and the median CPU time (user + system, which load on a
shared machine disturbs less) of each and their ratios to the bare interpreter, as a
Markdown table for the README. Children may write .pyc files even when this shell sets
PYTHONDONTWRITEBYTECODE, as any installed copy would have them.
"""

from __future__ import annotations

import argparse
import os
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


FLOOR = "import dataclasses, json, pathlib, re, typing"
AUDIT_MODULES = (
    "import compliance.cli, compliance.commands.audit, compliance.pipeline, "
    "compliance.reporters.to_json"
)


def time_once(cmd: list[str], ok: tuple[int, ...]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    args = parser.parse_args()

    mc = modelcheck_cmd()
    example = str(EXAMPLE.relative_to(ROOT))
    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], (0,)),
        f"python -c '{FLOOR}'": ([sys.executable, "-c", FLOOR], (0,)),
        "python -c 'import <the audit's modules>'": ([sys.executable, "-c", AUDIT_MODULES], (0,)),
        "modelcheck --version": ([*mc, "--version"], (0,)),
        # exit 1 is expected: the example has findings
        f"modelcheck audit {example} --format json": (
            [*mc, "audit", example, "--format", "json"],
            (0, 1),
        ),
        f"modelcheck audit {example}": ([*mc, "audit", example], (0, 1)),
        f"modelcheck --debug audit {example} --format json (Typer)": (
            [*mc, "--debug", "audit", example, "--format", "json"],
            (0, 1),
        ),
    }
    for cmd, ok in cases.values():  # warm the OS file cache, .pyc files and caches
        time_once(cmd, ok)
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (cmd, ok) in cases.items():
            w, c = time_once(cmd, ok)
            wall[name].append(w)
            cpu[name].append(c)

    base_wall = statistics.median(wall["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    print(f"Median of {args.runs} runs each ({sys.implementation.name} "
          f"{sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}):\n")
    print("| command | wall ms | × `python -c pass` | CPU ms | × `python -c pass` |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in cases:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"| `{name}` | {w * 1000:.0f} | {w / base_wall:.1f} "
              f"| {c * 1000:.0f} | {c / base_cpu:.1f} |")


if __name__ == "__main__":
    main()
