"""Load and validate rule packs (rules/<pack>/pack.yaml + one YAML file per rule).

Packs are data: a declared schema below says which keys exist, their types and
allowed values. Loading raises the first problem as `RulePackError`;
`validate_dir` collects every problem for `modelcheck rules validate DIR`.
Loaded packs are cached per process (keyed by the extra directories), and the
validated documents between runs (`DocCache`, ~/.cache/modelcheck): a warm load of
every shipped pack takes a few ms instead of tens.

Public API: `load_all(extra_dirs) -> list[Pack]`, `by_id`, `find_rule(rule_id)`,
`validate_dir(path) -> list[str]`, `pack_dirs`, `identify_text` / `identifier`,
`pack_for_declared`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compliance.checks import CHECKS
from compliance.checks.base import validate_options
from compliance.checks.text import normalise
from compliance.errors import RulePackError
from compliance.lineage.model import RELATIONS
from compliance.report import CATEGORIES, Clause, Severity
from compliance.resources import data_dir

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SKIP_DIRS = ("examples",)
PACK_KINDS = ("license", "policy", "core")
PACK_CATEGORIES = (
    "permissive",
    "attribution",
    "copyleft",
    "non-commercial",
    "use-restricted",
    "custom-with-conditions",
)
VERIFICATION = ("verified", "unverified", "not-found")
SEVERITIES = tuple(s.value for s in Severity)
MAX_RULE_FILE = 256 * 1024  # rule files are small; a huge one is a mistake


# -- typed records --------------------------------------------------------------


@dataclass(frozen=True)
class ClauseSpec:
    section: str
    quote: str
    source: str | None = None
    verified: bool = True
    note: str | None = None

    def to_clause(self, license_id: str) -> Clause:
        return Clause(license_id, self.section, self.quote, self.verified, self.note)


@dataclass(frozen=True)
class CheckSpec:
    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Docs:
    what: str
    why: str
    example: str | None = None
    known_problems: str | None = None
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str  # "<pack>/<file stem>"
    pack: str
    title: str
    category: str
    severity: Severity
    applies_to: tuple[str, ...] | None  # relations; None = always (core / policy)
    clause: ClauseSpec | None
    check: CheckSpec
    message: str
    fix: str | None
    docs: Docs
    path: str
    since: str | None = None

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[1]


@dataclass(frozen=True)
class Identity:
    hub_ids: tuple[str, ...] = ()
    license_names: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    signatures: tuple[tuple[str, ...], ...] = ()  # normalised phrase groups
    notice_signatures: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Derivatives:
    acceptable_ids: tuple[str, ...] = ()
    acceptable_names: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Pack:
    id: str
    kind: str  # license | policy | core
    title: str
    path: str  # the pack directory
    version: str | None = None
    category: str | None = None
    commercial: bool | None = None
    spdx: str | None = None
    source_text: str | None = None
    verification: str | None = None
    family: str | None = None
    identity: Identity = field(default_factory=Identity)
    derivatives: Derivatives = field(default_factory=Derivatives)
    rules: tuple[Rule, ...] = ()


# -- the schema -----------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key of a YAML mapping: its type(s), whether required, allowed values."""

    types: tuple[type, ...]
    required: bool = False
    enum: tuple[Any, ...] | None = None
    items: type | None = None  # element type for lists
    schema: dict[str, Key] | None = None  # nested mapping


S, B, L, D, N = (str,), (bool,), (list,), (dict,), (type(None),)
STRS = Key(L, items=str)

