"""Rule and licence metadata for the reporters that describe rules (SARIF) or
licences (SPDX, CycloneDX): looked up in the loaded packs, by id."""

from __future__ import annotations

from functools import lru_cache

from compliance.rule_model import Pack, Rule


@lru_cache(maxsize=1)
def _packs() -> dict[str, Pack]:
    from compliance import packs

    # memoised per process: the pipeline has usually loaded these already
    return {p.id: p for p in packs.load_all()}


def pack(pack_id: str | None) -> Pack | None:
    return _packs().get(pack_id) if pack_id else None


def rule(rule_id: str) -> Rule | None:
    p = pack(rule_id.split("/", 1)[0])
    return next((r for r in p.rules if r.id == rule_id), None) if p else None


def license_url(p: Pack | None) -> str | None:
    """The first http(s) URL the pack lists for its licence text."""
    if p is None:
        return None
    return next((u for u in p.identity.urls if u.startswith(("https://", "http://"))), None)


def pack_for_hub_id(value: str) -> Pack | None:
    """The licence pack whose card `license:` / `license_name:` values include `value`."""
    v = value.strip().lower()
    for p in _packs().values():
        names = (*p.identity.hub_ids, *p.identity.license_names)
        if p.kind == "license" and v in {x.lower() for x in names}:
            return p
    return None
