"""Check kinds: one module per kind, listed here by hand (no import-time registration).

Each module has a docstring (What / Why / Example / Options), `KIND`, `OPTIONS`
(option -> Python type), optional `REQUIRED` and `validate(options) -> list[str]`, and
`check(ctx, rule) -> CheckResult`.
"""

from __future__ import annotations

from compliance.checks import (
    ancestor_license,
    card_contains,
    card_names_ancestor,
    derivative_forbidden,
    engine_rule,
    facts_problems,
    file_contains,
    informational,
    license_compatible,
    license_conflict,
    license_file_mismatch,
    license_missing,
    license_other_unnamed,
    license_unknown,
    merge_conflict,
    metadata_equals,
    metadata_in,
    name_starts_with,
    non_commercial_ancestor,
    own_terms,
    pickle_weights,
    relation_evidence,
    undeclared_base,
    unidentified_base,
    unresolved_ancestor,
)
from compliance.checks.base import CheckKind

CHECKS: dict[str, CheckKind] = {
    m.KIND: m
    for m in (
        card_contains,
        card_names_ancestor,
        file_contains,
        name_starts_with,
        metadata_equals,
        metadata_in,
        license_compatible,
        informational,
        derivative_forbidden,
        ancestor_license,
        license_missing,
        license_other_unnamed,
        license_unknown,
        license_file_mismatch,
        license_conflict,
        merge_conflict,
        undeclared_base,
        unidentified_base,
        unresolved_ancestor,
        pickle_weights,
        facts_problems,
        relation_evidence,
        non_commercial_ancestor,
        own_terms,
        engine_rule,
    )
}
