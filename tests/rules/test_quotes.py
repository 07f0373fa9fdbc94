"""Every rule's `clause.quote` really is in the licence text it cites, and every
phrase a rule enforces comes from that licence.

The licence texts live outside the repo (reference material in
`<repo>/../shared/reference/licenses`, or `$MODELCHECK_SHARED`). Without them
these tests skip with a reason on a developer's machine and fail under `CI=true`.
Quote matching follows OBLIGATIONS.md: whitespace collapsed and curly quotes
(“ ” ‘ ’) treated as straight ones, nothing else. Enforced phrases are matched the
way the check kinds match them (`compliance.text.normalise`).
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.text import normalise as check_normalise

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WS.sub(" ", text.translate(_QUOTES)).strip()


def licenses_dir() -> Path | None:
    """The reference licence folder, or None when it is not available here."""
    candidates = []
    env = os.environ.get("MODELCHECK_SHARED")
    if env:
        candidates += [Path(env) / "reference" / "licenses", Path(env) / "licenses", Path(env)]
    candidates.append(REPO.parent / "shared" / "reference" / "licenses")
    for c in candidates:
        if (c / "OBLIGATIONS.md").is_file():
            return c
    return None


def require_licenses() -> Path:
    """The reference licence folder; skips without it, except under CI where a missing
    folder would turn every quote check into a silent skip."""
    folder = licenses_dir()
    if folder is not None:
        return folder
    message = "reference licence texts not available (set MODELCHECK_SHARED)"
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}; CI must check every quote")
    pytest.skip(message)


MIN_QUOTE_WORDS = 5  # shorter quotes ("Built with Llama") cannot show which clause applies
_POLICY_TAIL = re.compile(r"-(?:[a-z]+-)?use-policy\.txt$")


def own_texts(pack: dict) -> list[str]:
    """The saved texts a pack's rules may cite: its licence text, its use policy
    (`<id>-use-policy.txt`, `<licence stem>-acceptable-use-policy.txt`, ...) and its
    NOTICE (`<id>-NOTICE.txt`)."""
    folder = licenses_dir()
    own = pack.get("source_text")
    out = [own] if own else []
    if folder is None:
        return out
    stem = own[: -len(".txt")] if own and own.endswith(".txt") else None
    for f in sorted(folder.glob("*use-policy.txt")):
        base = _POLICY_TAIL.sub("", f.name)
        if base == pack.get("id") or (stem and (stem == base or stem.startswith(base + "-"))):
            out.append(f.name)
    if (folder / f"{pack.get('id')}-NOTICE.txt").is_file():
        out.append(f"{pack.get('id')}-NOTICE.txt")
    return out


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)


def rule_files() -> list[tuple[dict, dict, Path]]:
    """(pack.yaml data, rule data, rule path) for every rule of every pack under rules/."""
    out = []
    for pack_file in sorted(RULES.glob("**/pack.yaml")):
        pack = _load(pack_file)
        for path in sorted(pack_file.parent.glob("*.yaml")):
            if path.name != "pack.yaml":
                out.append((pack, _load(path), path))
    return out


@cache
def _text(name: str) -> str | None:
    folder = licenses_dir()
    if folder is None or not (folder / name).is_file():
        return None
    return normalise((folder / name).read_text(encoding="utf-8"))


ALL_RULES = rule_files()
# Core rules (pack kind: core) rest on no licence text; policy packs may or may not quote one.
RULE_CASES = [c for c in ALL_RULES if (c[1].get("clause") or {}).get("quote")]
IDS = [str(p.relative_to(RULES)) for _, _, p in RULE_CASES]


def test_there_are_rules_to_check() -> None:
    assert len(RULE_CASES) >= 60, "the licence packs should define at least 60 quoted rules"


def test_every_licence_rule_quotes_a_clause() -> None:
    bare = [
        str(p)
        for pack, rule, p in ALL_RULES
        if pack.get("kind") == "license" and not (rule.get("clause") or {}).get("quote")
    ]
    assert not bare, f"licence rules without a clause quote: {bare}"


@pytest.mark.parametrize(("pack", "rule", "path"), RULE_CASES, ids=IDS)
def test_quote_is_in_cited_text(pack: dict, rule: dict, path: Path) -> None:
    clause = rule["clause"]
    require_licenses()
    source = clause.get("source") or pack.get("source_text")
    if source is None:
        assert clause.get("verified") is False, f"{path}: no source text, so verified must be false"
        assert clause.get("note"), f"{path}: unverified quote without a note saying why"
        return
    text = _text(source)
    assert text is not None, f"{path}: cited source {source!r} is not in the reference folder"
    assert normalise(clause["quote"]) in text, (
        f"{path}: quote not found in {source}: {clause['quote']!r}"
    )


@pytest.mark.parametrize(("pack", "rule", "path"), RULE_CASES, ids=IDS)
def test_unverified_quotes_say_why(pack: dict, rule: dict, path: Path) -> None:
    clause = rule["clause"]
    if pack.get("verification") == "not-found":
        assert clause.get("verified") is False, f"{path}: the licence text was not found"
    if clause.get("verified") is False:
        assert clause.get("note"), f"{path}: verified: false needs a note saying why"
    source = clause.get("source") or pack.get("source_text")
    if clause.get("verified", True):
        # A quote marked verified must rest on a saved licence text, not on the notes.
        assert source and source.endswith(".txt"), (
            f"{path}: verified quote must cite a licence text file, not {source!r}"
        )


@pytest.mark.parametrize(
    "pack_file", sorted(RULES.glob("**/pack.yaml")), ids=lambda p: p.parent.name
)
def test_signatures_identify_their_own_text(pack_file: Path) -> None:
    """Each signature group occurs in the pack's own text and in no other saved licence."""
    folder = require_licenses()
    pack = _load(pack_file)
    identity = pack.get("identity") or {}
    groups = identity.get("signatures") or []
    own = pack.get("source_text")
    if own:
        text = (_text(own) or "").casefold()
        assert text, f"{pack_file}: source_text {own!r} missing"
        assert any(all(normalise(p).casefold() in text for p in g) for g in groups), (
            f"{pack_file}: no signature group matches its own text {own}"
        )
    saved = [(_text(f.name) or "").casefold() for f in sorted(folder.glob("*.txt"))]
    for g in identity.get("notice_signatures") or []:
        # The notice sentence is quoted from a saved text (own licence or a saved NOTICE file).
        assert any(all(normalise(p).casefold() in t for p in g) for t in saved) or not own, (
            f"{pack_file}: notice signature {g} occurs in no saved licence or NOTICE text"
        )
    for other in sorted(folder.glob("*.txt")):
        if other.name == own or other.name.endswith("use-policy.txt"):
            continue
        body = (_text(other.name) or "").casefold()
        for g in groups:
            hit = all(normalise(p).casefold() in body for p in g)
            assert not hit or _same_family(pack, other.name), (
                f"{pack_file}: signature {g} also matches {other.name}"
            )


