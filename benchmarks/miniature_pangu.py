"""A miniature of the 2025 dispute over an MoE said to be upcycled from a dense model.

Builds a small dense "base" (llama layout, bf16) and suspects that play the roles of the
accused MoE, writes them as real safetensors checkpoints, and runs `modelcheck lineage
SUSPECT --against BASE -f json` on each as a whole process, as a journalist would. The
suspects use an architecture name (`model_type`) the tool has never seen and store their
experts in the fused layout (one 3-D tensor per layer), so nothing is recognised by name.

Positives: upcycled (every expert = the dense MLP + noise), upcycled then trained on
(continued training adds noise of 1x and 2x each tensor's std), fine-grained expert
split, neuron-permuted before upcycling, and a residual-stream rotation after upcycling
(alone and with light training): what an engineer could do to hide the relation.
Hard negatives: an independent MoE drawn with the *same* per-layer scale profile as the
base (its sigma-curve correlates with the base's, which is what a weak fingerprint scores
as evidence), a same-statistics redraw of the upcycled model, and a rotated MoE upcycled
from an independent model that shares the base's hidden-space geometry and token
structure.

Prints one Markdown row per case (verdict, subtype, the deciding statistics against
their nulls, the sigma-curve r as context) and the total wall time.

    .venv/bin/python benchmarks/miniature_pangu.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support import synth as S  # noqa: E402

SUSPECT_TYPE = "mini_moe_x"  # an architecture name no reader knows


def _as_unknown_moe(m: S.SynthModel) -> S.SynthModel:
    m.config = dict(m.config, model_type=SUSPECT_TYPE, architectures=["MiniMoeXForCausalLM"])
    return m


def cases(base: S.SynthModel) -> list[tuple[str, str, S.SynthModel]]:
    up = S.upcycle_moe(base, n_experts=4, alpha=0.1)
    same_profile = S.base(5, profile_seed=0)  # independent weights, the base's depth profile
    return [
        ("upcycled (experts = dense MLP + noise)", "positive", up),
        ("upcycled, then trained on (+1σ)", "positive", S.fine_tune(up, 1.0, seed=21)),
        ("upcycled, then trained on (+2σ)", "positive", S.fine_tune(up, 2.0, seed=22)),
        ("fine-grained expert split", "positive", S.upcycle_moe(base, mode="slice")),
        ("neurons permuted, then upcycled", "positive", S.upcycle_moe(S.permute(base))),
        ("upcycled, residual stream rotated", "positive", S.rotate(up)),
        ("upcycled, rotated, trained on (+0.3σ)", "positive", S.rotate(up, noise=0.3)),
        (
            "independent MoE, same depth profile (σ-matched)",
            "negative",
            S.upcycle_moe(same_profile, alpha=0.1, seed=31),
        ),
        ("same-statistics redraw of the upcycled model", "negative", S.same_stats(up)),
        (
            "independent MoE sharing the base's geometry, rotated",
            "negative",
            S.rotate(S.upcycle_moe(S.geometry_twin(base), seed=32)),
        ),
    ]


def _stat(sig: dict[str, Any]) -> str:
    if not sig.get("computable"):
        return "–"
    null = sig.get("null") or {}
    top = null.get("max")
    if sig["name"] == "moe_upcycling":  # a fraction of neurons, judged by a cosine null
        return f"{sig['value']:.0%} of expert neurons above the null max cosine {top:.3f}"
    band = f" (null max {top:.3f})" if isinstance(top, (int, float)) else ""
    return f"{sig['value']:.3f}{band}"


def run(base_dir: Path, suspect_dir: Path, out: Path) -> tuple[dict[str, Any], int, float]:
    exe = Path(sys.executable).with_name("modelcheck")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            str(exe),
            "lineage",
            str(suspect_dir),
            "--against",
            str(base_dir),
            "-f",
            "json",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"modelcheck lineage failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(out.read_text()), proc.returncode, wall


def main() -> None:
    t_all = time.perf_counter()
    base = S.base(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        S.write_model(base, root / "dense-base", dtype="BF16")
        for i, (name, kind, model) in enumerate(cases(base)):
            sdir = root / f"suspect-{i}"
            S.write_model(_as_unknown_moe(model), sdir, dtype="BF16", experts="fused")
            report, code, wall = run(root / "dense-base", sdir, root / f"r{i}.json")
            comp = report["comparisons"][0]
            sigs = {s["name"]: s for s in comp["signals"]}
            verdict = comp["verdict"]
            deciding = (
                ", ".join(f"{n} {_stat(sigs[n])}" for n in verdict["deciding"] if n in sigs) or "–"
            )
            sigma = sigs.get("sigma_curve", {})
            rows.append(
                (
                    name,
                    kind,
                    verdict["kind"],
                    verdict.get("subtype") or "–",
                    deciding,
                    f"{sigma['value']:.2f}" if sigma.get("computable") else "–",
                    code,
                    wall,
                )
            )
    print(
        "| suspect | truth | verdict | subtype | deciding statistics (against their nulls) "
        "| σ-curve r (context) | exit | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            "| " + " | ".join(str(x) if not isinstance(x, float) else f"{x:.1f}" for x in r) + " |"
        )
    wrong = [
        r[0]
        for r in rows
        if (r[1] == "negative") == (r[2] in ("consistent-with-derivation", "identical-tensors"))
    ]
    print(
        f"\n{len(rows)} cases, {len(wrong)} wrong: {wrong or 'none'}; "
        f"{time.perf_counter() - t_all:.1f} s in all"
    )


if __name__ == "__main__":
    main()
