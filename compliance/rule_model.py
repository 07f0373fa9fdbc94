"""Typed records of loaded rule packs: `Pack`, `Rule` and their parts (a shared leaf:
the check kinds read them without depending on how packs are loaded).

Built only by `compliance.packs.build` from validated documents; frozen, so the
engine and checks can share them freely.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from compliance.records import field, record
from compliance.report import Clause, Severity


@record(frozen=True)
class ClauseSpec:
    """The licence clause a rule enforces, with its exact quote."""
    section: str
    quote: str
    source: str | None = None
    verified: bool = True
    note: str | None = None

    def to_clause(self, license_id: str) -> Clause:
        return Clause(license_id, self.section, self.quote, self.verified, self.note)


@record(frozen=True)
class CheckSpec:
    """Which check kind a rule runs, with its options."""
    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)


@record(frozen=True)
class Docs:
    """A rule's documentation: what it checks, why, and an example."""
    what: str
    why: str
    example: str | None = None
    known_problems: str | None = None
    references: tuple[str, ...] = ()


@record(frozen=True)
class Autofix:
    """What `modelcheck fix` may write for a finding of this rule (the rule's `autofix:`)."""

    notice: str | None = None  # a sentence the NOTICE file must carry
    card: str | None = None  # a sentence the model card body must carry
    metadata: Mapping[str, str] = field(default_factory=dict)  # front-matter keys to set
    base_model: bool = False  # add the finding's ancestor to `base_model`
    license_file: bool = False  # copy the user's --license-file FILE to LICENSE
    suggest: bool = False  # print the rule's `fix:` as a suggestion, never apply it


@record(frozen=True)
class Rule:
    """One rule of a pack: its check, the clause it cites and the finding it raises."""
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
    # relation -> severity where the duty weighs differently (e.g. a licence copy on an adapter)
    severity_by_relation: Mapping[str, Severity] = field(default_factory=dict)
    autofix: Autofix | None = None

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[1]

    def severity_for(self, relation: str | None) -> Severity:
        """The severity of a finding for a model with this relation to its ancestors."""
        if relation is None:
            return self.severity
        return self.severity_by_relation.get(relation, self.severity)


@record(frozen=True)
class Identity:
    """What identifies a licence in a repo: Hub ids, names, URLs and text signatures."""
    hub_ids: tuple[str, ...] = ()
    license_names: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    signatures: tuple[tuple[str, ...], ...] = ()  # normalised phrase groups
    notice_signatures: tuple[tuple[str, ...], ...] = ()


@record(frozen=True)
class Derivatives:
    """The licences a derivative of this licence's models may carry."""
    acceptable_ids: tuple[str, ...] = ()
    acceptable_names: tuple[str, ...] = ()
    note: str | None = None


@record(frozen=True)
class Pack:
    """A loaded rule pack: one licence, policy or the core checks, with its rules."""
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


class _RulesOnFirstUse:
    """`Pack.rules` of a pack made by `rules_on_first_use`: built when first read, then
    kept. An audit runs the rules of the core packs and of the few licences in its
    model's lineage; the other fifty packs' rules are only ever listed or explained."""

    def __get__(self, pack: Pack | None, owner: Any = None) -> tuple[Rule, ...]:
        if pack is None:
            return ()  # the class attribute, as the field's default
        state = pack.__dict__
        later = state.get("_rules_later")
        if later is None:  # another thread built them meanwhile
            rules: tuple[Rule, ...] = state.get("rules", ())
            return rules
        # built before the builder is dropped: a thread that reads them at the same time
        # builds an equal tuple, never an empty one
        rules = later()
        state["rules"] = rules  # the instance's own value from now on
        state.pop("_rules_later", None)
        return rules


Pack.rules = _RulesOnFirstUse()  # type: ignore[assignment]


def rules_on_first_use(pack: Pack, later: Callable[[], tuple[Rule, ...]]) -> Pack:
    """`pack`, whose `rules` become `later()` when first read (equality, hashing, `repr`
    and `dataclasses.asdict` read them too, so a pack behaves exactly as one built with
    them)."""
    state = pack.__dict__
    state.pop("rules", None)
    state["_rules_later"] = later
    return pack
