"""Rule packs (rules/<pack>/pack.yaml + one YAML file per rule): load, validate, identify.

Packs are data. The package is split by job; import from here:

- `schema`   the declared schema (`Key`, `check_schema`) and the cross-field rules;
- `build`    validated documents -> records;
- `cache`    validated documents kept as JSON between runs (~/.cache/modelcheck;
             `MODELCHECK_NO_CACHE=1` disables it; see its docstring for why it is
             never stale);
- `load`     `load_all(extra_dirs) -> list[Pack]` (raises the first problem as
             `RulePackError`, memoised per process), `validate_dir(path) -> list[str]`
             (every problem), `pack_dirs`, `by_id`, `find_rule(rule_id)`;
- `identify` `identify_text` (licence and NOTICE texts), `pack_for_declared` (card
             licence metadata), and `Identifier`, both bound to one final pack set.

The records themselves (`Pack`, `Rule`, ...) live in `compliance.rule_model`, a shared
leaf, so the check kinds can read them while this package depends on the check kinds
(to validate each rule's `check:`).
"""

from __future__ import annotations

from compliance.packs.identify import Identifier, identify_text, pack_for_declared
from compliance.packs.load import (
    by_id,
    clear_memo,
    find_rule,
    load_all,
    pack_dirs,
    validate_dir,
)
from compliance.packs.schema import Key, check_schema
from compliance.rule_model import (
    CheckSpec,
    ClauseSpec,
    Derivatives,
    Docs,
    Identity,
    Pack,
    Rule,
)

__all__ = [
    "CheckSpec",
    "ClauseSpec",
    "Derivatives",
    "Docs",
    "Identifier",
    "Identity",
    "Key",
    "Pack",
    "Rule",
    "by_id",
    "check_schema",
    "clear_memo",
    "find_rule",
    "identify_text",
    "load_all",
    "pack_dirs",
    "pack_for_declared",
    "validate_dir",
]
