"""`.modelcheck.yaml` (or `.modelcheck.yml`) at the repo root: kept raw; the config
loader validates it."""

from __future__ import annotations

from typing import Any

from compliance.facts.context import RepoContext

MODELCHECK_CONFIG = ".modelcheck.yaml"
MODELCHECK_CONFIG_YML = ".modelcheck.yml"  # the other spelling, read when the first is absent
_CAP = 256 << 10


def read_modelcheck_config(ctx: RepoContext) -> dict[str, Any]:
    name = MODELCHECK_CONFIG
    if MODELCHECK_CONFIG_YML in ctx.files:
        if MODELCHECK_CONFIG in ctx.files:
            ctx.notes.append(f"Both {name} and {MODELCHECK_CONFIG_YML}: {name} was read.")
        else:
            name = MODELCHECK_CONFIG_YML
    loaded = ctx.read_yaml(name, _CAP)
    if loaded is None or loaded.error is not None or loaded.value is None:
        return {}
    if not isinstance(loaded.value, dict):
        ctx.problem(
            "metadata-invalid",
            name,
            f"{name}: not a YAML mapping; ignored",
        )
        return {}
    return loaded.value
