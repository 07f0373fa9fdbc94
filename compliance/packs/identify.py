"""Which pack a licence text, a NOTICE text or a card's licence metadata means.

`identify_text` matches a file's text against each pack's signature phrase groups;
`pack_for_declared` maps the card's `license` / `license_name` / `license_link`.
Both are pure functions of their arguments (the built-in packs are the default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from compliance.checks.text import card_value, normalise
from compliance.packs.load import load_all
from compliance.packs.model import Pack


def identify_text(text: str, kind: str, packs: Iterable[Pack]) -> list[str]:
    """Pack ids whose signatures match `text`.

    `kind` "notice" uses `notice_signatures`; anything else ("license", "use-policy")
    uses `signatures`. A group matches when all its phrases occur (normalised text).
    """
    norm = normalise(text)
    out: list[str] = []
    for pack in packs:
        groups = pack.identity.notice_signatures if kind == "notice" else pack.identity.signatures
        if any(all(p in norm for p in g) for g in groups):
            out.append(pack.id)
    return out


def identifier(packs: Sequence[Pack]) -> Callable[[str, str], list[str]]:
    """The `identify(text, kind)` callback `read_facts` takes."""
    frozen = tuple(packs)
    return lambda text, kind: identify_text(text, kind, frozen)


def pack_for_declared(
    metadata: Mapping[str, Any], packs: Iterable[Pack] | None = None
) -> str | None:
    """The pack a card's `license` / `license_name` / `license_link` declare, if any
    (among `packs`, default: the built-in packs)."""
    if packs is None:
        packs = load_all()
    lic = card_value(metadata, "license")
    name = card_value(metadata, "license_name")
    link = card_value(metadata, "license_link")
    ordered = sorted(packs, key=lambda p: p.id)
    if lic and lic not in ("other", "unknown"):
        for p in ordered:
            if lic in (i.lower() for i in p.identity.hub_ids):
                return p.id
        return None
    if name:
        for p in ordered:
            if name in (n.lower() for n in p.identity.license_names):
                return p.id
    if link:
        for p in ordered:
            if any(u and link.startswith(u.lower()) for u in p.identity.urls):
                return p.id
    return None
