"""Compare memory: peak RSS of `modelcheck lineage A.fp --against B.fp` for two
Qwen2.5-14B-shaped fingerprints, with this plan and with the schema-2 plan (baseline).

The two models have the exact Qwen2.5-14B shapes (48 layers, hidden 5120, intermediate
13824, 40 q / 8 kv heads, vocab 152064, untied lm_head); their sampled rows are Gaussian
(std 0.02, kept as bf16). B = A + 0.5 x fresh noise (a heavy fine-tune: every signal has
work to do); C is independent of A, so the A-C comparison prints the null widths of S2
and S3 on 14B shapes (what the thresholds must clear), for this plan and the baseline.
Only the rows a plan samples are generated, in a child process, straight into
fingerprint files; the comparison runs as its own process and its peak RSS is read with
wait4 (a forked child would inherit the parent's peak, hence the separate processes).

    .venv/bin/python benchmarks/bench_compare_memory.py [--no-baseline] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HIDDEN, LAYERS, FFN, VOCAB, NQ, NKV, HEAD = 5120, 48, 13824, 152064, 40, 8, 128
CONFIG = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": HIDDEN,
    "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": NQ,
    "num_key_value_heads": NKV, "vocab_size": VOCAB, "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
SHAPES = {
    "attn.q": (NQ * HEAD, HIDDEN), "attn.k": (NKV * HEAD, HIDDEN),
    "attn.v": (NKV * HEAD, HIDDEN), "attn.o": (HIDDEN, NQ * HEAD),
    "mlp.gate": (FFN, HIDDEN), "mlp.up": (FFN, HIDDEN), "mlp.down": (HIDDEN, FFN),
    "norm.attn": (HIDDEN,), "norm.mlp": (HIDDEN,),
}
MODEL_SHAPES = {"embed": (VOCAB, HIDDEN), "lm_head": (VOCAB, HIDDEN), "norm.final": (HIDDEN,)}
BASELINE = {"schema": 2, "neuron_layers": None, "sketch_dim": 0}  # the plan before schema 3


class Qwen14bRows:
    """A TensorView of a Qwen2.5-14B-shaped model whose rows are drawn on request."""

    def __init__(self, label: str, noise_of: str | None = None) -> None:
        self.label = label
        self.revision = None
        self.arch = "qwen2"
        self.n_layers = LAYERS
        self.config = dict(CONFIG)
        self.bytes_read = 0
        self._noise_of = noise_of

    def roles(self, layer: int | None) -> list[str]:
        return list(MODEL_SHAPES if layer is None else SHAPES)

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        return (MODEL_SHAPES if layer is None else SHAPES).get(role)

    def digest(self, role: str, layer: int | None) -> str | None:
        return None

    def dtype(self, role: str, layer: int | None) -> str:
        return "BF16"  # stored as a bf16 checkpoint's rows would be

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> Any:
        import numpy as np

        shape = self.shape(role, layer)
        if shape is None:
            raise KeyError(role)
        if len(shape) == 1:
            return (1 + 0.05 * _draw("norm", role, layer, 1, shape[0])).astype(np.float32)[0]
        idx = list(range(shape[0])) if rows is None else [int(r) for r in rows]
        base = self._noise_of or self.label
        x = 0.02 * _draw(base, role, layer, idx, shape[1])
        if self._noise_of is not None:
            x += 0.01 * _draw(self.label, role, layer, idx, shape[1])
        self.bytes_read += 2 * x.size
        return x.astype(np.float32)


def _draw(who: str, role: str, layer: int | None, rows: Any, width: int) -> Any:
    import numpy as np

    key = hashlib.sha256(f"{who}|{role}|{layer}|{rows}".encode()).digest()
    n = rows if isinstance(rows, int) else len(rows)
    return np.random.default_rng(int.from_bytes(key[:8], "little")).standard_normal(
        (n, width), dtype=np.float32
    )


def make(out: Path, plan_fields: dict[str, Any]) -> None:
    from compliance.weights.fingerprint import write_fingerprint
    from compliance.weights.signals import SamplePlan

    plan = SamplePlan(**plan_fields)
    write_fingerprint(Qwen14bRows("A"), out / "a.safetensors", plan, repo_id="synthetic/A",
                      digests=False)
    write_fingerprint(Qwen14bRows("B", noise_of="A"), out / "b.safetensors", plan,
                      repo_id="synthetic/B", digests=False)
    write_fingerprint(Qwen14bRows("C"), out / "c.safetensors", plan, repo_id="synthetic/C",
                      digests=False)


def null_widths(report: dict[str, Any]) -> str:
    """Verdict and the S2/S3 statistics with their nulls, from a lineage JSON report."""
    c = report["comparisons"][0]
    by = {r["name"]: r for r in c["signals"]}
    parts = [c["verdict"]["kind"]]
    for name, short in (("aligned_cosine", "S2 PCS"), ("neuron_matching", "S3 m")):
        r = by.get(name) or {}
        null = r.get("null") or {}
        if r.get("value") is None or not null:
            parts.append(f"{short} not computable")
            continue
        parts.append(f"{short} {r['value']:.3f} (null mean {null['mean']:.4f}, sd "
                     f"{null['sd']:.4f}, max {null['max']:.4f})")
    return "; ".join(parts)


def peak_rss(cmd: list[str], out: Path) -> tuple[int, float, int]:
    """(peak RSS bytes, seconds, exit code) of a child process; its stdout goes to `out`."""
    t = time.perf_counter()
    with open(out, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.PIPE)
        err = proc.stderr.read().decode() if proc.stderr else ""
        _pid, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"lineage failed ({code}): {err.strip()[-400:]}")
    return usage.ru_maxrss * 1024, secs, code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-baseline", action="store_true",
                    help=f"skip the baseline plan {BASELINE} (schema-2 defaults)")
    ap.add_argument("--keep", type=Path, default=None, help="write the fingerprints here")
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--plan-json", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:  # child: generate one pair of fingerprints
        make(args.make, json.loads(args.plan_json))
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-compare-memory-"))
    modelcheck = [sys.executable, "-m", "compliance.cli"]
    print(f"load average {os.getloadavg()[0]:.1f}")
    runs = [("this plan", {})] + ([] if args.no_baseline else [("baseline", BASELINE)])
    got: dict[str, int] = {}
    try:
        for name, fields in runs:
            d = work / name.replace(" ", "-")
            d.mkdir(parents=True, exist_ok=True)
            t = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--make", str(d),
                            "--plan-json", json.dumps(fields)], check=True)
            made = time.perf_counter() - t
            sizes = [(d / f).stat().st_size for f in ("a.safetensors", "b.safetensors")]
            print(f"{name}: plan fields {fields or 'defaults'}; fingerprints "
                  f"{sizes[0] / 1e6:.1f} MB + {sizes[1] / 1e6:.1f} MB (made in {made:.0f} s)")
            for other, what in (("b", "derived"), ("c", "independent")):
                rss, secs, code = peak_rss(modelcheck + [
                    "lineage", str(d / "a.safetensors"), "--against",
                    str(d / f"{other}.safetensors"), "--format", "json"], d / f"{other}.json")
                got.setdefault(name, rss)
                print(f"  `modelcheck lineage A --against {other.upper()}` ({what}): peak RSS "
                      f"{rss / 1e6:.0f} MB, {secs:.1f} s, exit {code}")
                print(f"    {null_widths(json.loads((d / f'{other}.json').read_text()))}")
        if "baseline" in got:
            print(f"ratio to baseline: peak RSS {got['this plan'] / got['baseline']:.3f}")
        ok = got["this plan"] <= 500e6
        print(f"goal compare RSS <= 500 MB: {'met' if ok else 'NOT met'} "
              f"({got['this plan'] / 1e6:.0f} MB)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
