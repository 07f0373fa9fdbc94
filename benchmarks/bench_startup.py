"""Start-up cost of the CLI, as a whole process, against a bare Python start.

    python benchmarks/bench_startup.py [--runs 25]

Times, in the same run and interleaved (so machine load affects all alike):

- `python -c pass`, the baseline;
- the floor: Python importing only the standard-library modules a warm local audit
  imports (json, pathlib, re, typing), none of modelcheck's own (this row
  and the next two end as the console script does, without the interpreter's teardown);
- the floor plus creating dataclasses shaped like the ones a local audit creates (same
  names, fields, defaults and options, read from modelcheck's own classes, and made by
  the same decorator: `compliance.records.record` or `dataclasses.dataclass`, with the
  same warm caches), and nothing else: what modelcheck's data model costs before any of
  its code runs;
- importing every module a local terminal audit imports, without running anything;
- `modelcheck --version`;
- `modelcheck audit examples/llama31-finetune-apache --format terminal`, the pre-commit
  hook's invocation, parsed by the fast path in `compliance.cli` (no Typer); the same
  audit as JSON, and as Markdown (the default format, which adds Jinja2); and the terminal
  audit of a copy of the example inside a git checkout (a `.git/config` naming a Hub
  remote), as a hook really runs it;
- the hook's audit run through `sys.exit(main())`, the ordinary exit, instead of the
  console script's `entry_point` (which skips the interpreter's teardown);
- the same audit with a root option first, which is parsed by Typer: the price of Typer.

Then, where a terminal audit's CPU time goes inside its process (`BREAKDOWN`, timed
with `time.process_time` around the standard library's imports, every dataclass or
record creation and pattern compilation (`compliance.regex_cache.compiled` or `re`)
while modelcheck's modules are imported, the rest of those imports, and the rule-pack
loading; a pack's rules are built when the audit first reads them, which counts as the
audit's),
as medians over the same number of runs, against the same `python -c pass`.

Prints the median wall time and the median CPU time (user + system, which load on a
shared machine disturbs less) of each and their ratios to the bare interpreter, as a
Markdown table for the README, with the load average before and after. Caches are
warm and private to the run (a temporary XDG_CACHE_HOME), so other installs sharing the
home folder cannot evict them mid-run. Children may
write .pyc files even when this shell sets PYTHONDONTWRITEBYTECODE, as any installed
copy would have them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


FLOOR = "import json, pathlib, re, typing"
# The console script exits without the interpreter's teardown (`compliance.cli.entry_point`);
# the rows that only import end the same way, so they stay floors of the audit rows.
NO_TEARDOWN = "\nimport os\nos._exit(0)"
ORDINARY_EXIT = "import sys; from compliance.cli import main; sys.exit(main())"
AUDIT_MODULES = (
    "import compliance.cli, compliance.commands.audit, compliance.pipeline, "
    "compliance.reporters.terminal, compliance.lineage.catalog, compliance.parse_cache"
)


def audit_dataclasses(example: str) -> list[type]:
    """The dataclasses of modelcheck's modules once a terminal audit of `example` ran."""
    from compliance.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        main(["audit", example, "--format", "terminal"])
    found: list[type] = []
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] != "compliance":
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == name
                and value not in found
            ):
                found.append(value)
    return found


