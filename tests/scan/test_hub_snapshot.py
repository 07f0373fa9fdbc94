"""The light Hub source a scan reads through: one model-info call, then only the files
the rules need, weight headers by one ranged read each."""

from __future__ import annotations

import pytest
from hubrepos import card, gguf_bytes, make_repo, safetensors_bytes

from compliance.facts.read import read_facts
from compliance.scan.http import PoliteClient, Tally
from compliance.scan.worker import scan_wanted
from compliance.sources.base import Source
from compliance.sources.hub_snapshot import HubSnapshot, fetch_model_info

pytestmark = [pytest.mark.hub]


@pytest.fixture(scope="module")
def weights_repo(family_hub):
    st = safetensors_bytes({"model.embed_tokens.weight": ("BF16", (64, 8))})
    gg = gguf_bytes(
        {"general.architecture": "llama", "general.license": "llama3.1"}, tensor_data=64 << 10
    )
    sha = make_repo(
        family_hub.olah.mirrors,
        "fam/Llama-weights",
        {
            "README.md": card("license: llama3.1"),
            "generation_config.json": "{}",
            "config.json": "{}",
        },
        lfs={"model.safetensors": st, "model.Q4.gguf": gg},
    )
    return "fam/Llama-weights", sha


def test_headers_are_read_with_one_request_per_file(hub, weights_repo):
    repo, sha = weights_repo
    client = PoliteClient(hub.url)
    tally = Tally()
    info = fetch_model_info(client, repo, tally=tally)
    snap = HubSnapshot(info, client, scan_wanted, tally=tally)
    assert isinstance(snap, Source) and snap.commit == sha
    facts = read_facts(snap)
    client.close()
    by_format = {w.format: w for w in facts.weights}
    assert by_format["safetensors"].header_ok
    assert by_format["safetensors"].tensors[0].name == "model.embed_tokens.weight"
    assert facts.gguf and facts.gguf[0].license == "llama3.1"
    # info + README + config.json + one read per weight header; generation_config skipped
    assert tally.requests == 5
    assert tally.bytes < 200_000
    paths = [e.path for e in hub.proxy.log]
    assert not any("generation_config" in p for p in paths)
    assert any("generation_config.json" in n for n in facts.notes)
    assert not facts.problems
