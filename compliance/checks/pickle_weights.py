"""pickle-weights: weights stored as pickle files, which modelcheck does not open.

What: Checks for weight files in pickle-based formats (`.bin`, `.pt`, `.pth`, `.ckpt`, `.pkl`).
Why: Unpickling runs code from the file, so modelcheck never loads them; their contents
(and any lineage evidence in them) stay unverified. safetensors carries the same tensors safely.
Example: a repo with only `pytorch_model.bin`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "pickle-weights"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    files = sorted(w.path for w in ctx.facts.weights if w.format == "pickle")
    if not files:
        return CheckResult.met()
    shown = ", ".join(f"`{f}`" for f in files[:5]) + (" …" if len(files) > 5 else "")
    return CheckResult.not_met(
        *(Evidence(file=f) for f in files),
        message=f"Weights in pickle format were not opened ({shown}); "
        "their contents are unverified.",
    )
