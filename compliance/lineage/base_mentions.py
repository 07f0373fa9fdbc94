"""Bases named in card prose without a Hub id: key-value lines, bare model names, merge
lists and other languages.

`lineage/prose.py` reads `org/name` ids after English trigger phrases. Real cards also
write "* **Base model:** [google/gemma-2-9b-it](…)", "Finetuned from model: X" (the Hub's
card template), "This model is based on Qwen-14B-Chat", "本模型基于 Qwen-7B-Chat 进行微调",
"… をベースに", "… 를 기반으로", and merge lists under "Models Merged". A bare name counts
only when the built-in catalog knows exactly one model by that name; an org is never
guessed. Every scan is bounded: a window after each trigger, names of at most a few words.
"""

from __future__ import annotations

import re
from typing import Any

from compliance.lineage.catalog_names import lookup_name
from compliance.lineage.merge_sentence import merge_sentence_names
from compliance.lineage.prose import WINDOW, unfenced_lines
from compliance.records import record
from compliance.regex_cache import compiled

_ID = r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}"
_HUB_ID = compiled(r"(?:https?://(?:www\.)?huggingface\.co/)?(" + _ID + r")", re.ASCII)
_NOT_REPOS = {"datasets", "spaces", "docs", "blog", "papers", "collections", "organizations"}
# a bare name: ASCII words (CJK text around it has no spaces), at most six of them
_WORD = compiled(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,80}", re.ASCII)
_DECORATION = " \t*_`\"'“”‘’「」『』《》[(（:："

_KEY = compiled(
    r"(?:[*+-][ \t]+)?(?:[*_]+[ \t]*)?(?P<key>base[ _-]?models?|finetuned from(?: model)?"
    r"|fine-tuned from(?: model)?|parent models?|original models?|foundation models?"
    r"|source models?|基础模型|基座模型|底座模型|基模型|ベースモデル|元モデル"
    r"|베이스 ?모델|기반 ?모델)"
    r"(?: ?\[optional\])?(?:[ \t]*[*_]+)?[ \t]*[:：](?:[ \t]*[*_]+)?[ \t]*",
    re.I,
)
_KEY_SPAN = 300  # a key-value label sits at the start of its line
# English phrases after which a model name follows
_BEFORE = compiled(
    r"\b(?:based\s+on|built\s+(?:up)?on(?:\s+top\s+of)?|initiali[sz]ed\s+(?:from|with)"
    r"|fine[- ]?tun(?:ed|e|ing)\s+(?:version\s+)?(?:of|from|on)|continued\s+pre-?training\s+"
    r"(?:of|from|on)|(?:trained|derived)\s+from(?:\s+the\s+weights\s+of)?"
    r"|distill(?:ed|ation)\s+(?:version\s+)?(?:from|of)|quanti[sz](?:ed|ation)s?\s+"
    r"(?:version\s+)?of|(?:lora|adapter)\s+(?:for|of|on\s+top\s+of)|merge[ds]?\s+of"
    r"|on\s+top\s+of|integrated|(?:iteration|variant|modification)\s+(?:of|from))"
    r"\s+(?:the\s+|an?\s+)?(?:model\s+)?(?:weights\s+of\s+)?(?:the\s+)?",
    re.I,
)
# a link to a model on the Hub in a sentence about derivation: "pruned and further
# pre-trained from [meta-llama/Llama-2-7b-hf](…)", "fine-tune on top of [Mistral 7B](…)"
_HUB_LINK = compiled(
    r"\]\(https?://(?:www\.)?huggingface\.co/([A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})"
    r"[/)#?]",
    re.ASCII,
)
_DERIVATION_WORDS = compiled(
    r"fine-?tun|train|prun|based\s+on|on\s+top\s+of|deriv|initiali[sz]|quanti[sz]|merg"
    r"|distill|built\s+(?:up)?on|upscal|convert|modification|modified|iteration\s+of"
    r"|基于|基於|微调|ベース|기반",
    re.I,
)
# a link that names a design, a comparison or a citation, not a parent
_NOT_PARENT_BEFORE = compiled(
    r"(?:inspired\s+by|similar\s+to|compared\s+(?:to|with)|than|unlike|like|vs\.?|versus"
    r"|outperforms?|beats?)\s+(?:the\s+)?\[?[^\s\[\]]{0,5}$",
    re.I,
)
_NOT_PARENT_AFTER = compiled(r"\)?\s*(?:'s\s+)?architecture\b", re.I)
_SENTENCE_START = compiled(r".*[.!?。](?:\s|$)", re.S)
# Chinese: 基于 X / 在 X 基础上 / 以 X 为基础, with a training verb later in the same sentence
_ZH_BEFORE = compiled(r"(?:基于|基於|在|以|使用|采用|對|对)\s*")
_ZH_VERB = compiled(
    r"微调|微調|训练|訓練|继续预训练|量化|蒸馏|蒸餾|合并|融合|精调|调优|指令精调|对齐"
)
_ZH_SENTENCE_END = compiled(r"[。！？!?\n]")
# Japanese / Korean: the name comes first, then an optional particle and the phrase
_JA_KO_AFTER = compiled(
    r"ベースモデルとして|ベースに|ベースとして|元に|ファインチューニング|微調整"
    r"|기반으로|기반|바탕으로|파인튜닝"
)
_PARTICLES = ("모델을", "を", "을", "를", "의")
_MERGE_HEADING = compiled(
    r"(?:#{1,6}[ \t]*|[*_]{1,3})?(?:models?\s+merged|merged\s+models?|models\s+used"
    r"|source\s+models?|merge\s+details|models\s+in\s+the\s+merge|合并的模型|融合模型)\b",
    re.I,
)
# a sentence that ends where a list of its models begins: "… MoE model based on" + bullets
_LIST_INTRO = compiled(
    r"\b(?:based\s+on|merge\s+of|merged\s+from|consists\s+of|made\s+from|built\s+from"
    r"|combin(?:es|ing)|models\s+used)[ \t]*:?$",
    re.I,
)
_BULLET = compiled(r"\s*(?:[*+-]|\d{1,3}[.)])\s+")
_RELATION_WORDS = (
    (compiled(r"merge|合并|融合", re.I), "merge"),
    (compiled(r"distill|蒸馏|蒸餾", re.I), "distilled"),
    (compiled(r"quanti|量化", re.I), "quantized"),
    (compiled(r"\blora\b|adapter", re.I), "adapter"),
    (
        compiled(
            r"fine|tun|微调|微調|训练|訓練|精调|调优|ファインチューニング|微調整|파인튜닝", re.I
        ),
        "finetune",
    ),
)


