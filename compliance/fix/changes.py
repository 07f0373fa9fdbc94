"""A plan -> the new contents of each file it touches (nothing is written here)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from compliance.fix import front_matter, text_edits
from compliance.fix.errors import FixRefused
from compliance.fix.plan import Plan

TEXT_CAP = 1 << 20  # a card or NOTICE file larger than this is not edited
CARD = "README.md"
NOTICE = "NOTICE"


@dataclass(frozen=True)
class Change:
    path: str  # repo-relative, "/"-separated
    old: str | None  # None: the file is created
    new: str


def inside(root: Path, rel: str) -> Path:
    """`root/rel`, refusing a symlink on the way or a path that leaves the repo."""
    target = root / rel
    walked = root
    for part in Path(rel).parts:
        walked = walked / part
        if walked.is_symlink():
            raise FixRefused(f"{rel}: is a symlink ({walked.name}); not editing through it")
    resolved_root = root.resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise FixRefused(f"{rel}: resolves outside the repo; not editing it")
    return target


def read_text(root: Path, rel: str) -> str | None:
    """The file's text, None if it does not exist; refuses what cannot be edited safely."""
    path = inside(root, rel)
    if not path.exists():
        return None
    if not path.is_file():
        raise FixRefused(f"{rel}: is not a regular file; not editing it")
    if path.stat().st_size > TEXT_CAP:
        raise FixRefused(f"{rel}: larger than {TEXT_CAP} bytes; not editing it")
    data = path.read_bytes()
    try:
        # newline="" semantics: bytes are decoded as they are, CRLF stays CRLF
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FixRefused(f"{rel}: not valid UTF-8 (byte {e.start}); not editing it") from e


def _existing(root: Path, prefix: str) -> str | None:
    """A root file whose name starts with `prefix` (any case), e.g. `Notice.txt`."""
    names = sorted(n for n in os.listdir(root) if n.lower().startswith(prefix.lower()))
    exact = [n for n in names if n.lower() == prefix.lower()]
    found = exact or names
    return found[0] if found else None


def card_change(root: Path, plan: Plan) -> Change | None:
    if not (plan.card or plan.metadata):
        return None
    name = readme_name(root)
    old = read_text(root, name) if name else None
    if old is None:
        raise FixRefused(f"{CARD}: no model card to add {_what(plan)} to; create one first")
    new = front_matter.set_keys(old, plan.metadata, name or CARD) if plan.metadata else old
    new = text_edits.append_paragraphs(new, plan.card)
    return Change(name or CARD, old, new) if new != old else None


def readme_name(root: Path) -> str | None:
    """README.md, else a root file named readme.md in any case (as the facts reader)."""
    return next((n for n in sorted(os.listdir(root)) if n.lower() == "readme.md"), None)


def _what(plan: Plan) -> str:
    parts = [f"`{k}`" for k in plan.metadata] + [repr(s) for s in plan.card]
    return ", ".join(parts)


def notice_change(root: Path, plan: Plan) -> Change | None:
    if not plan.notice:
        return None
    name = _existing(root, NOTICE) or NOTICE
    old = read_text(root, name)
    present = old or ""
    missing = [s for s in plan.notice if s not in present]
    if not missing:
        return None
    return Change(name, old, text_edits.append_lines(present, missing))


def license_change(root: Path, pack: str, text: str) -> Change:
    """The user's licence text as LICENSE, or as LICENSE.<pack> next to an existing LICENSE."""
    name = "LICENSE" if _existing(root, "LICENSE") is None else f"LICENSE.{pack}"
    old = read_text(root, name)
    if old is not None and old != text:
        raise FixRefused(f"{name}: exists with other text; not overwriting it")
    return Change(name, old, text)


def build_changes(root: Path, plan: Plan, license_text: str | None) -> list[Change]:
    changes = [card_change(root, plan), notice_change(root, plan)]
    if license_text is not None:
        for pack in plan.license_for:
            changes.append(license_change(root, pack, license_text))
    return [c for c in changes if c is not None and c.new != c.old]
