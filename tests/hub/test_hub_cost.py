"""The cost cap: a Hub audit reads the index and a few shard headers, however many shards."""

from __future__ import annotations

import itertools
import json

import pytest
from hubrepos import card, make_repo, safetensors_header
from hubserver import settings_for

from compliance.facts.read import read_facts
from compliance.facts.wanted import read_by_facts
from compliance.facts.weights import HUB_HEADERS
from compliance.sources.hub import HubSource

pytestmark = pytest.mark.hub

_n = itertools.count()
SHARDS = 40


def _sharded(mirrors, repo_id: str) -> list[str]:
    names = [f"model-{k:05d}-of-{SHARDS:05d}.safetensors" for k in range(1, SHARDS + 1)]
    objects, sizes, weight_map = {}, {}, {}
    for k, name in enumerate(names):
        head, data_len = safetensors_header({f"layer.{k}.weight": ("BF16", (64, 64))})
        objects[name] = head + bytes(data_len)
        sizes[name] = len(head) + data_len
        weight_map[f"layer.{k}.weight"] = name
    index = json.dumps({"metadata": {}, "weight_map": weight_map})
    files = {"README.md": card("license: apache-2.0"), "model.safetensors.index.json": index}
    make_repo(mirrors, repo_id, files, objects, sizes)
    return names


def test_shard_headers_are_capped_on_the_hub(olah, proxy, tmp_path) -> None:
    repo = f"cost{next(_n)}/many-shards"
    names = _sharded(olah.mirrors, repo)
    src = HubSource.open(
        repo, settings=settings_for(proxy.url, tmp_path / "hf"), wanted=read_by_facts
    )
    proxy.reset()
    facts = read_facts(src)
    shard_requests = [
        e.path for e in proxy.log if ".safetensors" in e.path and "index" not in e.path
    ]
    # one ranged read per header actually read, for the first shards by name only
    assert len(shard_requests) == HUB_HEADERS
    assert all(any(n in p for n in names[:HUB_HEADERS]) for p in shard_requests)
    listed = [w for w in facts.weights if w.format == "safetensors"]
    assert len(listed) == SHARDS and all(w.size for w in listed)
    assert sum(w.header_ok for w in listed) == HUB_HEADERS
    skipped = SHARDS - HUB_HEADERS
    assert any(f"{skipped} safetensors shard headers not read" in n for n in facts.notes)
    assert not facts.problems  # the index names only shards that exist

    proxy.reset()
    full = read_facts(src, all_shard_headers=True)
    assert sum(w.header_ok for w in full.weights) == SHARDS
    assert len([e for e in proxy.log if ".safetensors" in e.path and "index" not in e.path]) == (
        SHARDS - HUB_HEADERS  # the first ones are already in the source's prefix cache
    )
