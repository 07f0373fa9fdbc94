"""read_facts: everything a repo declares, through the `Source` protocol only."""

from __future__ import annotations

from compliance.facts.adapters import read_adapters
from compliance.facts.card import read_card
from compliance.facts.config import read_config, read_generation_config
from compliance.facts.context import RepoContext
from compliance.facts.license_files import read_license_files
from compliance.facts.mergekit import read_merge_config
from compliance.facts.model import Facts
from compliance.facts.repo_config import read_modelcheck_config
from compliance.facts.weights import HUB_HEADERS, read_weights
from compliance.sources.base import Source


def read_facts(source: Source, *, all_shard_headers: bool = False) -> Facts:
    """Read the facts of one repo. Bad content becomes `Facts.problems`;
    only the source itself failing (e.g. the repo cannot be listed) raises.

    A local repo has every weight header read (cheap, and it catches lying
    headers). A Hub repo (`source.kind == "hub"`) has only the first
    `HUB_HEADERS` safetensors and GGUF headers read, so its cost does not grow
    with the number of shards; the rest are listed with a note.
    `all_shard_headers=True` (`--weights`) reads them all there too.

    Licence-bearing files keep their text only; which licence each is, is decided
    later, against the final set of rule packs.

    `Facts.notes` ends with the source's own notes (skipped symlinks, files
    not cached...), so callers need not add `source.notes()` again.
    """
    listing = source.list_files()
    ctx = RepoContext(source=source, files={f.path: f for f in listing})
    facts = Facts(
        source_kind=source.kind,
        label=source.label,
        repo_id=source.repo_id,
        revision=source.revision,
        commit=source.commit,
        files=sorted(ctx.files),
        git_remote_repo_id=getattr(source, "git_remote_repo_id", None),
    )
    facts.card, card_merges = read_card(ctx)
    facts.config = read_config(ctx)
    facts.generation_config = read_generation_config(ctx)
    facts.adapters = read_adapters(ctx)
    facts.merges = read_merge_config(ctx) + card_merges
    facts.license_files = read_license_files(ctx)
    cap = None if all_shard_headers or source.kind != "hub" else HUB_HEADERS
    facts.weights, facts.gguf = read_weights(ctx, cap)
    facts.modelcheck_config = read_modelcheck_config(ctx)
    facts.problems = ctx.problems
    facts.notes = ctx.notes + [n for n in source.notes() if n not in ctx.notes]
    return facts
