"""Auditing a repo whose safetensors header lists many tensors, against plain json.loads.

    python benchmarks/bench_large_header.py [--tensors 50000] [--runs 5]

Builds a temporary local repo (a model card and one `model.safetensors` whose header
lists N tensors, no tensor data beyond what the offsets claim) at N/4, N/2 and N, and
times, in the same run and interleaved:

- `json.loads` of the header bytes (the baseline: what parsing the header costs at least),
- `safeload.load_json` of the same bytes (the bounded loader the audit uses),
- a whole local audit in this process (`run_audit`: facts, lineage, rules, report).

Prints medians of wall time, the ratio of each to the baseline, the audit's CPU time
(which other load on the machine disturbs less) and its wall time per tensor, so a
linear cost shows as a flat per-tensor column.

Then memory: the peak Python allocation (tracemalloc) of `load_json` against that of
plain `json.loads`, on a header whose `__metadata__` holds one long string (plain
letters, or nothing but escapes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CARD = """---
license: apache-2.0
base_model: meta-llama/Llama-3.1-8B
---
# big-header-model

A fine-tune with a very large number of tensors.
"""


def header_bytes(n: int) -> tuple[bytes, int]:
    """A safetensors header for `n` small F16 tensors, and the data length it claims."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for i in range(n):
        nbytes = 2 * 8
        header[f"model.layers.{i // 16}.block.{i % 16}.weight"] = {
            "dtype": "F16",
            "shape": [2, 4],
            "data_offsets": [offset, offset + nbytes],
        }
        offset += nbytes
    raw = json.dumps(header).encode()
    return raw + b" " * (-len(raw) % 8), offset


def write_repo(root: Path, n: int) -> bytes:
    raw, data_len = header_bytes(n)
    root.mkdir(parents=True)
    (root / "README.md").write_text(CARD, encoding="utf-8")
    with open(root / "model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        f.truncate(8 + len(raw) + data_len)  # sparse: the data is never read
    return raw


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensors", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--metadata-mb", type=int, default=16)
    args = parser.parse_args()

    from compliance import safeload
    from compliance.facts.read import read_facts
    from compliance.facts.safetensors_header import MAX_HEADER
    from compliance.pipeline import AuditOptions, run_audit
    from compliance.sources.local import LocalSource

    print(f"Median of {args.runs} runs each ({sys.implementation.name} "
          f"{sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}):\n")
    print("| tensors | header MB | `json.loads` ms | `load_json` ms (×) "
          "| audit ms (×) | audit CPU ms | audit µs/tensor |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (args.tensors // 4, args.tensors // 2, args.tensors):
            root = Path(tmp) / f"repo-{n}"
            raw = write_repo(root, n)
            cases = {
                "json": lambda raw=raw: json.loads(raw),
                "load_json": lambda raw=raw: safeload.load_json(
                    raw, "model.safetensors", max_bytes=MAX_HEADER, max_depth=8
                ),
                "audit": lambda root=root: run_audit(AuditOptions(target=str(root))),
            }
            (weight,) = read_facts(LocalSource(root)).weights
            if not weight.header_ok or len(weight.tensors) != n:
                raise SystemExit(f"{root}: the header did not read cleanly")
            times: dict[str, list[float]] = {name: [] for name in cases}
            cpu: list[float] = []
            for _ in range(args.runs):  # interleaved, so load affects all alike
                for name, fn in cases.items():
                    wall, used = timed(fn)
                    times[name].append(wall)
                    if name == "audit":
                        cpu.append(used)
            med = {name: statistics.median(v) for name, v in times.items()}
            base = med["json"]
            print(
                f"| {n} | {len(raw) / 1e6:.1f} | {base * 1e3:.0f} "
                f"| {med['load_json'] * 1e3:.0f} ({med['load_json'] / base:.1f}) "
                f"| {med['audit'] * 1e3:.0f} ({med['audit'] / base:.1f}) "
                f"| {statistics.median(cpu) * 1e3:.0f} "
                f"| {med['audit'] / n * 1e6:.1f} |"
            )
    memory_table(args.metadata_mb)


def peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_table(megabytes: int) -> None:
    from compliance import safeload
    from compliance.facts.safetensors_header import MAX_HEADER

    print(f"\nPeak allocation for a header with one {megabytes} MB metadata string:\n")
    print("| string | `json.loads` MB | `load_json` MB (×) |")
    print("| --- | ---: | ---: |")
    for label, body in (("letters", "a" * (megabytes << 20)),
                        ("escapes", "\n" * (megabytes << 19))):
        raw = json.dumps({"__metadata__": {"x": body}}).encode()
        base = peak_bytes(lambda raw=raw: json.loads(raw))
        ours = peak_bytes(lambda raw=raw: safeload.load_json(
            raw, "model.safetensors", max_bytes=MAX_HEADER, max_depth=8))
        print(f"| {label} | {base / 1e6:.0f} | {ours / 1e6:.0f} ({ours / base:.1f}) |")


if __name__ == "__main__":
    main()
