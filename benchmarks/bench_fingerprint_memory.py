"""Peak resident memory of fingerprinting a checkpoint far larger than memory should hold.

Builds the Qwen2.5-14B-shaped checkpoint of `bench_fingerprint_remote.py` locally (8 bf16
shards, 29.5 GB, written as sparse files: real headers, data as holes, about 140 KB of
disk) and fingerprints it in a child process, once as `modelcheck fingerprint` does by
default (sampled rows only) and once with `--full-digests` (every tensor hashed whole,
i.e. all 29.5 GB read). Each child reports its peak RSS from the kernel (`VmHWM` in
/proc/self/status), and whether any weight file was still mapped when it finished
(reads are `pread`s; a whole-file map would also show in the peak). Baselines from the
same run: the resident size of the interpreter with the weights modules loaded, and the
bytes of the largest layer (what "bounded by a layer" refers to).

    .venv/bin/python benchmarks/bench_fingerprint_memory.py [--skip-full]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_fingerprint_remote import build_sparse_checkpoint, qwen14b_tensors  # noqa: E402

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from compliance.weights.compare import open_view
from compliance.weights.fingerprint import write_fingerprint
from compliance.weights.signals import SamplePlan

def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None

floor = status("VmRSS")
view = open_view(sys.argv[1])
t1 = time.perf_counter()
info = write_fingerprint(view, sys.argv[2], SamplePlan(), digests=sys.argv[3] == "full")
seconds = time.perf_counter() - t1
with open("/proc/self/maps") as fh:
    mapped = sorted({line.split()[-1] for line in fh if ".safetensors" in line
                     and sys.argv[1] in line})
print(json.dumps({"peak": status("VmHWM"), "floor": floor, "seconds": seconds,
                  "bytes_read": info.bytes_read, "bytes_hashed": info.bytes_hashed,
                  "file_bytes": info.file_bytes, "mapped": mapped}))
"""


def run_child(model: Path, out: Path, mode: str) -> dict:
    out.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(model), str(out), mode],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"fingerprint child failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def largest_layer_bytes() -> int:
    per: dict[str, int] = {}
    for name, shape in qwen14b_tensors():
        parts = name.split(".")
        key = parts[2] if len(parts) > 3 and parts[1] == "layers" else name
        per[key] = per.get(key, 0) + 2 * math.prod(shape)
    return max(v for k, v in per.items() if k.isdigit())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-full", action="store_true", help="skip the --full-digests run")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-fp-memory-"))
    try:
        model = work / "qwen14b"
        total = build_sparse_checkpoint(model)
        load = os.getloadavg()
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"checkpoint: Qwen2.5-14B layout, {total / 1e9:.1f} GB in 8 sparse shards; "
              f"largest layer {largest_layer_bytes() / 1e6:.0f} MB")
        modes = ["sampled"] if args.skip_full else ["sampled", "full"]
        for mode in modes:
            t0 = time.perf_counter()
            got = run_child(model, work / f"{mode}.fp.safetensors", mode)
            wall = time.perf_counter() - t0
            what = ("default (sampled rows only)" if mode == "sampled"
                    else "--full-digests (every tensor hashed whole)")
            print(f"\n{what}: {got['seconds']:.1f} s in write_fingerprint ({wall:.1f} s child)")
            print(f"   read {got['bytes_read'] / 1e9:.2f} GB of {total / 1e9:.1f} GB, hashed "
                  f"{got['bytes_hashed'] / 1e9:.2f} GB; fingerprint file "
                  f"{got['file_bytes'] / 1e6:.0f} MB")
            print(f"   peak RSS (VmHWM) {got['peak'] / 1e6:.0f} MB; interpreter + modules "
                  f"before reading {got['floor'] / 1e6:.0f} MB; so reading added "
                  f"{(got['peak'] - got['floor']) / 1e6:.0f} MB = "
                  f"{(got['peak'] - got['floor']) / largest_layer_bytes():.2f}x the largest "
                  f"layer, {100 * (got['peak'] - got['floor']) / total:.3f} % of the model")
            print(f"   weight files still mapped at the end: {len(got['mapped'])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
