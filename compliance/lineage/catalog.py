"""The built-in catalog of well-known base models (rules/catalog.yaml).

`Catalog.lookup(repo_id)` answers "which licence pack governs this model, and what is its
own base?" without touching the network. Re-uploads are mapped to the original by the
patterns in the YAML (org list + name normalisation); anything else is None, because an
unknown model must stay unresolved rather than be guessed.

`Catalog.load()` keeps the validated catalog in the cache folder
(`compliance.local_cache`, `marshal` behind a CRC-32), keyed by the file's path, stat
stamp (mtime, size, ctime) and modelcheck's version, so a run with an unchanged catalog
skips the YAML parser and the validation (`from_data`), and an edited one is parsed and
validated again. Only a catalog that validated is stored.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from compliance import local_cache
from compliance.errors import RulePackError
from compliance.lineage.model import RELATIONS
from compliance.records import record, replace
from compliance.regex_cache import compiled
from compliance.repo_id import is_valid_repo_id
from compliance.resources import data_dir

_HF_URL = compiled(r"^https?://(?:www\.)?huggingface\.co/", re.IGNORECASE)
CACHE_FORMAT = 2  # layout of the cache file; part of its name
_NORMALISED_CAP = 10_000  # names remembered by one catalog (its own, and a few per audit)
RACY_NS = 2_000_000_000  # an entry for a file modified this close to its reading is not trusted


@record(frozen=True)
class CatalogEntry:
    """One known original model: its licence, family and parent."""
    repo_id: str  # canonical id of the original model
    license: str  # licence pack id (a folder under rules/)
    family: str  # broad family: "llama", "qwen", "gemma", …
    base: str | None = None  # the model's own parent, where known
    relation: str | None = None  # relation of this model to `base`
    as_written: str | None = None  # the id as asked, when it differs from repo_id
    via_pattern: str | None = None  # re-upload pattern id that mapped it (or "alias")
    note: str | None = None  # e.g. licence history worth showing
    notice: bool | None = None  # the model's repo ships a NOTICE file (None: not recorded)


@record(frozen=True)
class ReuploadPattern:
    """Organisations known to re-upload models under their original names."""
    id: str
    orgs: frozenset[str]  # lower-case org names


class Catalog:
    """Exact ids and aliases first, then re-upload patterns; None when nothing matches."""

    def __init__(
        self,
        entries: list[CatalogEntry],
        aliases: dict[str, str],
        patterns: list[ReuploadPattern],
        suffixes: list[str],
        prefixes: list[str],
        path: str = "catalog.yaml",
    ) -> None:
        self.path = path
        self.entries = entries
        self._by_id = {e.repo_id.lower(): e for e in entries}
        self._aliases = {k.lower(): v.lower() for k, v in aliases.items()}
        self.patterns = patterns
        # longest first, so "-bnb-4bit" goes before "-4bit"
        self._suffixes = sorted({s.lower() for s in suffixes}, key=len, reverse=True)
        self._prefixes = sorted({p.lower() for p in prefixes}, key=len, reverse=True)
        self._suffix_set = tuple(self._suffixes)
        self._normalised: dict[str, str] = {}
        self._prefix_set = tuple(self._prefixes)
        self._by_name: dict[str, set[str]] = {}
        for rid in [*self._by_id, *self._aliases]:
            canonical = self._aliases.get(rid, rid)
            if self._by_id[canonical].relation == "quantized":
                continue  # a listed copy: re-uploads of the same name map to its original

            self._by_name.setdefault(self.normalise_name(rid.split("/", 1)[1]), set()).add(
                canonical
            )

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Any:
        return iter(self.entries)

    # -- loading -------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        """Read catalog.yaml (default: the one shipped in rules/); raise RulePackError if bad."""
        shipped = path is None
        path = path or data_dir("rules") / "catalog.yaml"
        try:
            stamp = _stamp(path)
        except OSError as e:
            raise RulePackError(str(path), f"cannot read the catalog: {e.strerror}") from None
        cache_file = _cache_file() if shipped else None  # one entry: the shipped catalog
        built = _cached_built(cache_file, stamp) if cache_file else None
        if built is not None:
            catalog = cls._from_built(built, str(path))
            if catalog is not None:
                return catalog
        read_ns = time.time_ns()
        data = _parse(path)
        catalog = cls.from_data(data, str(path))  # only a valid catalog is stored
        if cache_file is not None:
            local_cache.write_marshal(
                cache_file, {"key": stamp, "read_ns": read_ns, "built": catalog._built()}
            )
        return catalog

    def _built(self) -> dict[str, Any]:
        """What `_from_built` needs to make this catalog again without validating it."""
        entries = [
            (e.repo_id, e.license, e.family, e.base, e.relation, e.note, e.notice)
            for e in self.entries
        ]
        patterns = [(p.id, sorted(p.orgs)) for p in self.patterns]
        return {"entries": entries, "aliases": dict(self._aliases), "patterns": patterns,
                "suffixes": list(self._suffixes), "prefixes": list(self._prefixes)}

    @classmethod
    def _from_built(cls, built: dict[str, Any], where: str) -> Catalog | None:
        """The catalog `_built` described (validated when it was stored, and the file is
        behind a CRC-32), or None when the stored value does not have that shape."""
        try:
            entries = [
                CatalogEntry(rid, lic, fam, base, rel, note=note, notice=notice)
                for rid, lic, fam, base, rel, note, notice in built["entries"]
            ]
            patterns = [ReuploadPattern(pid, frozenset(orgs)) for pid, orgs in built["patterns"]]
            aliases, suffixes, prefixes = built["aliases"], built["suffixes"], built["prefixes"]
            strings = [e.repo_id for e in entries] + [*aliases, *aliases.values()]
            if not all(isinstance(x, str) for x in [*strings, *suffixes, *prefixes]):
                return None
            return cls(entries, aliases, patterns, suffixes, prefixes, where)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None

    @classmethod
    def from_data(cls, data: Any, where: str = "catalog.yaml") -> Catalog:
        if not isinstance(data, dict) or data.get("schema") != 1:
            raise RulePackError(where, "expected a mapping with schema: 1")
        entries: list[CatalogEntry] = []
        aliases: dict[str, str] = {}
        seen: set[str] = set()

        def claim(rid: object, ctx: str) -> str:
            if not isinstance(rid, str) or not is_valid_repo_id(rid):
                raise RulePackError(where, f"{ctx}: {rid!r} is not an org/name repo id")
            if rid.lower() in seen:
                raise RulePackError(where, f"{ctx}: {rid} is listed twice")
            seen.add(rid.lower())
            return rid

        for fi, fam in enumerate(_list(data.get("families"), where, "families")):
            if not isinstance(fam, dict) or not isinstance(fam.get("family"), str):
                raise RulePackError(where, f"families[{fi}] needs a `family:` name")
            for mi, m in enumerate(_list(fam.get("models"), where, f"families[{fi}].models")):
                ctx = f"families[{fi}].models[{mi}]"
                if not isinstance(m, dict):
                    raise RulePackError(where, f"{ctx}: expected a mapping")
                rid = claim(m.get("id"), ctx)
                lic = m.get("license", fam.get("license"))
                if not isinstance(lic, str) or not lic:
                    raise RulePackError(where, f"{ctx}: {rid} has no licence pack id")
                relation = m.get("relation")
                if relation is not None and relation not in RELATIONS:
                    raise RulePackError(where, f"{ctx}: unknown relation {relation!r}")
                base = m.get("base")
                if base is not None and not is_valid_repo_id(base):
                    raise RulePackError(where, f"{ctx}: base {base!r} is not a repo id")
                if (base is None) != (relation is None):
                    raise RulePackError(where, f"{ctx}: give both base and relation, or neither")
                for alias in m.get("aliases") or []:
                    claim(alias, f"{ctx} alias")
                    aliases[alias] = rid
                entries.append(
                    CatalogEntry(
                        repo_id=rid,
                        license=lic,
                        family=fam["family"],
                        base=base,
                        relation=relation,
                        note=m.get("note"),
                        notice=_notice(m.get("notice", fam.get("notice"))),
                    )
                )
        patterns = []
        for pi, p in enumerate(_list(data.get("reupload_patterns"), where, "reupload_patterns")):
            if not isinstance(p, dict) or not isinstance(p.get("id"), str) or not p.get("orgs"):
                raise RulePackError(where, f"reupload_patterns[{pi}] needs `id` and `orgs`")
            patterns.append(ReuploadPattern(p["id"], frozenset(o.lower() for o in p["orgs"])))
        suffixes = [str(s) for s in _list(data.get("strip_suffixes"), where, "strip_suffixes")]
        prefixes = [
            str(s) for s in _list(data.get("optional_prefixes"), where, "optional_prefixes")
        ]
        return cls(entries, aliases, patterns, suffixes, prefixes, where)

    # -- lookup ----------------------------------------------------------------------

    def normalise_name(self, name: str) -> str:
        """Lower-case, `_`→`-`, conversion suffixes and optional prefixes removed."""
        known = self._normalised.get(name)
        if known is not None:  # the name index and the bare-name index ask for the same
            return known
        out = self._normalise(name)
        if len(self._normalised) < _NORMALISED_CAP:
            self._normalised[name] = out
        return out

    def _normalise(self, name: str) -> str:
        out = name.strip().lower().replace("_", "-")
        changed = True
        # one C-level test first: most names end in none of the suffixes
        while changed and out.endswith(self._suffix_set):
            changed = False
            for s in self._suffixes:
                if out.endswith(s) and len(out) > len(s):
                    out, changed = out[: -len(s)], True
                    break
        if out.startswith(self._prefix_set):
            for p in self._prefixes:
                if out.startswith(p) and len(out) > len(p):
                    out = out[len(p) :]
                    break
        return out

    def lookup(self, repo_id: str) -> CatalogEntry | None:
        asked = _HF_URL.sub("", repo_id.strip()).strip("/")
        key = asked.lower()
        entry = self._by_id.get(key)
        via = None
        if entry is None and key in self._aliases:
            entry, via = self._by_id[self._aliases[key]], "alias"
        if entry is not None:
            if asked == entry.repo_id:
                return entry
            return replace(entry, as_written=asked, via_pattern=via)
        return self._by_pattern(asked)

    def _by_pattern(self, asked: str) -> CatalogEntry | None:
        if "/" not in asked:
            return None
        org, name = asked.split("/", 1)
        for pattern in self.patterns:
            if org.lower() not in pattern.orgs:
                continue
            matches = self._by_name.get(self.normalise_name(name), set())
            if len(matches) == 1:  # two originals with the same name: ambiguous, no guess
                return replace(
                    self._by_id[next(iter(matches))], as_written=asked, via_pattern=pattern.id
                )
            return None
        return None

    def licenses(self) -> set[str]:
        return {e.license for e in self.entries}


def _parse(path: Path) -> Any:
    import yaml  # only when the cached copy cannot answer

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)
    except OSError as e:
        raise RulePackError(str(path), f"cannot read the catalog: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise RulePackError(str(path), f"invalid YAML: {_first_line(e)}") from None


def _stamp(path: Path) -> list[Any]:
    """What must be unchanged for a cached parse to stand for the file."""
    from compliance import __version__

    st = os.stat(path)
    return [__version__, str(path), st.st_mtime_ns, st.st_size, st.st_ctime_ns]


def _cache_file() -> Path | None:
    folder = local_cache.cache_dir()
    if folder is None:
        return None
    # marshal's format belongs to one Python version: its tag is part of the name
    kind = f"catalog-v{CACHE_FORMAT}-{sys.implementation.cache_tag}"
    return folder / local_cache.tagged_name(kind, ".marshal")


def _cached_built(cache_file: Path, stamp: list[Any]) -> Any:
    """The stored catalog for `stamp`, or None (absent, stale, racy or not our format)."""
    stored = local_cache.read_marshal(cache_file)
    if not isinstance(stored, dict) or stored.get("key") != stamp:
        return None
    read_ns = stored.get("read_ns")
    # a file changed within one timestamp tick of its reading could change again unseen
    if not isinstance(read_ns, int) or stamp[2] >= read_ns - RACY_NS:
        return None
    built = stored.get("built")
    return built if isinstance(built, dict) else None


def _list(value: Any, where: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RulePackError(where, f"`{key}` must be a list")
    return value


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _notice(value: object) -> bool | None:
    """A model's `notice:` (or its family's): True/False as recorded, None when not recorded."""
    return value if isinstance(value, bool) else None