@record(frozen=True)
class Mention:
    """A base model the card names: the repo, the text as written, and where it stands."""

    repo_id: str  # a Hub id as written, or the catalog id a bare name resolved to
    written: str  # the text as written in the card
    relation: str | None
    line: int  # 1-based line of the card
    text: str  # the line, stripped (capped)
    how: str  # "key-value line", "bare name", "merge list", "Chinese prose", …


def _relation(phrase: str) -> str | None:
    for pattern, relation in _RELATION_WORDS:
        if pattern.search(phrase):
            return relation
    return None


def _hub_id(text: str) -> str | None:
    m = _HUB_ID.match(text.lstrip(_DECORATION))
    if m is None:
        return None
    rid = m.group(1).rstrip(".-")
    org = rid.split("/", 1)[0].lower()
    return None if org in _NOT_REPOS else rid


def _words(text: str, start: int = 0) -> list[str]:
    """Up to six space-separated ASCII words from `start` (decoration skipped)."""
    words: list[str] = []
    pos = start
    while pos < len(text) and text[pos] in _DECORATION:
        pos += 1
    while len(words) < 6:
        m = _WORD.match(text, pos)
        if m is None:
            break
        words.append(m.group().rstrip(".,;:"))
        if m.group().endswith((".", ",", ";", ":")) or m.end() >= len(text) or text[m.end()] != " ":
            break
        pos = m.end() + 1
    return words


def _named(catalog: Any, words: list[str]) -> tuple[str, str] | None:
    """(catalog id, as written) for the longest leading run of words that names a model."""
    for n in range(len(words), 0, -1):
        written = " ".join(words[:n])
        if not any(c.isdigit() for c in written):
            continue  # a family word alone ("Llama", "Mistral") names no model
        entry = lookup_name(catalog, written)
        if entry is not None:
            return entry.repo_id, written
    return None


def _value(catalog: Any, text: str) -> tuple[str, str] | None:
    """A model in a key-value value or a list item: a Hub id or link, else a known name."""
    rid = _hub_id(text)
    if rid is not None:
        return rid, rid
    return _named(catalog, _words(text))


_LINK_TARGET = compiled(r"^\]\([^)\s]{0,500}\)")
_PLACEHOLDERS = compiled(r"more information needed|n/?a|none|unknown|tbd|todo|\[", re.I)


def _unknown_name(value: str) -> str | None:
    """A model name written in a key-value line that no catalog entry has (one to four
    words with a digit, e.g. "LLaMA-13b"); None for placeholders and prose."""
    stripped = value.strip(_DECORATION)
    if not stripped or _PLACEHOLDERS.match(stripped):
        return None
    words = _words(stripped)
    if not 1 <= len(words) <= 4:
        return None
    written = " ".join(words)
    rest = _LINK_TARGET.sub("", stripped[len(written) :]).strip(" .;,*_)]`")
    if rest or not any(c.isdigit() for c in written) or len(written) < 3:
        return None
    return written


