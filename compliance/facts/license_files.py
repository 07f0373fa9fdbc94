"""Licence-bearing files: LICENSE, NOTICE, use policies (root and one folder down).

Only the text is read here; deciding which licence a text is belongs to the
rules engine, reached through the `identify(text, kind)` callback.
"""

from __future__ import annotations

from collections.abc import Callable

from compliance.facts.context import RepoContext
from compliance.facts.model import LicenseFile

LICENSE_TEXT_CAP = 512 << 10

Identify = Callable[[str, str], list[str]]

_USE_POLICY_PARTS = ("use_policy", "use-policy", "acceptable_use", "acceptable-use")
_NOTICE_PREFIXES = ("notice",)
_LICENSE_PREFIXES = ("license", "licence", "copying")


def license_kind(path: str) -> str | None:
    """'license' | 'notice' | 'use-policy' for a licence-bearing file name, else None."""
    if path.count("/") > 1:
        return None
    name = path.rsplit("/", 1)[-1].lower()
    if any(part in name for part in _USE_POLICY_PARTS):
        return "use-policy"
    if name.startswith(_NOTICE_PREFIXES):
        return "notice"
    if name.startswith(_LICENSE_PREFIXES):
        return "license"
    return None


def read_license_files(ctx: RepoContext, identify: Identify | None) -> list[LicenseFile]:
    out: list[LicenseFile] = []
    for path in sorted(ctx.paths(), key=lambda p: (p.count("/"), p)):
        kind = license_kind(path)
        if kind is None:
            continue
        read = ctx.read_text(path, LICENSE_TEXT_CAP)
        if read is None:
            continue
        if read.truncated:
            ctx.notes.append(
                f"{path} is larger than {LICENSE_TEXT_CAP} bytes; only its start was read."
            )
        identified = list(identify(read.text, kind)) if identify is not None else []
        out.append(LicenseFile(path=path, kind=kind, identified=identified, text=read.text))
    return out
