"""Every rule's `clause.quote` really is in the licence text it cites.

The licence texts live outside the repo (reference material in
`<repo>/../shared/reference/licenses`, or `$MODELCHECK_SHARED`); without them
the quote tests skip with a reason. Matching follows OBLIGATIONS.md: whitespace
collapsed and curly quotes (“ ” ‘ ’) treated as straight ones, nothing else.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

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
    if licenses_dir() is None:
        pytest.skip("reference licence texts not available (set MODELCHECK_SHARED)")
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
    folder = licenses_dir()
    if folder is None:
        pytest.skip("reference licence texts not available (set MODELCHECK_SHARED)")
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
