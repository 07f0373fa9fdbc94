"""Which files the facts readers read: the rule a source uses to fetch them up front.

The source never knows what facts need; the pipeline hands it `read_by_facts`.
"""

from __future__ import annotations

from compliance.facts.adapters import ADAPTER_CONFIG
from compliance.facts.license_files import license_kind
from compliance.facts.mergekit import CONFIG_FILES as MERGE_CONFIG_FILES
from compliance.facts.repo_config import MODELCHECK_CONFIG, MODELCHECK_CONFIG_YML

# read at the root only (lower-cased)
_ROOT_NAMES = frozenset(
    {"readme.md", "config.json", "generation_config.json", MODELCHECK_CONFIG, *MERGE_CONFIG_FILES}
    | {MODELCHECK_CONFIG_YML}
)
# read at the root or one folder down (licence files too: `license_kind`)
_ANY_NAMES = frozenset({ADAPTER_CONFIG})
_SUFFIXES = (".safetensors.index.json",)


def read_by_facts(path: str) -> bool:
    """True for a file `read_facts` reads whole: the card, configs, merge configs and
    `.modelcheck.yaml` at the root; adapter configs, safetensors indexes and licence /
    notice / use-policy files at the root or one folder down."""
    if path.count("/") > 1:
        return False
    low = path.rsplit("/", 1)[-1].lower()
    if "/" not in path and low in _ROOT_NAMES:
        return True
    return low in _ANY_NAMES or low.endswith(_SUFFIXES) or license_kind(path) is not None