def dataclass_floor(classes: list[type]) -> str:
    """Source that imports the floor's modules and creates classes like `classes`:
    same names, field names and annotations, defaults (as None or a factory), docstring
    and options, made by the same decorator (a record, or a dataclass). Their cost is
    the data model's, without modelcheck's code (`compliance.records` is one small
    module, with the small cache of compiled `__init__` code it reads)."""
    lines = ["from __future__ import annotations", FLOOR]
    records = [cls for cls in classes if hasattr(cls, "__record_frozen__")]
    if records:
        lines.append("from compliance.records import field, record")
    if len(records) < len(classes):
        lines.append("from dataclasses import dataclass")
        if not records:
            lines.append("from dataclasses import field")
    for i, cls in enumerate(classes):
        if hasattr(cls, "__record_frozen__"):
            decorator = f"@record(frozen={cls.__record_frozen__!r})"  # type: ignore[attr-defined]
        else:
            params = cls.__dataclass_params__  # type: ignore[attr-defined]
            opts = ", ".join(
                f"{o}={getattr(params, o)!r}"
                for o in ("init", "repr", "eq", "order", "unsafe_hash", "frozen")
            )
            slots = "__slots__" in cls.__dict__
            decorator = f"@dataclass({opts}, slots={slots})"
        lines += [decorator, f"class C{i}_{cls.__name__}:"]
        if cls.__doc__:
            lines.append("    'A record.'")
        for f in dataclasses.fields(cls):
            annotation = f.type if isinstance(f.type, str) else "object"
            if f.default_factory is not dataclasses.MISSING:
                default = " = field(default_factory=list)"
            elif f.default is not dataclasses.MISSING:
                default = " = None"
            else:
                default = ""
            lines.append(f"    {f.name}: {annotation}{default}")
        if not dataclasses.fields(cls):
            lines.append("    pass")
    return "\n".join(lines)


BREAKDOWN = """
import contextlib, io, json, sys, time
t0 = time.process_time()
import json, pathlib, re, typing
t1 = time.process_time()
import dataclasses, re._compiler  # only to time them: a local audit imports neither
spent = {"dataclasses": 0.0, "patterns": 0.0, "packs": 0.0}
calls = {"dataclasses": 0, "patterns": 0, "packs": 0}
inside = {"dataclasses": 0, "patterns": 0, "packs": 0}

def timed(owner, name, part):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if inside[part]:  # a record's call of dataclasses: counted once, by the record
            return inner(*args, **kwargs)
        inside[part] += 1
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[part] += time.process_time() - start
            calls[part] += 1
            inside[part] -= 1
    setattr(owner, name, wrapper)

timed(dataclasses, "_process_class", "dataclasses")
timed(re._compiler, "compile", "patterns")
t2 = time.process_time()
import compliance.records, compliance.regex_cache  # counted with the rest of the imports
timed(compliance.records, "_make", "dataclasses")
timed(compliance.regex_cache, "compiled", "patterns")
import compliance.cli, compliance.commands.audit, compliance.pipeline
import compliance.reporters.terminal, compliance.lineage.catalog, compliance.parse_cache
import compliance.packs
t3 = time.process_time()
imported, imported_calls = dict(spent), dict(calls)
timed(compliance.packs, "load_all", "packs")
with contextlib.redirect_stdout(io.StringIO()):
    code = compliance.cli.main(["audit", sys.argv[1], "--format", "terminal"])
t4 = time.process_time()
modules = sum(1 for m in sys.modules if m.split(".")[0] == "compliance")
print(json.dumps({
    "standard-library modules (json, pathlib, re, typing)": t1 - t0,
    f"creating {imported_calls['dataclasses']} dataclasses and records":
        imported["dataclasses"],
    f"compiling {imported_calls['patterns']} patterns at import": imported["patterns"],
    f"the rest of importing {modules} modelcheck modules":
        t3 - t2 - imported["dataclasses"] - imported["patterns"],
    "loading the rule packs (warm cache)": spent["packs"],
    "the rest of the audit and the terminal report": t4 - t3 - spent["packs"],
    "in-process total": t4 - t0,
    "exit": code,
}))
"""


