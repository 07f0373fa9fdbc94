"""PEFT adapters: adapter_config.json at the root or one folder down."""

from __future__ import annotations

from compliance.facts.context import RepoContext, clip
from compliance.facts.local_path import looks_local
from compliance.facts.model import AdapterFacts

ADAPTER_CONFIG = "adapter_config.json"
_CAP = 1 << 20


def adapter_paths(paths: list[str]) -> list[str]:
    out = [p for p in paths if p == ADAPTER_CONFIG]
    out += sorted(p for p in paths if p.count("/") == 1 and p.endswith("/" + ADAPTER_CONFIG))
    return out


def read_adapters(ctx: RepoContext) -> list[AdapterFacts]:
    adapters: list[AdapterFacts] = []
    for path in adapter_paths(ctx.paths()):
        data = ctx.read_json(path, _CAP)
        if data is None:
            continue
        if not isinstance(data, dict):
            ctx.problem("metadata-invalid", path, f"{path}: not a JSON object; ignored")
            continue
        base = data.get("base_model_name_or_path")
        if isinstance(base, str) and looks_local(base):
            ctx.problem(
                "metadata-invalid",
                path,
                f"{path}: base_model_name_or_path {clip(base, 100)!r} is a local path, not a "
                "Hub repo id; the Hub will not link the base",
            )
        peft_type = data.get("peft_type")
        adapters.append(
            AdapterFacts(
                file=path,
                base_model=base if isinstance(base, str) else None,
                peft_type=peft_type if isinstance(peft_type, str) else None,
            )
        )
    return adapters
