"""What the SBOM reporters (SPDX, CycloneDX) say about a model, computed once from
the Report: licences as SPDX ids or LicenseRefs, the concluded licence (only when
the audit is sure), Hub references, and checksums of the weight files.

The SBOM libraries are an extra (`modelcheck[sbom]`); `need()` turns their absence
into a one-line error with the install command (exit 2).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from compliance.errors import ConfigError
from compliance.report import Report
from compliance.reporters import rulemeta
from compliance.reporters.escape import clean

HUB = "https://huggingface.co"
INSTALL_HINT = "pip install 'modelcheck[sbom]'"
# Categories whose open findings mean the audit cannot vouch for the model's licence.
LICENSE_DOUBT = frozenset(
    {"license-missing", "license-unknown", "license-mismatch", "license-incompatible"}
)
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_REF_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_CHUNK = 1 << 20
_WEB_URL = re.compile(r"^https?://[^\s<>\"`]{1,500}$")


def need(module: str, fmt: str) -> Any:
    """Import `module` or fail with the install hint (exit 2, one line)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ConfigError(f"--format {fmt} needs the SBOM libraries: {INSTALL_HINT}") from e


@dataclass(frozen=True)
class LicenseInfo:
    expression: str  # an SPDX id ("Apache-2.0") or "LicenseRef-llama3.1"
    name: str  # human name ("Llama 3.1 Community License Agreement")
    url: str | None = None
    pack: str | None = None  # modelcheck pack id

    @property
    def is_ref(self) -> bool:
        return self.expression.startswith("LicenseRef-")

    @property
    def extracted_text(self) -> str:
        """A short stand-in for the licence text (never the whole licence)."""
        where = f" The full text is at {self.url}." if self.url else ""
        ident = self.pack or self.name
        return clean(f"{self.name} (identified by modelcheck as `{ident}`).{where}")


def license_ref_id(value: str) -> str:
    return "LicenseRef-" + (_REF_UNSAFE.sub("-", value).strip("-") or "unknown")


def license_for(value: str | None) -> LicenseInfo | None:
    """A pack id or card `license:` value as an SPDX id when one exists, else a LicenseRef."""
    if not value:
        return None
    pack = rulemeta.pack(value) or rulemeta.pack_for_hub_id(value)
    if pack is not None:
        spdx = pack.spdx if pack.spdx and not pack.spdx.startswith("LicenseRef-") else None
        return LicenseInfo(
            spdx or license_ref_id(pack.id), pack.title, rulemeta.license_url(pack), pack.id
        )
    from license_expression import get_spdx_licensing

    symbol = get_spdx_licensing().known_symbols.get(value) or next(
        (s for k, s in get_spdx_licensing().known_symbols.items() if k.lower() == value.lower()),
        None,
    )
    if symbol is not None:
        return LicenseInfo(symbol.key, symbol.key)
    return LicenseInfo(license_ref_id(value), clean(value, 200) or "unknown")


def _is_web_url(value: object) -> bool:
    return isinstance(value, str) and bool(_WEB_URL.match(value))


def declared_license(report: Report) -> LicenseInfo | None:
    """The card's `license:` (with `license_name:` when it is `other`)."""
    card = getattr(report.facts, "card", None)
    meta = card.metadata if card is not None else {}
    value = meta.get("license")
    if isinstance(value, list):
        value = value[0] if value and isinstance(value[0], str) else None
    if not isinstance(value, str) or not value.strip():
        return None
    name = meta.get("license_name")
    if value.strip().lower() == "other" and isinstance(name, str) and name.strip():
        info = license_for(name.strip())
        link = meta.get("license_link")
        if info is not None and info.url is None and _is_web_url(link):
            info = LicenseInfo(info.expression, info.name, clean(link, 500), info.pack)
        return info
    return license_for(value.strip())


def concluded_license(report: Report) -> LicenseInfo | None:
    """The declared licence when the audit found nothing against it and knows every
    ancestor's licence; None (NOASSERTION) otherwise."""
    declared = declared_license(report)
    if declared is None:
        return None
    if any(not f.waived and f.category in LICENSE_DOUBT for f in report.findings):
        return None
    ancestors = report.lineage.ancestors if report.lineage is not None else []
    if any(a.license is None for a in ancestors):
        return None
    return declared


def hub_id(report: Report) -> str | None:
    """The model's Hub repo id: the audited Hub repo, else a published org/name."""
    facts = report.facts
    rid = getattr(facts, "repo_id", None) or report.model_name
    return rid if isinstance(rid, str) and _REPO_ID.match(rid) else None


def hub_url(repo_id: str | None, commit: str | None = None) -> str | None:
    if not repo_id or not _REPO_ID.match(repo_id):
        return None
    return f"{HUB}/{repo_id}" + (f"/tree/{commit}" if commit else "")


@dataclass
class WeightChecksum:
    path: str  # repo-relative
    size: int | None
    digests: dict[str, str] = field(default_factory=dict)  # "SHA1"/"SHA256" -> hex


def _local_root(report: Report) -> Path | None:
    if report.source_kind != "local":
        return None
    try:
        return Path(report.target).resolve(strict=True)
    except OSError:
        return None


def weight_checksums(report: Report) -> list[WeightChecksum]:
    """SHA-1 and SHA-256 of each weight file of a local repo, streamed (bounded
    memory), never following a path out of the repo; Hub files are listed without
    digests (the audit does not download them)."""
    facts = report.facts
    weights = list(getattr(facts, "weights", []) or [])
    root = _local_root(report)
    out = []
    for w in sorted(weights, key=lambda w: w.path):
        entry = WeightChecksum(w.path, w.size)
        if root is not None:
            entry.digests = _hash_file(root, w.path)
        out.append(entry)
    return out


def _allowed_roots(root: Path) -> list[Path]:
    """The repo, plus the blob store when it is a Hub cache snapshot (its files are
    symlinks into ../../blobs), as the local source allows."""
    roots = [root]
    if root.parent.name == "snapshots":
        roots.append(root.parent.parent / "blobs")
    return roots


def _hash_file(root: Path, rel: str) -> dict[str, str]:
    try:
        path = (root / rel).resolve(strict=True)
        if not any(r in path.parents for r in _allowed_roots(root)) or not path.is_file():
            return {}
        sha1, sha256 = hashlib.sha1(usedforsecurity=False), hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                sha1.update(chunk)
                sha256.update(chunk)
    except OSError:
        return {}
    return {"SHA1": sha1.hexdigest(), "SHA256": sha256.hexdigest()}


@lru_cache(maxsize=4)
def _now(epoch: str) -> Any:
    from datetime import datetime, timezone

    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def created_at() -> Any:
    """SOURCE_DATE_EPOCH (reproducible builds) when set, else the time of the first
    SBOM of this process (one audit, one creation time, whatever renders it)."""
    return _now(os.environ.get("SOURCE_DATE_EPOCH", ""))


def document_key(report: Report) -> str:
    """A digest of what the audit saw, for SBOM ids that are the same for the same audit."""
    from compliance import __version__
    from compliance.report import finding_sort_key

    parts = [report.model_name, report.target, report.commit or "", __version__]
    parts += [report.declared_license or "", *sorted(getattr(report.facts, "files", []) or [])]
    parts += [f.rule_id for f in sorted(report.findings, key=finding_sort_key)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

