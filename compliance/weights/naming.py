"""The name a fingerprint is stored under: the repo id a library lookup matches.

`--name ORG/NAME` wins; a Hub model is named by its repo id; a local checkpoint by the
audit's own naming (`compliance.naming`: `.modelcheck.yaml` repo_id, git remote, card
`model_name` / model-index) when that gives a repo id. Never a local path.
"""

from __future__ import annotations

from typing import Any

_REPO_ID_SOURCES = ("repo_id", "git remote", "model_name", "model-index", "Hub repo id")


def fingerprint_name(
    view: Any, kind: str, spec: str, name: str | None = None
) -> tuple[str | None, str | None]:
    """(repo id or None, where it came from)."""
    from compliance.repo_id import is_valid_repo_id

    if name:
        return name.strip(), "--name"
    if kind == "hub":
        return str(view.label), "Hub repo id"  # "org/name", no "@rev"
    if kind != "local":
        return None, None
    from compliance.config import parse_config
    from compliance.errors import ModelcheckError
    from compliance.facts.read import read_facts
    from compliance.naming import model_name
    from compliance.sources.local import LocalSource

    try:
        facts = read_facts(LocalSource(spec))
    except (ModelcheckError, OSError):  # naming is a convenience: leave it unnamed
        return None, None
    try:
        cfg = parse_config(facts.modelcheck_config or None, ".modelcheck.yaml", None)
    except ModelcheckError:
        cfg = None
    found, source = model_name(facts, None, cfg)
    if is_valid_repo_id(found) and any(s in source for s in _REPO_ID_SOURCES):
        return found, source
    return None, None
