"""Which pack a licence text, a NOTICE text or a card's licence metadata means.

`identify_text` matches a file's text against each pack's signature phrase groups;
`pack_for_declared` maps the card's `license` / `license_name` / `license_link`.
Both are pure functions of their arguments. `Identifier` binds them to one final
set of packs: the pipeline builds it once, after `.modelcheck.yaml` has named its
rule folders, and hands it to the engine and the Hub resolver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from compliance.facts.model import Card, LicenseFile
from compliance.rule_model import Pack
from compliance.text import normalise


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


def pack_for_declared(
    license: str | None,
    license_name: str | None,
    license_link: str | None,
    packs: Iterable[Pack],
) -> str | None:
    """The pack a card's `license` / `license_name` / `license_link` declare, if any."""
    lic = license.lower() if license else None
    name = license_name.lower() if license_name else None
    link = license_link.lower() if license_link else None
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


class Identifier:
    """Identification against one final set of packs (`lineage.model.LicenseIdentifier`)."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        self.packs = tuple(packs)

    def card(self, card: Card) -> str | None:
        """The pack the card's licence metadata declares (None without a card)."""
        if not card.present:
            return None
        return pack_for_declared(card.license, card.license_name, card.license_link, self.packs)

    def license_value(self, value: str) -> str | None:
        """The pack a bare licence value (e.g. GGUF `general.license`) names."""
        return pack_for_declared(value, None, None, self.packs)

    def files(self, files: Iterable[LicenseFile]) -> Mapping[str, tuple[str, ...]]:
        """path -> ids of the packs each licence-bearing file's text matches."""
        return {f.path: tuple(identify_text(f.text, f.kind, self.packs)) for f in files}
