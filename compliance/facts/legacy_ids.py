"""Hub model ids without an organisation that the Hub still serves.

The first Transformers checkpoints had no org (`bert-base-uncased`, `gpt2`, `roberta-large`);
in 2024 the Hub moved them under organisations and redirects the old ids, so a card's
`base_model: roberta-large` is linked by the Hub and is not a malformed id.
"""

from __future__ import annotations

_ORGS = {
    "google-bert": (
        "bert-base-uncased", "bert-base-cased", "bert-large-uncased", "bert-large-cased",
        "bert-base-multilingual-cased", "bert-base-multilingual-uncased", "bert-base-chinese",
    ),
    "FacebookAI": (
        "roberta-base", "roberta-large", "xlm-roberta-base", "xlm-roberta-large",
        "roberta-large-mnli",
    ),
    "openai-community": ("gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "openai-gpt"),
    "distilbert": (
        "distilbert-base-uncased", "distilbert-base-cased", "distilroberta-base", "distilgpt2",
        "distilbert-base-multilingual-cased",
    ),
    "google-t5": ("t5-small", "t5-base", "t5-large", "t5-3b", "t5-11b"),
    "albert": ("albert-base-v2", "albert-large-v2", "albert-xlarge-v2", "albert-xxlarge-v2"),
}  # fmt: skip
LEGACY_IDS: dict[str, str] = {
    name.lower(): f"{org}/{name}" for org, names in _ORGS.items() for name in names
}


def canonical_legacy_id(value: str) -> str | None:
    """`org/name` for a legacy org-less id (`roberta-large` → `FacebookAI/roberta-large`)."""
    return LEGACY_IDS.get(value.strip().lower())
