"""Licence-bearing files: LICENSE, NOTICE, use policies (root and one folder down).

Only the text is read here; which licence a text is gets decided once, after the
final set of rule packs is known (`compliance.packs.identify`).
"""

from __future__ import annotations

from compliance.facts.context import RepoContext
from compliance.facts.model import LicenseFile

LICENSE_TEXT_CAP = 512 << 10

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


def read_license_files(ctx: RepoContext) -> list[LicenseFile]:
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
        out.append(LicenseFile(path=path, kind=kind, text=read.text))
    return out
