"""Small builders for engine tests: tiny Facts, stand-in catalog and resolvers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance import packs as packs_mod
from compliance.checks import CHECKS
from compliance.checks.base import CheckContext, CheckResult
from compliance.facts.model import AdapterFacts, Card, Facts, LicenseFile, MergeFacts
from compliance.lineage.model import Ancestor, AncestorResolver, Lineage, ResolvedRepo
from compliance.packs import CheckSpec, Docs, Identifier, Pack, Rule
from compliance.report import Severity


def card(meta: dict[str, Any] | None = None, body: str = "", present: bool = True) -> Card:
    meta = meta or {}
    lines = {k: i + 2 for i, k in enumerate(meta)}  # front matter starts on line 2
    return Card(
        present=present,
        metadata=meta,
        metadata_lines=lines,
        body=body,
        body_start_line=len(meta) + 3,
    )


def facts(
    meta: dict[str, Any] | None = None,
    body: str = "",
    *,
    label: str = "/repos/acme-model",
    repo_id: str | None = None,
    files: list[str] | None = None,
    license_files: list[LicenseFile] | None = None,
    adapters: list[AdapterFacts] | None = None,
    merges: list[MergeFacts] | None = None,
    name_or_path: str | None = None,
    quantization: dict[str, Any] | None = None,
    card_present: bool = True,
    source_kind: str = "local",
) -> Facts:
    f = Facts(source_kind=source_kind, label=label, repo_id=repo_id, revision=None, commit=None)
    f.card = card(meta, body, card_present)
    f.files = files or []
    f.license_files = license_files or []
    f.adapters = adapters or []
    f.merges = merges or []
    f.config.name_or_path = name_or_path
    f.config.quantization = quantization
    return f


def ancestor(
    repo_id: str, license: str | None, depth: int = 1, declared: bool = True, child: str = "model"
) -> Ancestor:
    return Ancestor(
        repo_id=repo_id,
        relation="finetune",
        child=child,
        declared=declared,
        license=license,
        resolution="catalog" if license else "unresolved",
        depth=depth,
    )


def lineage(*ancestors: Ancestor, relation: str | None = "finetune") -> Lineage:
    return Lineage(
        model="acme/model",
        relation=relation if ancestors else None,
        relation_source="test",
        ancestors=list(ancestors),
    )


def all_packs() -> dict[str, Pack]:
    return packs_mod.by_id(packs_mod.load_all())


def demo_pack(**kw: Any) -> Pack:
    """A licence pack made in the test (so check tests do not depend on shipped wording)."""
    base: dict[str, Any] = {"id": "demo", "kind": "license", "title": "Demo Licence", "path": "-"}
    base.update(kw)
    return Pack(**base)


def make_rule(kind: str, options: dict[str, Any] | None = None, pack: str = "demo") -> Rule:
    return Rule(
        id=f"{pack}/{kind}",
        pack=pack,
        title=kind,
        category="missing-attribution",
        severity=Severity.ERROR,
        applies_to=None,
        clause=None,
        check=CheckSpec(kind, options or {}),
        message=f"{kind} not met",
        fix=None,
        docs=Docs("what", "why"),
        path="-",
    )


def run_check(
    kind: str,
    options: dict[str, Any] | None = None,
    *,
    f: Facts | None = None,
    lin: Lineage | None = None,
    name: str = "acme/model",
    pack: Pack | None = None,
    packs: dict[str, Pack] | None = None,
) -> CheckResult:
    """RuleTestCase-style: run one check kind on tiny inputs (options validated first)."""
    module = CHECKS[kind]
    from compliance.checks.base import validate_options

    problems = validate_options(module, options or {})
    assert not problems, problems
    pack = pack or demo_pack()
    packs = dict(packs or all_packs())
    packs[pack.id] = pack  # the test's own pack wins over a shipped one of that id
    lin = lin or lineage()
    f = f or facts()
    identify = Identifier(list(packs.values()))  # as the engine does, once per audit
    ctx = CheckContext(
        facts=f,
        lineage=lin,
        model_name=name,
        packs=packs,
        pack=pack,
        ancestors=tuple(sorted(lin.ancestors, key=lambda a: a.depth)),
        declared_pack=identify.card(f.card),
        identified=identify.files(f.license_files),
    )
    return module.check(ctx, make_rule(kind, options, pack.id))


@dataclass(frozen=True)
class Entry:
    """Stand-in for compliance.lineage.catalog.CatalogEntry."""

    repo_id: str
    license: str | None
    family: str | None = None
    base: Any = None
    relation: str | None = None
    as_written: str | None = None
    via_pattern: str | None = None


@dataclass
class FakeCatalog:
    entries: dict[str, Entry] = field(default_factory=dict)
    reuploads: dict[str, str] = field(default_factory=dict)  # as written -> canonical

    def lookup(self, repo_id: str) -> Entry | None:
        key = repo_id.lower()
        canonical = self.reuploads.get(key)
        if canonical:
            e = self.entries[canonical.lower()]
            return Entry(e.repo_id, e.license, e.family, e.base, e.relation, repo_id, "pattern")
        return self.entries.get(key)


def catalog(*entries: Entry, reuploads: dict[str, str] | None = None) -> FakeCatalog:
    return FakeCatalog({e.repo_id.lower(): e for e in entries}, reuploads or {})


class FakeResolver(AncestorResolver):
    """Answers from a dict; values may be exceptions to raise."""

    name = "hub"

    def __init__(self, answers: dict[str, ResolvedRepo | Exception]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def resolve(self, repo_id: str) -> ResolvedRepo | None:
        self.asked.append(repo_id)
        answer = self.answers.get(repo_id)
        if isinstance(answer, Exception):
            raise answer
        return answer