def _is_parent_link(line: str, m: re.Match[str]) -> bool:
    """False for "inspired by the [X](…) architecture", "better than [X](…)"."""
    text_start = line.rfind("[", max(0, m.start() - 200), m.start())
    before = line[max(0, text_start - 60) : text_start if text_start >= 0 else m.start()]
    close = line.find(")", m.end() - 1, m.end() + 200)
    after = line[close if close >= 0 else m.end() : m.end() + 80]
    return not (_NOT_PARENT_BEFORE.search(before) or _NOT_PARENT_AFTER.match(after))


def _in_line(catalog: Any, line: str) -> list[tuple[str, str, str | None, str]]:
    """(repo id, written, relation, how) for the bare names and key-value lines of a line."""
    out: list[tuple[str, str, str | None, str]] = []
    key = _KEY.match(line.lstrip()[:_KEY_SPAN])
    if key is not None:
        value = line.lstrip()[key.end() : key.end() + WINDOW]
        found = _value(catalog, value)
        if found:
            out.append((*found, _relation(key.group("key")), "key-value line"))
        elif written := _unknown_name(value):
            # a base named outright but unknown: kept as written, its licence stays unknown
            out.append((written, written, _relation(key.group("key")), "key-value line"))
    for m in _BEFORE.finditer(line):
        window = line[m.end() : m.end() + WINDOW]
        if _hub_id(window):
            continue  # an org/name id: lineage/prose.py reads those
        found = _named(catalog, _words(window))
        if found:
            out.append((*found, _relation(m.group()), "bare name"))
    for m in _HUB_LINK.finditer(line):
        rid = m.group(1).rstrip(".-")
        if rid.split("/", 1)[0].lower() in _NOT_REPOS:
            continue
        before = line[max(0, m.start() - 200) : m.start()]
        cut = _SENTENCE_START.match(before)
        sentence = before[cut.end() :] if cut else before
        words = _DERIVATION_WORDS.search(sentence)
        if words is not None and _is_parent_link(line, m):
            out.append((rid, rid, _relation(words.group()), "Hub link in prose"))
    for m in _ZH_BEFORE.finditer(line):
        window = line[m.end() : m.end() + 200]
        rid = _hub_id(window)
        found = (rid, rid) if rid else _named(catalog, _words(window))
        if not found:
            continue
        end = _ZH_SENTENCE_END.search(window)
        verb = _ZH_VERB.search(window, 0, end.start() if end else len(window))
        if verb is not None:
            out.append((*found, _relation(verb.group()), "Chinese prose"))
    for m in _JA_KO_AFTER.finditer(line):
        head = line[max(0, m.start() - 120) : m.start()].rstrip()
        for particle in _PARTICLES:
            if head.endswith(particle):
                head = head[: -len(particle)].rstrip()
                break
        head = head.rstrip(_DECORATION)
        token = re.search(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,110}$", head, re.ASCII)
        if token is None:
            continue
        found = _value(catalog, token.group())
        if found:
            out.append((*found, _relation(m.group()) or "finetune", "Japanese/Korean prose"))
    return out


def find_mentions(
    body: str, catalog: Any, first_line: int = 1, merge_card: bool = False
) -> list[Mention]:
    """Bases named in the card body in the forms above, in order of appearance.
    `merge_card` (a card tagged `merge`/`moe`): every link to a model on the Hub counts
    as a parent, since such cards link their parents without a trigger phrase."""
    out: list[Mention] = []
    seen: set[str] = set()
    in_list = False
    for i, line in unfenced_lines(body):
        found: list[tuple[str, str, str | None, str]] = []
        if in_list:
            bullet = _BULLET.match(line)
            if bullet:
                hit = _value(catalog, line[bullet.end() : bullet.end() + WINDOW])
                if hit:
                    found.append((*hit, "merge", "merge list"))
            elif line.lstrip().startswith("#") and not _MERGE_HEADING.match(line.lstrip()[:200]):
                in_list = False  # the list ends with its section
        head = line.lstrip()[:200]
        if _MERGE_HEADING.match(head) or _LIST_INTRO.search(line.rstrip()[-80:]):
            in_list = True
        if merge_card:
            for m in _HUB_LINK.finditer(line):
                rid = m.group(1).rstrip(".-")
                if rid.split("/", 1)[0].lower() not in _NOT_REPOS and _is_parent_link(line, m):
                    found.append((rid, rid, "merge", "Hub link in a merge card"))
        found += _in_line(catalog, line)
        for name in merge_sentence_names(line):
            hit = _value(catalog, name)
            if hit:
                found.append((*hit, "merge", "merge sentence"))
        for rid, written, relation, how in found:
            if rid.lower() in seen:
                continue
            seen.add(rid.lower())
            out.append(Mention(rid, written, relation, first_line + i, line.strip()[:200], how))
    return out