IDENTITY = {
    "hub_ids": STRS,
    "license_names": STRS,
    "urls": STRS,
    "signatures": Key(L, items=list),
    "notice_signatures": Key(L, items=list),
}
DERIVATIVES = {"acceptable_ids": STRS, "acceptable_names": STRS, "note": Key(S + N)}
PACK_SCHEMA: dict[str, Key] = {
    "schema": Key((int,), required=True, enum=(1,)),
    "id": Key(S, required=True),
    "kind": Key(S, required=True, enum=PACK_KINDS),
    "title": Key(S, required=True),
    "version": Key(S + N),
    "category": Key(S + N, enum=(*PACK_CATEGORIES, None)),
    "commercial": Key(B + N),
    "spdx": Key(S + N),
    "source_text": Key(S + N),
    "verification": Key(S + N, enum=(*VERIFICATION, None)),
    "family": Key(S + N),
    "description": Key(S + N),
    "identity": Key(D, schema=IDENTITY),
    "derivatives": Key(D, schema=DERIVATIVES),
}
CLAUSE = {
    "section": Key(S, required=True),
    "quote": Key(S, required=True),
    "source": Key(S + N),
    "verified": Key(B),
    "note": Key(S + N),
}
DOCS = {
    "what": Key(S, required=True),
    "why": Key(S, required=True),
    "example": Key(S + N),
    "known_problems": Key(S + N),
    "references": STRS,
}
CHECK = {"kind": Key(S, required=True, enum=tuple(sorted(CHECKS))), "options": Key(D + N)}
RULE_SCHEMA: dict[str, Key] = {
    "id": Key(S, required=True),
    "title": Key(S, required=True),
    "category": Key(S, required=True, enum=CATEGORIES),
    "severity": Key(S, required=True, enum=SEVERITIES),
    "applies_to": Key(L, items=str),
    "clause": Key(D + N, schema=CLAUSE),
    "check": Key(D, required=True, schema=CHECK),
    "message": Key(S, required=True),
    "fix": Key(S + N),
    "docs": Key(D, required=True, schema=DOCS),
    "since": Key(S + N),
}


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False  # YAML `yes` must not pass for an int or a string
    return isinstance(value, types)


def _names(types: tuple[type, ...]) -> str:
    return " or ".join("null" if t is type(None) else t.__name__ for t in types)


def check_schema(data: Any, schema: dict[str, Key], where: str = "") -> list[str]:
    """Every problem of `data` against `schema`, as one-line messages."""
    if not isinstance(data, dict):
        return [f"{where or 'document'} must be a mapping (got {type(data).__name__})"]
    problems: list[str] = []
    prefix = f"{where}." if where else ""
    for key in data:
        if key not in schema:
            problems.append(f"unknown key '{prefix}{key}' (allowed: {', '.join(schema)})")
    for key, spec in schema.items():
        if key not in data:
            if spec.required:
                problems.append(f"missing required key '{prefix}{key}'")
            continue
        value = data[key]
        if not _type_ok(value, spec.types):
            problems.append(
                f"'{prefix}{key}' must be {_names(spec.types)} (got {type(value).__name__})"
            )
            continue
        if spec.enum is not None and value not in spec.enum:
            allowed = ", ".join(str(v) for v in spec.enum if v is not None)
            problems.append(f"'{prefix}{key}' must be one of {allowed} (got {value!r})")
        if spec.items is not None and isinstance(value, list):
            bad = [v for v in value if not _type_ok(v, (spec.items,))]
            if bad:
                problems.append(f"'{prefix}{key}' items must be {spec.items.__name__}")
        if spec.schema is not None and isinstance(value, dict):
            problems.extend(check_schema(value, spec.schema, f"{prefix}{key}"))
    return problems


# -- loading --------------------------------------------------------------------


