"""What a third party needs, besides the inputs, to rerun a comparison and get the same
numbers: the version of the rules that turn statistics into verdicts and findings, and
the version of the sampling plan that chose the rows.

Both are short digests of canonical JSON, so two reports can be compared by eye:

* rules version: the `weights/*` rule documentation (`rule_docs.RULES`) and every numeric
  constant of the modules that decide (each registered signal, the verdict, the coverage
  qualification), read from the modules themselves, so a changed threshold changes it;
* plan version: the plan's schema, seed and a digest of all its parameters.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

DIGEST_HEX = 16  # 64 bits: enough to tell versions apart, short enough to read


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()[:DIGEST_HEX]


def _constants(module: Any) -> dict[str, float]:
    """A module's upper-case numeric constants (thresholds, limits, sample sizes)."""
    out: dict[str, float] = {}
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = value
    return out


def deciding_modules() -> dict[str, Any]:
    """name -> module, for every module whose constants decide a verdict or a finding."""
    from compliance.weights import coverage, verdict
    from compliance.weights.signals import SIGNALS

    out = {name: sys.modules[fn.__module__] for name, fn in SIGNALS.items()}
    out["verdict"] = verdict
    out["coverage"] = coverage
    return out


def rules_material() -> dict[str, Any]:
    """Everything the rules version digests (tests and `--format json` readers can look)."""
    from compliance.weights.rule_docs import RULES

    return {
        "rule_docs": RULES,
        "thresholds": {name: _constants(m) for name, m in deciding_modules().items()},
    }


_RULES_VERSION: str | None = None


def rules_version() -> str:
    global _RULES_VERSION
    if _RULES_VERSION is None:
        _RULES_VERSION = _digest(rules_material())
    return _RULES_VERSION


def plan_version(plan: dict[str, Any]) -> str:
    """'schema S, seed N, sha256:…' for a plan's `as_dict()`."""
    return f"schema {plan.get('schema')}, seed {plan.get('seed')}, {_digest(plan)}"


def source_files(view: Any) -> list[dict[str, Any]] | None:
    """What a fingerprint records of the files it was made from, without reading them
    again: path, size and, for a Hub file, its LFS sha256 (local files are identified by
    the digests of their tensors, which the fingerprint stores; see `tensor_digests`)."""
    files = getattr(view, "files", None)
    paths = getattr(view, "weight_files", None)
    if files is None or not paths:
        return None
    out: list[dict[str, Any]] = []
    for path in paths:
        lfs = files.lfs_sha256(path)
        out.append({
            "path": path,
            "bytes": files.size(path),
            "digest": f"lfs-sha256:{lfs}" if lfs else None,
        })
    return out


def tensor_digests(digests: Any, samples: Any = None) -> dict[str, Any] | None:
    """One digest over a fingerprint's per-tensor digests (key -> "<algorithm>:<hex>"):
    the identity of the weights it was made from, as far as it hashed them. Without
    whole-tensor digests (the default), over the digests of the sampled rows: the identity
    of every value the comparison's numbers come from, though not of the whole model."""
    kind = "whole tensors"
    if not isinstance(digests, dict) or not digests:
        digests, kind = samples, "sampled rows"
    if not isinstance(digests, dict) or not digests:
        return None
    pairs = sorted((str(k), str(v)) for k, v in digests.items())
    algos = sorted(
        {v.removeprefix("sample-").partition(":")[0] if ":" in v else "sha256" for _k, v in pairs}
    )
    return {"tensors": len(pairs), "algorithms": algos, "digest": _digest(pairs), "kind": kind}


# Where the decisive thresholds come from (the nulls of each comparison are stated per
# signal); kept in step with docs/lineage.md, Calibration, and its benchmark.
CALIBRATION = (
    "Decision thresholds were calibrated by benchmarks/calibrate_lineage.py on synthetic "
    "fixtures (positives; hard negatives: same-statistics redraws, other seeds, shared depth "
    "profiles, independent MoEs), on transforms of one real model (all-MiniLM-L6-v2) and on "
    "real related pairs (its int8 export; multilingual-e5-small pruned to two languages); "
    "no real pair of models known to be trained independently, at the same width, has been "
    "measured yet (docs/lineage.md, Calibration)."
)