def _same_family(pack: dict, filename: str) -> bool:
    """Texts a pack legitimately shares signatures with: other copies of the same licence."""
    shared = {
        "gemma": {"gemma-2024-04-01.txt", "gemma-2024-02-21.txt"},  # generic "Gemma terms" group
        "gemma-2024": {"gemma-2024-02-21.txt"},
        "mit": {"deepseek-r1-mit.txt", "phi-mit.txt"},
    }
    return filename in shared.get(pack.get("id", ""), set())


@pytest.mark.parametrize(("pack", "rule", "path"), RULE_CASES, ids=IDS)
def test_quote_is_long_enough_to_find_its_clause(pack: dict, rule: dict, path: Path) -> None:
    words = normalise(rule["clause"]["quote"]).split()
    assert len(words) >= MIN_QUOTE_WORDS, (
        f"{path}: quote {rule['clause']['quote']!r} is shorter than {MIN_QUOTE_WORDS} words"
    )


@pytest.mark.parametrize(("pack", "rule", "path"), RULE_CASES, ids=IDS)
def test_quote_cites_its_own_pack(pack: dict, rule: dict, path: Path) -> None:
    """A rule quotes its pack's licence (or that licence's use policy / NOTICE), never
    another licence; a pack without a saved text may only cite the notes, unverified."""
    require_licenses()
    clause = rule["clause"]
    source = clause.get("source") or pack.get("source_text")
    allowed = own_texts(pack)
    if not pack.get("source_text") and source == "OBLIGATIONS.md":
        assert clause.get("verified") is False, f"{path}: a quote from the notes is unverified"
        return
    if not pack.get("source_text") and source is None:
        # no saved text: the quote is unverified and says which public copy it was read in
        assert clause.get("verified") is False, f"{path}: a quote with no saved text is unverified"
        assert "http" in (clause.get("note") or ""), f"{path}: the note names the public source"
        return
    assert source in allowed, f"{path}: cites {source!r}, not its pack's texts {allowed}"


_QUOTED = re.compile(r"“([^”]+)”")


def enforced_phrases(rule: dict) -> tuple[list[str], list[str]]:
    """(every one of these, at least one of these): the wording a rule requires.

    file-contains: its phrases (NOTICE sentences, licence titles); name-starts-with: its
    prefixes; card-contains: a display rule's phrases and the strings its message tells
    the user to display (“Built with Llama”). A card-contains rule whose message quotes
    nothing looks for evidence in the card's own words ("fine-tuned", "CC BY 4.0"),
    which no licence prescribes.
    """
    check = rule["check"]
    options = check.get("options") or {}
    every, some = list(options.get("all") or []), list(options.get("any") or [])
    if check["kind"] == "file-contains":
        return every, some
    if check["kind"] == "name-starts-with":
        return ([options["prefix"]] if options.get("prefix") else []), some
    if check["kind"] == "card-contains":
        shown = _QUOTED.findall(rule.get("message") or "")
        return (every + shown, some) if shown else ([], [])
    return [], []


ENFORCING = [
    (pack, rule, path)
    for pack, rule, path in ALL_RULES
    if pack.get("source_text") and any(enforced_phrases(rule))
]


def test_there_are_enforced_phrases_to_check() -> None:
    kinds = {rule["check"]["kind"] for _, rule, _ in ENFORCING}
    assert {"file-contains", "name-starts-with", "card-contains"} <= kinds


@pytest.mark.parametrize(
    ("pack", "rule", "path"), ENFORCING, ids=[str(p.relative_to(RULES)) for *_, p in ENFORCING]
)
def test_enforced_phrases_occur_in_the_licence(pack: dict, rule: dict, path: Path) -> None:
    folder = require_licenses()
    texts = [
        check_normalise((folder / name).read_text(encoding="utf-8"))
        for name in own_texts(pack)
        if (folder / name).is_file()
    ]
    assert texts, f"{path}: none of its pack's texts is saved"

    def found(phrase: str) -> bool:
        return any(check_normalise(phrase) in t for t in texts)

    every, some = enforced_phrases(rule)
    missing = [p for p in every if not found(p)]
    assert not missing, f"{path}: required wording not in {own_texts(pack)}: {missing}"
    assert not some or any(found(p) for p in some), (
        f"{path}: none of the accepted wordings occurs in {own_texts(pack)}: {some}"
    )


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_texts_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "licenses_dir", lambda: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        require_licenses()
