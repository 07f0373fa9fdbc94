"""Teachers named by a card's `datasets:`: a dataset of a model's outputs means distillation.

Synthetic-data repos name the model that wrote them ("…-Llama-3.1-405B-Instruct-…",
"magpie-…-Qwen2.5-72B-Instruct"). Training on a model's outputs is what licences such
as Llama 3.1 (naming of distilled models) and the outputs bans govern, so the model a
dataset id names is recorded as a "distilled" ancestor. A name counts only when the
catalog knows exactly one model by it and it has a digit (a family word alone names no
model); an org is never guessed.
"""

from __future__ import annotations

from typing import Any

from compliance.lineage.catalog_names import lookup_name
from compliance.records import record
from compliance.regex_cache import compiled

_TOKENS = compiled(r"[-_]+")
_MAX_TOKENS = 24
_MAX_RUN = 8
_MAX_DATASETS = 32


@record(frozen=True)
class Teacher:
    """A model whose outputs a training dataset named in the card holds."""

    repo_id: str  # catalog id of the model whose outputs the dataset holds
    dataset: str  # the `datasets:` entry as written


def _named_model(catalog: Any, name: str) -> str | None:
    """The longest run of tokens of a dataset name that is one catalog model's name."""
    tokens = [t for t in _TOKENS.split(name[:300]) if t][:_MAX_TOKENS]
    best: tuple[int, str] | None = None
    for i in range(len(tokens)):
        for j in range(min(len(tokens), i + _MAX_RUN), i + 1, -1):  # two tokens or more
            run = "-".join(tokens[i:j])
            if not any(c.isdigit() for c in run):
                continue
            entry = lookup_name(catalog, run)
            if entry is not None:
                if best is None or j - i > best[0]:
                    best = (j - i, entry.repo_id)
                break
    return best[1] if best else None


def dataset_teachers(datasets: list[str], catalog: Any) -> list[Teacher]:
    """Models whose outputs the listed datasets are, in order, each once."""
    if catalog is None:
        return []
    out: list[Teacher] = []
    for ds in datasets[:_MAX_DATASETS]:
        name = ds.strip().rsplit("/", 1)[-1]
        rid = _named_model(catalog, name) if name else None
        if rid and all(t.repo_id != rid for t in out):
            out.append(Teacher(rid, ds.strip()[:200]))
    return out
