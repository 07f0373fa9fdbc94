"""merge-conflict: a merge combines parents whose licences pull in different directions.

What: Checks a merge's ancestor licences for the combinations OBLIGATIONS.md §14 "Merges"
says a human must review: (a) a share-alike parent with a custom model licence; (b) two
versions of one licence family (e.g. two Llama versions); (c) a parent whose licence forbids
improving other models merged with another family; (d) a research-only parent (`mrl`,
`mnpl`) with a commercial claim. One finding per conflict found.
Why: Obligations of every parent apply cumulatively; these combinations cannot all be met,
or leave it ambiguous which terms apply.
Example: `base_model: [meta-llama/Llama-2-7b-hf, mistralai/Mistral-7B-v0.1]` (case c).
Known problems: families are approximated by licence (pack `family`, else the `families`
option, else the pack id).

Options:
  share_alike (list[str]): share-alike pack ids.            custom_categories (list[str])
  versioned_families (dict[str, list[str]]): family -> its versioned pack ids.
  outputs_ban (list[str]): packs forbidding improving other models with the model.
  families (dict[str, list[str]]): family -> pack ids, for (c).
  research_only (list[str]): packs barring commercial use, for (d).
  commercial_ids (list[str]): Hub ids counted as a commercial claim.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit, nearest
from compliance.checks.license_compatible import COMMERCIAL_IDS, is_commercial_claim
from compliance.lineage.model import Ancestor

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "merge-conflict"
OPTIONS: dict[str, Any] = {
    "share_alike": list[str],
    "custom_categories": list[str],
    "versioned_families": dict[str, list[str]],
    "outputs_ban": list[str],
    "families": dict[str, list[str]],
    "research_only": list[str],
    "commercial_ids": list[str],
}


def _branches(ctx: CheckContext) -> dict[str, list[Ancestor]]:
    """Direct parent -> itself plus every ancestor reached through it."""
    by_id = {a.repo_id: a for a in ctx.lineage.ancestors}
    out: dict[str, list[Ancestor]] = {a.repo_id: [] for a in ctx.lineage.direct()}
    for a in ctx.lineage.ancestors:
        node, guard = a, 0
        while node.depth > 1 and node.child in by_id and guard < 64:
            node, guard = by_id[node.child], guard + 1
        out.setdefault(node.repo_id, []).append(a)
    return out


def _family(ctx: CheckContext, license_id: str, families: dict[str, list[str]]) -> str:
    pack = ctx.packs.get(license_id)
    if pack is not None and pack.family:
        return pack.family
    for fam, ids in families.items():
        if license_id in ids:
            return fam
    return license_id


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    o = rule.check.options
    ancestors = [a for a in ctx.lineage.ancestors if a.license]
    lic = sorted({a.license for a in ancestors if a.license})
    hits: list[Hit] = []

    def hit(letter: str, text: str, involved: list[Ancestor]) -> None:
        ev = tuple(e for a in involved for e in a.evidence[:1])
        names = ", ".join(f"`{a.repo_id}` ({a.license})" for a in involved)
        hits.append(
            Hit(
                evidence=ev,
                ancestor=involved[0].repo_id,
                message=f"Merge conflict ({letter}): {text}: {names}. Review which terms apply.",
            )
        )

    # (a) share-alike + custom model licence
    sa = [x for x in lic if x in (o.get("share_alike") or [])]
    custom_cats = set(o.get("custom_categories") or [])
    custom = [x for x in lic if x in ctx.packs and ctx.packs[x].category in custom_cats]
    if sa and custom:
        hit(
            "a",
            "a share-alike parent is combined with a custom model licence",
            [nearest(ancestors, x) for x in sa + custom],
        )
    # (b) two versions of one family
    for fam, ids in sorted((o.get("versioned_families") or {}).items()):
        versions = [x for x in lic if x in ids]
        if len(versions) > 1:
            hit(
                "b",
                f"parents carry different {fam} licence versions",
                [nearest(ancestors, x) for x in versions],
            )
    # (c) outputs-ban parent merged with another family
    fams = o.get("families") or {}
    branches = _branches(ctx)
    branch_fams = {
        p: {_family(ctx, a.license, fams) for a in members if a.license}
        for p, members in branches.items()
    }
    for parent, members in sorted(branches.items()):
        for banned in sorted(
            {a.license for a in members if a.license and a.license in (o.get("outputs_ban") or [])}
        ):
            fam = _family(ctx, banned, fams)
            others = [
                q for q, fs in sorted(branch_fams.items()) if q != parent and fs and fam not in fs
            ]
            if others:
                hit(
                    "c",
                    f"a parent under {banned} (which forbids improving other models) is "
                    "merged with another model family",
                    [nearest(members, banned)] + [branches[q][0] for q in others],
                )
    # (d) research-only parent + commercial claim
    commercial_ids = tuple(o.get("commercial_ids") or COMMERCIAL_IDS)
    research = [x for x in lic if x in (o.get("research_only") or [])]
    declared = ctx.card.license_id
    claim = (
        declared is not None
        and declared != "other"
        and is_commercial_claim(ctx, declared, commercial_ids)
    )
    commercial_parents = [x for x in lic if x in ctx.packs and ctx.packs[x].commercial]
    if research and (claim or commercial_parents):
        what = f"the card declares `{declared}`" if claim else "another parent is commercial"
        hit(
            "d",
            f"a research-only parent is combined with a commercial claim ({what})",
            [nearest(ancestors, x) for x in research + commercial_parents],
        )
    return CheckResult.from_hits(hits)