class DocCache:
    """Validated rule files kept as JSON between runs, keyed by path, mtime and size.

    Why: parsing and validating ~200 small YAML files costs tens of ms on every run
    (a pre-commit hook runs often); JSON loads in a few. Only documents that passed
    validation are stored, under a stamp of the schema and check kinds they passed
    (a new modelcheck version starts afresh); a changed file is parsed and validated
    again. A cache that cannot be read or written is simply not used.
    """

    VERSION = 1

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.docs: dict[str, list[Any]] = {}
        self.used: set[str] = set()  # only entries used by this process are saved back
        self.dirty = False
        if path is not None:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                if raw.get("schema") == schema_stamp() and isinstance(raw.get("docs"), dict):
                    self.docs = raw["docs"]
            except (OSError, ValueError, AttributeError):
                pass

    def get(self, path: Path, stamp: list[int]) -> tuple[bool, Any]:
        hit = self.docs.get(str(path))
        if hit is not None and hit[:2] == stamp:
            self.used.add(str(path))
            return True, hit[2]
        return False, None

    def put(self, path: Path, stamp: list[int], data: Any) -> None:
        if self.path is None:
            return
        try:
            if json.loads(json.dumps(data)) != data:
                return
        except (TypeError, ValueError):
            return  # e.g. an unquoted date: not JSON, and the schema rejects it anyway
        self.docs[str(path)] = [*stamp, data]
        self.used.add(str(path))
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            docs = {k: v for k, v in self.docs.items() if k in self.used}
            tmp.write_text(json.dumps({"schema": schema_stamp(), "docs": docs}), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


@functools.lru_cache(maxsize=1)
def schema_stamp() -> str:
    """Changes whenever what validation accepts could change."""
    from compliance import __version__

    kinds = sorted(
        (k, sorted((o, str(t)) for o, t in m.OPTIONS.items()), getattr(m, "REQUIRED", ()))
        for k, m in CHECKS.items()
    )
    text = repr((__version__, kinds, PACK_SCHEMA, RULE_SCHEMA, CATEGORIES, RELATIONS))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_cache_path() -> Path | None:
    """~/.cache/modelcheck/rule-docs.json (XDG_CACHE_HOME honoured); None disables."""
    home = os.path.expanduser("~")
    base = os.environ.get("XDG_CACHE_HOME") or (
        None if home == "~" else os.path.join(home, ".cache")
    )
    if not base:
        return None
    return Path(base) / "modelcheck" / f"rule-docs-v{DocCache.VERSION}.json"


CACHE_PATH: Path | None = default_cache_path()  # read once at import; tests may set None
_CACHE: DocCache | None = None


def _read_yaml(path: Path, cache: DocCache | None = None) -> tuple[Any, list[int], bool]:
    """(document, stamp, from_cache). Cached documents were validated when stored."""
    try:
        st = path.stat()
        if st.st_size > MAX_RULE_FILE:
            raise RulePackError(str(path), f"file is larger than {MAX_RULE_FILE} bytes")
        stamp = [st.st_mtime_ns, st.st_size]
        if cache is not None:
            hit, data = cache.get(path, stamp)
            if hit:
                return data, stamp, True
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RulePackError(str(path), f"cannot read: {e}") from e
    try:
        return yaml.load(text, Loader=_LOADER), stamp, False  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise RulePackError(str(path), f"invalid YAML: {problem}{line}") from e


def _pack_problems(data: Any, folder: str) -> list[str]:
    problems = check_schema(data, PACK_SCHEMA)
    if problems:
        return problems
    if data["id"] != folder:
        problems.append(f"pack id '{data['id']}' must equal its folder name '{folder}'")
    if data["kind"] == "license":
        for key in ("category", "commercial", "identity"):
            if data.get(key) is None:
                problems.append(f"licence packs need '{key}'")
    for key in ("signatures", "notice_signatures"):
        for group in (data.get("identity") or {}).get(key) or []:
            if not group or not all(isinstance(p, str) and p.strip() for p in group):
                problems.append(f"'identity.{key}' groups must be non-empty lists of phrases")
    return problems


def _rule_problems(data: Any, pack: dict[str, Any], stem: str) -> list[str]:
    problems = check_schema(data, RULE_SCHEMA)
    if problems:
        return problems
    expected = f"{pack['id']}/{stem}"
    if data["id"] != expected:
        problems.append(f"rule id '{data['id']}' must be '{expected}' (<pack>/<file stem>)")
    if pack["kind"] == "license":
        if not data.get("clause"):
            problems.append("licence rules need a 'clause' (section + verbatim quote)")
        if not data.get("applies_to"):
            problems.append("licence rules need 'applies_to' (the relations that trigger them)")
    for rel in data.get("applies_to") or []:
        if rel not in RELATIONS:
            problems.append(f"'applies_to' value {rel!r} is not one of {', '.join(RELATIONS)}")
    check = data["check"]
    problems.extend(validate_options(CHECKS[check["kind"]], check.get("options") or {}))
    return problems


def _frozen_strs(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _build_rule(data: dict[str, Any], pack_id: str, path: Path) -> Rule:
    clause = data.get("clause")
    docs = data["docs"]
    return Rule(
        id=data["id"],
        pack=pack_id,
        title=data["title"],
        category=data["category"],
        severity=Severity(data["severity"]),
        applies_to=tuple(data["applies_to"]) if data.get("applies_to") else None,
        clause=ClauseSpec(
            section=clause["section"],
            quote=clause["quote"],
            source=clause.get("source"),
            verified=clause.get("verified", True),
            note=clause.get("note"),
        )
        if clause
        else None,
        check=CheckSpec(data["check"]["kind"], dict(data["check"].get("options") or {})),
        message=data["message"].strip(),
        fix=data.get("fix"),
        docs=Docs(
            what=docs["what"],
            why=docs["why"],
            example=docs.get("example"),
            known_problems=docs.get("known_problems"),
            references=_frozen_strs(docs.get("references")),
        ),
        path=str(path),
        since=data.get("since"),
    )


def _build_pack(data: dict[str, Any], path: Path, rules: tuple[Rule, ...]) -> Pack:
    ident = data.get("identity") or {}
    deriv = data.get("derivatives") or {}

    def groups(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(normalise(p) for p in g) for g in ident.get(key) or [])

    return Pack(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        path=str(path),
        version=data.get("version"),
        category=data.get("category"),
        commercial=data.get("commercial"),
        spdx=data.get("spdx"),
        source_text=data.get("source_text"),
        verification=data.get("verification"),
        family=data.get("family"),
        identity=Identity(
            hub_ids=_frozen_strs(ident.get("hub_ids")),
            license_names=_frozen_strs(ident.get("license_names")),
            urls=_frozen_strs(ident.get("urls")),
            signatures=groups("signatures"),
            notice_signatures=groups("notice_signatures"),
        ),
        derivatives=Derivatives(
            acceptable_ids=_frozen_strs(deriv.get("acceptable_ids")),
            acceptable_names=_frozen_strs(deriv.get("acceptable_names")),
            note=deriv.get("note"),
        ),
        rules=rules,
    )


def _rule_files(pack_dir: Path) -> list[Path]:
    files = [*pack_dir.glob("*.yaml"), *pack_dir.glob("*.yml")]
    return sorted(p for p in files if p.stem != "pack" and not p.name.startswith("."))


def _load_pack(
    pack_dir: Path, problems: list[str] | None = None, cache: DocCache | None = None
) -> Pack | None:
    """Load one pack. With `problems`, collect every problem instead of raising the first."""

    def fail(path: Path, problem: str, rule_id: str | None = None) -> None:
        err = RulePackError(str(path), problem, rule_id)
        if problems is None:
            raise err
        problems.append(str(err))

    pack_file = pack_dir / "pack.yaml"
    try:
        data, stamp, pack_hit = _read_yaml(pack_file, cache)
    except RulePackError as e:
        fail(pack_file, e.problem)
        return None
    pack_problems = [] if pack_hit else _pack_problems(data, pack_dir.name)
    for p in pack_problems:
        fail(pack_file, p)
    if pack_problems:
        return None
    if cache is not None and not pack_hit:
        cache.put(pack_file, stamp, data)
    rules: list[Rule] = []
    for path in _rule_files(pack_dir):
        try:
            rdata, rstamp, hit = _read_yaml(path, cache)
        except RulePackError as e:
            fail(path, e.problem)
            continue
        # a rule validated under an unchanged pack.yaml needs no second look
        trusted = hit and pack_hit
        rule_id = rdata.get("id") if isinstance(rdata, dict) else None
        rule_problems = [] if trusted else _rule_problems(rdata, data, path.stem)
        for p in rule_problems:
            fail(path, p, rule_id if isinstance(rule_id, str) else None)
        if not rule_problems:
            rules.append(_build_rule(rdata, data["id"], path))
            if cache is not None and not trusted:
                cache.put(path, rstamp, rdata)
    return _build_pack(data, pack_dir, tuple(rules))


def pack_dirs(root: Path) -> list[Path]:
    """`root` itself when it is one pack, else its sub-folders that hold a pack.yaml."""
    if (root / "pack.yaml").is_file():
        return [root]
    return sorted(
        d
        for d in root.iterdir()
        if d.is_dir() and d.name not in SKIP_DIRS and (d / "pack.yaml").is_file()
    )


@functools.lru_cache(maxsize=16)
def _load_cached(dirs: tuple[str, ...]) -> tuple[Pack, ...]:
    global _CACHE
    if _CACHE is None or _CACHE.path != CACHE_PATH:
        _CACHE = DocCache(CACHE_PATH)
    try:
        return _load_dirs(dirs, _CACHE)
    finally:
        _CACHE.save()


def _load_dirs(dirs: tuple[str, ...], cache: DocCache) -> tuple[Pack, ...]:
    packs: dict[str, Pack] = {}
    for root in dirs:
        root_path = Path(root)
        if not root_path.is_dir():
            raise RulePackError(root, "rule directory not found")
        for d in pack_dirs(root_path):
            pack = _load_pack(d, None, cache)
            assert pack is not None  # _load_pack raises when not collecting problems
            if pack.id in packs:
                raise RulePackError(
                    str(d), f"pack id '{pack.id}' is already loaded from {packs[pack.id].path}"
                )
            packs[pack.id] = pack
    return tuple(sorted(packs.values(), key=lambda p: p.id))


def load_all(extra_dirs: Sequence[str | Path] = ()) -> list[Pack]:
    """The built-in packs plus those in `extra_dirs` (each one pack or a folder of packs)."""
    dirs = (str(data_dir("rules")), *(str(Path(d).resolve()) for d in extra_dirs))
    return list(_load_cached(dirs))


def by_id(packs: Iterable[Pack]) -> dict[str, Pack]:
    return {p.id: p for p in packs}


def find_rule(rule_id: str, packs: Iterable[Pack] | None = None) -> Rule | None:
    """The rule with this id (e.g. "core/undeclared-base-model"), for `modelcheck explain`."""
    for pack in load_all() if packs is None else packs:
        for rule in pack.rules:
            if rule.id == rule_id:
                return rule
    return None


def validate_dir(path: str | Path) -> list[str]:
    """Every problem in the packs under `path` (one pack, or a folder of packs)."""
    root = Path(path)
    if not root.is_dir():
        return [str(RulePackError(str(root), "rule directory not found"))]
    dirs = pack_dirs(root)
    if not dirs:
        return [str(RulePackError(str(root), "no pack.yaml here or in any sub-folder"))]
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for d in dirs:
        pack = _load_pack(d, problems)
        if pack is None:
            continue
        if pack.id in seen:
            problems.append(f"{d}: pack id '{pack.id}' is also used by {seen[pack.id]}")
        seen[pack.id] = d
    return problems


# -- identification -------------------------------------------------------------


def identify_text(text: str, kind: str, packs: Iterable[Pack]) -> list[str]:
    """Pack ids whose signatures match `text`.

    `kind` "notice" uses `notice_signatures`; anything else ("license", "use-policy")
    uses `signatures`. A group matches when all its phrases occur (normalised text).
    """
    norm = normalise(text)
    out: list[str] = []
    for pack in packs:
        groups = pack.identity.notice_signatures if kind == "notice" else pack.identity.signatures
        if any(all(p in norm for p in g) for g in groups):
            out.append(pack.id)
    return out


def identifier(packs: Sequence[Pack]) -> Callable[[str, str], list[str]]:
    """The `identify(text, kind)` callback `read_facts` takes."""
    frozen = tuple(packs)
    return lambda text, kind: identify_text(text, kind, frozen)


def pack_for_declared(
    metadata: Mapping[str, Any], packs: Iterable[Pack] | None = None
) -> str | None:
    """The pack a card's `license` / `license_name` / `license_link` declare, if any
    (among `packs`, default: the built-in packs)."""
    if packs is None:
        packs = load_all()

    def low(key: str) -> str | None:
        v = metadata.get(key)
        if isinstance(v, list) and len(v) == 1:
            v = v[0]
        return v.strip().lower() if isinstance(v, str) and v.strip() else None

    lic, name, link = low("license"), low("license_name"), low("license_link")
    ordered = sorted(packs, key=lambda p: p.id)
    if lic and lic not in ("other", "unknown"):
        for p in ordered:
            if lic in (i.lower() for i in p.identity.hub_ids):
                return p.id
        return None
    if name:
        for p in ordered:
            if name in (n.lower() for n in p.identity.license_names):
                return p.id
    if link:
        for p in ordered:
            if any(u and link.startswith(u.lower()) for u in p.identity.urls):
                return p.id
    return None
