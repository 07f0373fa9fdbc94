"""`.modelcheck.yaml` at the repo root: kept raw; the config loader validates it."""

from __future__ import annotations

from typing import Any

from compliance.facts.context import RepoContext

MODELCHECK_CONFIG = ".modelcheck.yaml"
_CAP = 256 << 10


def read_modelcheck_config(ctx: RepoContext) -> dict[str, Any]:
    loaded = ctx.read_yaml(MODELCHECK_CONFIG, _CAP)
    if loaded is None or loaded.error is not None or loaded.value is None:
        return {}
    if not isinstance(loaded.value, dict):
        ctx.problem(
            "metadata-invalid",
            MODELCHECK_CONFIG,
            f"{MODELCHECK_CONFIG}: not a YAML mapping; ignored",
        )
        return {}
    return loaded.value
