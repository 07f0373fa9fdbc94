"""The model's published name, and where it came from (the report states the source).

Order: `--name`, `.modelcheck.yaml` `repo_id`, the Hub repo id (Hub audits), the git
remote of a Hub checkout, card `model_name`, card `model-index[0].name`, the card's
first heading, else the directory name.
"""

from __future__ import annotations

from pathlib import PurePath

from compliance.config import Config
from compliance.facts.model import Facts


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def model_name(
    facts: Facts, cli_name: str | None = None, config: Config | None = None
) -> tuple[str, str]:
    """(name, source) for the audited model."""
    if name := _text(cli_name):
        return name, "--name"
    if config is not None and (name := _text(config.repo_id)):
        return name, f"{config.origin or '.modelcheck.yaml'} repo_id"
    if facts.source_kind == "hub" and facts.repo_id:
        return facts.repo_id, "Hub repo id"
    if facts.git_remote_repo_id:
        return facts.git_remote_repo_id, "git remote"
    if name := facts.card.model_name:
        return name, "card model_name"
    index = facts.card.model_index_names
    if index and (name := _text(index[0])):
        return name, "card model-index[0].name"
    if name := _text(facts.card.first_heading):
        return name, "card first heading"
    label = facts.label.rstrip("/\\")
    return PurePath(label).name or label, "directory name"
