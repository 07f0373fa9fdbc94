"""Licences inferred from model names (rules/name_families.yaml).

`family_of(name)` finds a licence-bearing family and version in a model name
("Llama-3.1-8B-SuperChat" → Llama 3.1), `base_from_name(name)` also needs a size and
returns the catalog model of that size. Both are evidence, weaker than a declaration.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from compliance.lineage.shipped_data import load_rules_yaml
from compliance.records import field, record

_SIZE = re.compile(r"(?<![a-z0-9.])(e?\d{1,4}(?:\.\d)?[bm])(?![a-z0-9])")
_NAME_CAP = 300


@record(frozen=True)
class NameFamily:
    """Model names of one family, the licence they carry and the sizes known."""

    name: str
    license: str
    pattern: re.Pattern[str]
    sizes: dict[str, str] = field(default_factory=dict)


@record(frozen=True)
class VendorPrefix:
    """An organisation whose model names carry one licence."""

    org: str
    name: re.Pattern[str]
    license: str


@lru_cache(maxsize=1)
def _data() -> Any:
    return load_rules_yaml("name_families.yaml")


def bare_names() -> dict[str, str]:
    """Bare model name -> catalog id (rules/name_families.yaml `bare_names`)."""
    return {str(k): str(v) for k, v in (_data().get("bare_names") or {}).items()}


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[NameFamily, ...], tuple[VendorPrefix, ...]]:
    data = _data()
    families = tuple(
        NameFamily(
            f["name"],
            f["license"],
            # a version is a whole token: "llama-30b" is not Llama 3, "l2norm" not Llama 2
            re.compile(rf"(?<![a-z0-9])(?:{f['pattern']})(?![a-z0-9]|[._]\d)"),
            {str(k).lower(): v for k, v in (f.get("sizes") or {}).items()},
        )
        for f in data["families"]
    )
    vendors = tuple(
        VendorPrefix(v["org"].lower(), re.compile(v["name"]), v["license"])
        for v in data.get("vendor_prefixes") or []
    )
    return families, vendors


def family_of(name: str) -> NameFamily | None:
    """The first family (most specific version first) whose name and version `name` carries."""
    low = name[:_NAME_CAP].lower().rsplit("/", 1)[-1]
    families, _ = _load()
    return next((f for f in families if f.pattern.search(low)), None)


def vendor_license(repo_id: str) -> str | None:
    """The licence of a vendor's whole family (every `google/gemma*`), else None."""
    org, _, name = repo_id[:_NAME_CAP].lower().partition("/")
    _, vendors = _load()
    return next((v.license for v in vendors if v.org == org and v.name.match(name)), None)


def base_from_name(name: str) -> tuple[NameFamily, str] | None:
    """(family, catalog id) when `name` carries a family, version and a listed size."""
    family = family_of(name)
    if family is None:
        return None
    low = name[:_NAME_CAP].lower().rsplit("/", 1)[-1]
    for m in _SIZE.finditer(low):
        if m.group(1) in family.sizes:
            return family, family.sizes[m.group(1)]
    return None
