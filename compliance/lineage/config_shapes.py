"""Bases inferred from an exact config.json shape (rules/shapes.yaml).

Only an exact match of every listed dimension counts, and only when exactly one listed
model has that shape; an architecture class or a near match is never lineage.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from compliance.lineage.shipped_data import load_rules_yaml


@lru_cache(maxsize=1)
def shapes() -> tuple[tuple[str, dict[str, Any]], ...]:
    data: Any = load_rules_yaml("shapes.yaml")
    return tuple((s["model"], dict(s["config"])) for s in data["shapes"])


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(_same(v, got.get(k)) for k, v in want.items())
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(float(want), float(got), rel_tol=0, abs_tol=1e-9)
    return bool(want == got)


def shape_match(config: object) -> tuple[str, list[str]] | None:
    """(model id, keys compared) when `config` has exactly one listed model's shape."""
    if not isinstance(config, dict):
        return None
    found = [
        (model, list(shape))
        for model, shape in shapes()
        if all(_same(v, config.get(k)) for k, v in shape.items())
    ]
    return found[0] if len(found) == 1 else None
