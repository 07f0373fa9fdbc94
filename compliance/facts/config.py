"""config.json and generation_config.json (transformers)."""

from __future__ import annotations

from typing import Any

from compliance.facts.context import RepoContext
from compliance.facts.model import ConfigFacts

CONFIG_CAP = 2 << 20  # 2 MiB; real configs are a few KiB


def read_config(ctx: RepoContext) -> ConfigFacts:
    path = "config.json"
    data = ctx.read_json(path, CONFIG_CAP)
    if data is None:
        return ConfigFacts()
    if not isinstance(data, dict):
        ctx.problem("metadata-invalid", path, f"{path}: not a JSON object; ignored")
        return ConfigFacts()
    architectures = data.get("architectures")
    quantization, key = data.get("quantization_config"), "quantization_config"
    mlx = data.get("quantization")
    if not isinstance(quantization, dict) and isinstance(mlx, dict) and "bits" in mlx:
        # mlx-lm writes its quantization under `quantization` (newer versions add both)
        quantization, key = mlx, "quantization"
    return ConfigFacts(
        present=True,
        data=data,
        architectures=[a for a in architectures if isinstance(a, str)]
        if isinstance(architectures, list)
        else [],
        model_type=_str(data.get("model_type")),
        name_or_path=_str(data.get("_name_or_path")),
        quantization=quantization if isinstance(quantization, dict) else None,
        quantization_key=key,
    )


def read_generation_config(ctx: RepoContext) -> dict[str, Any] | None:
    path = "generation_config.json"
    data = ctx.read_json(path, CONFIG_CAP)
    if data is None:
        return None
    if not isinstance(data, dict):
        ctx.problem("metadata-invalid", path, f"{path}: not a JSON object; ignored")
        return None
    return data


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