def breakdown(runs: int) -> dict[str, float]:
    """Median CPU seconds of each part of a terminal audit, from `BREAKDOWN`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    parts: dict[str, list[float]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", BREAKDOWN, str(EXAMPLE)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"breakdown probe failed: {proc.stderr}")
        result = json.loads(proc.stdout.splitlines()[-1])
        if result.pop("exit") not in (0, 1):
            raise SystemExit(f"breakdown probe's audit failed: {proc.stderr}")
        for name, seconds in result.items():
            parts.setdefault(name, []).append(seconds)
    return {name: statistics.median(values) for name, values in parts.items()}


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
    parser.add_argument("--runs", type=int, default=25, help="runs of each command")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="modelcheck-bench-")
    os.environ["XDG_CACHE_HOME"] = cache  # read by this process and every child
    os.environ.pop("MODELCHECK_NO_CACHE", None)
    try:
        run(args.runs, Path(cache))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def git_checkout_copy(where: Path) -> Path:
    """A copy of the example with a `.git/config` whose origin is a Hub repo."""
    copy = where / "checkout" / EXAMPLE.name
    shutil.copytree(EXAMPLE, copy)
    (copy / ".git").mkdir()
    (copy / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n'
        "\turl = https://huggingface.co/example-org/llama31-finetune\n",
        encoding="utf-8",
    )
    return copy


def run(runs: int, scratch: Path) -> None:
    mc = modelcheck_cmd()
    example = str(EXAMPLE.relative_to(ROOT))
    checkout = str(git_checkout_copy(scratch))
    classes = audit_dataclasses(str(EXAMPLE))
    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], (0,)),
        f"python -c '{FLOOR}'": ([sys.executable, "-c", FLOOR + NO_TEARDOWN], (0,)),
        f"the same + creating the audit's {len(classes)} dataclasses and records": (
            [sys.executable, "-c", dataclass_floor(classes) + NO_TEARDOWN],
            (0,),
        ),
        "python -c 'import <the audit's modules>'": (
            [sys.executable, "-c", AUDIT_MODULES + NO_TEARDOWN],
            (0,),
        ),
        "modelcheck --version": ([*mc, "--version"], (0,)),
        # exit 1 is expected: the example has findings
        f"modelcheck audit {example} --format terminal (the hook)": (
            [*mc, "audit", example, "--format", "terminal"],
            (0, 1),
        ),
        f"modelcheck audit {example} --format json": (
            [*mc, "audit", example, "--format", "json"],
            (0, 1),
        ),
        f"modelcheck audit {example} (Markdown)": ([*mc, "audit", example], (0, 1)),
        "modelcheck audit <the example in a git checkout> --format terminal": (
            [*mc, "audit", checkout, "--format", "terminal"],
            (0, 1),
        ),
        "the hook's audit, ending with the interpreter's teardown": (
            [sys.executable, "-c", ORDINARY_EXIT, "audit", example, "--format", "terminal"],
            (0, 1),
        ),
        f"modelcheck --debug audit {example} --format json (Typer)": (
            [*mc, "--debug", "audit", example, "--format", "json"],
            (0, 1),
        ),
    }
    load_before = os.getloadavg()
    for cmd, ok in cases.values():  # warm the OS file cache, .pyc files and caches
        time_once(cmd, ok)
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (cmd, ok) in cases.items():
            w, c = time_once(cmd, ok)
            wall[name].append(w)
            cpu[name].append(c)

    base_wall = statistics.median(wall["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    load_after = os.getloadavg()
    print(f"Median of {runs} runs each ({sys.implementation.name} "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, 1-minute load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after):\n")
    print("| command | wall ms | × `python -c pass` | CPU ms | × `python -c pass` |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in cases:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        label = name if name.startswith(("the same", "the hook")) else f"`{name}`"
        print(f"| {label} | {w * 1000:.0f} | {w / base_wall:.1f} "
              f"| {c * 1000:.0f} | {c / base_cpu:.1f} |")

    parts = breakdown(runs)
    print(f"\nWhere a terminal audit's CPU time goes inside its process (median of {runs}; "
          f"the interpreter's own start is the `python -c pass` row):\n")
    print("| part | CPU ms | × `python -c pass` |")
    print("| --- | ---: | ---: |")
    for name, seconds in parts.items():
        print(f"| {name} | {seconds * 1000:.1f} | {seconds / base_cpu:.2f} |")


if __name__ == "__main__":
    main()
