"""The calibration of calibrate_lineage.py under another sampling plan, or through
fingerprint files, to check that a plan or storage choice keeps the release gate
(0 hard negatives called derived, every positive detected).

The synthetic fixtures are 128 wide with 6 layers, so the default plan neither sketches
their rows (sketch_dim 256) nor skips any down projection (neuron_layers 8). To test those
choices at the fixtures' scale, shrink them: `--plan sketch_dim=64 --plan neuron_layers=3`
sketches every 128-wide row to 64 dimensions (a harder compression than 5120 -> 256 in
relative error, which is ~1/sqrt(dim)) and reads the down projections of 3 of 6 layers.
`--fingerprint` writes both models of each pair to fingerprint files first and compares
those (8-bit down projections, F16 sketches), as `modelcheck lineage A.fp --against B.fp`.

    .venv/bin/python benchmarks/calibrate_plan.py [--plan FIELD=INT ...] [--fingerprint]
        [--no-real]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibrate_lineage as C  # noqa: E402

from compliance.weights.fingerprint import FingerprintView, write_fingerprint  # noqa: E402
from compliance.weights.signals import SamplePlan, run_all  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", action="append", default=[], metavar="FIELD=INT",
                    help="a SamplePlan field to change (repeatable); 'none' for None")
    ap.add_argument("--fingerprint", action="store_true",
                    help="compare fingerprint files of both models, not the models")
    ap.add_argument("--no-real", action="store_true", help="skip the real MiniLM fixtures")
    args = ap.parse_args()
    fields: dict[str, Any] = {}
    for item in args.plan:
        key, _, value = item.partition("=")
        fields[key] = None if value.lower() == "none" else int(value)
    plan = SamplePlan(**fields)
    work = Path(tempfile.mkdtemp(prefix="calibrate-plan-"))
    made = 0

    def as_fingerprint(view: Any) -> Any:
        nonlocal made
        made += 1
        out = work / f"{made}.safetensors"
        write_fingerprint(view, out, plan, repo_id=f"calibration/{made}")
        return FingerprintView(out)

    def run(a: Any, b: Any, _plan: Any = None, only: list[str] | None = None) -> list[Any]:
        if args.fingerprint:
            a, b = as_fingerprint(a), as_fingerprint(b)
        return run_all(a, b, plan, only=only)

    C.run_all = run  # every comparison of the calibration goes through this plan
    print(f"plan: {plan.as_dict()}; through fingerprints: {args.fingerprint}")
    sys.argv = [sys.argv[0], *(["--no-real"] if args.no_real else [])]
    try:
        return C.main()
    finally:
        for p in work.glob("*"):
            p.unlink()
        work.rmdir()


if __name__ == "__main__":
    raise SystemExit(main())
