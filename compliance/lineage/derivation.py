"""Signs that a repo is derived from something, when no base model could be identified.

A merge config, an adapter, quantization files, `merge`/`moe`/`lora` tags, or a phrase such
as "a merge of Alpha, Beta and Gamma" say the model has ancestors even when none of them
is named in a form the lineage can resolve. Those ancestors' licences are then unknown,
which must show in the report (never "a base model", never a green headline).
"""

from __future__ import annotations

import re

from compliance.facts.model import Facts
from compliance.records import record
from compliance.regex_cache import compiled
from compliance.report import Evidence

_QUANT_FILES = ("quantize_config.json", "quant_config.json", "measurement.json")
_TAGS = {
    "merge": "merge", "mergekit": "merge", "moe": "merge", "frankenmerge": "merge",
    "lora": "adapter", "peft": "adapter", "qlora": "adapter",
}  # fmt: skip
_MERGE = r"\bmerge[ds]?\s+of\b|\bmerged\s+(?:using|with|from)\b|\bmergekit\b"
_FINETUNE = (
    r"\bfrom\s+the\s+weights\s+of\b|\bfine[- ]?tuned\s+version\s+of\b"
    r"|\bfine[- ]?tuned\s+model\s+(?:on|of|from)\b"
)
_QUANT = r"\bquanti[sz](?:ed|ations?)\s+(?:version\s+)?of\b|\bmodel\s+files\s+for\b"
_PHRASES = (
    (compiled(_MERGE, re.I), "merge"),
    (compiled(_FINETUNE, re.I), "finetune"),
    (compiled(_QUANT, re.I), "quantized"),
    (compiled(r"\b(?:lora|adapter)\s+(?:for|of|on\s+top\s+of)\b", re.I), "adapter"),
    (compiled(r"\bdistill(?:ed|ation)\s+(?:version\s+)?(?:from|of)\b", re.I), "distilled"),
)  # fmt: skip
_LINE_CAP = 2000  # characters of each card line looked at


@record(frozen=True)
class Signal:
    """One sign of how the model was derived, and where it was seen."""

    relation: str
    source: str  # where it was seen, for "Relation: merge (from …)"
    evidence: Evidence


def derivation_signals(facts: Facts) -> list[Signal]:
    """Every sign of derivation in the repo, strongest first."""
    out: list[Signal] = []
    for a in facts.adapters:
        out.append(Signal("adapter", a.file, Evidence(file=a.file, key="adapter config")))
    for m in facts.merges:
        out.append(Signal("merge", m.file, Evidence(file=m.file, line=m.line, key="merge config")))
    if facts.config.quantization:
        key = facts.config.quantization_key
        ev = Evidence(file="config.json", key=f"config.json:{key}")
        out.append(Signal("quantized", f"config.json {key}", ev))
    for path in sorted(facts.files):
        low = path.lower()
        if low.endswith(".gguf") or low.rsplit("/", 1)[-1] in _QUANT_FILES:
            out.append(Signal("quantized", path, Evidence(file=path)))
            break
    card = facts.card
    for tag in card.strings("tags"):
        relation = _TAGS.get(tag.strip().lower())
        if relation:
            ev = Evidence(
                file=card.path, line=card.metadata_lines.get("tags"), key="card:tags", seen=tag
            )
            out.append(Signal(relation, f"card tag {tag.strip()}", ev))
    if card.present and card.body:
        for i, line in enumerate(card.body.splitlines()):
            text = line[:_LINE_CAP]
            for pattern, relation in _PHRASES:
                hit = pattern.search(text)
                if hit:
                    n = card.body_start_line + i
                    ev = Evidence(file=card.path, line=n, key="card prose", seen=text.strip()[:200])
                    out.append(Signal(relation, f"card prose ({card.path} line {n})", ev))
                    break
    return out


# What the card's prose says was done to the base, for a relation the metadata leaves out.
# Stronger, rarer relations first: a card that says "distilled from" also says "trained".
_QUANTIZED = r"\bquanti[sz]ed\s+(?:to|with|in(?:to)?)\b|\b[2-8]-?bit\s+quanti[sz]|量化"
_ADAPTER = r"\b(?:q?lora|peft)\s+(?:adapter|weights|fine-?tun)|\blora\s+adapter\b"
_PROSE_RELATIONS = (
    (compiled(r"\bdistill(?:ed|ation)\b|蒸馏|蒸餾|蒸留", re.I), "distilled"),
    (compiled(_QUANTIZED, re.I), "quantized"),
    (compiled(_ADAPTER, re.I), "adapter"),
    (compiled(r"\bmerged?\s+(?:with|using)\s+mergekit\b|\bmergekit\b", re.I), "merge"),
)  # fmt: skip


def prose_relation(facts: Facts) -> tuple[str, str] | None:
    """(relation, where) from the card's prose, else None."""
    card = facts.card
    if not (card.present and card.body):
        return None
    lines = card.body.splitlines()[:400]
    for pattern, relation in _PROSE_RELATIONS:
        for i, line in enumerate(lines):
            if pattern.search(line[:_LINE_CAP]):
                return relation, f"card prose ({card.path} line {card.body_start_line + i})"
    return None
