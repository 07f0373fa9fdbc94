"""Weight lineage through the real Hub client against olah: `modelcheck lineage
org/suspect --against org/base` and `modelcheck audit org/suspect --weights`.

olah streams whole mirrored files and ignores HTTP Range, so these tests also
prove the reader notices and batches: every sampled row of a weight file comes from
one streamed pass (before: one pass from byte 0 per sampled block, 128 requests and
450 MB received per 6.8 MB model)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hubrepos import card, make_repo

from tests.support import synth

pytestmark = pytest.mark.hub

_n = itertools.count()


def _publish(mirrors: Path, repo_id: str, model: synth.SynthModel, meta: str, tmp: Path) -> None:
    out = synth.write_model(model, tmp / repo_id.replace("/", "--"))
    make_repo(
        mirrors,
        repo_id,
        {
            "README.md": card(meta, "# Model\n\nBuilt with care.\n"),
            "config.json": (out / "config.json").read_text(),
            "tokenizer.json": (out / "tokenizer.json").read_text(),
        },
        lfs={"model.safetensors": (out / "model.safetensors").read_bytes()},
    )


@pytest.fixture(scope="module")
def models(olah, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("weights")
    org = f"w{next(_n)}"
    base = synth.base(seed=11)
    ids = {
        "base": f"{org}/base",
        "finetune": f"{org}/finetune",
        "unrelated": f"{org}/unrelated",
    }
    _publish(olah.mirrors, ids["base"], base, "license: apache-2.0", tmp)
    _publish(
        olah.mirrors,
        ids["finetune"],
        synth.fine_tune(base, 0.1),
        f"license: apache-2.0\nbase_model: {ids['base']}",
        tmp,
    )
    _publish(olah.mirrors, ids["unrelated"], synth.same_stats(base), "license: apache-2.0", tmp)
    return ids


def _run(olah, hf_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MODELCHECK_"))}
    env.update(HF_ENDPOINT=olah.url, HF_HOME=str(hf_home), HF_HUB_DISABLE_TELEMETRY="1")
    exe = Path(sys.executable).with_name("modelcheck")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "compliance.cli"]
    proc = subprocess.run(
        [*cmd, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _verdict(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode in (0, 1), proc.stderr
    comparison = json.loads(proc.stdout)["comparisons"][0]
    _one_pass_per_file(comparison)
    return comparison["verdict"]["kind"]


# Per side: a weight header read (two for an audited suspect: the facts read it too) and
# one streamed pass through the model's single weight file for all its sampled rows.
MAX_REQUESTS = 3
SLACK = 128 << 10  # header reads (64 KiB + 16 KiB) plus at most one 16 KiB stream chunk


def _one_pass_per_file(comparison: dict) -> None:
    for side in ("suspect", "candidate"):
        info = comparison[side]
        assert info["kind"] == "hub"
        assert info["requests"] is not None and 1 <= info["requests"] <= MAX_REQUESTS, info
        # what was received (skipped bytes included): at most the file once, not once per read
        assert 0 < info["bytes_read"] <= info["total_bytes"] + SLACK, info


def test_lineage_over_the_hub_finds_the_fine_tune(olah, models, tmp_path) -> None:
    proc = _run(
        olah, tmp_path, "lineage", models["finetune"], "--against", models["base"],
        "--format", "json",
    )
    assert _verdict(proc) == "consistent-with-derivation"


def test_lineage_over_the_hub_hard_negative(olah, models, tmp_path) -> None:
    proc = _run(
        olah, tmp_path, "lineage", models["unrelated"], "--against", models["base"],
        "--format", "json",
    )
    assert _verdict(proc) in ("no-weight-evidence", "not-verifiable")


def test_audit_with_weights_supports_the_declared_base(olah, models, tmp_path) -> None:
    proc = _run(olah, tmp_path, "audit", models["finetune"], "--weights", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    weights = json.loads(proc.stdout)["weights"]
    assert weights is not None
    text = json.dumps(weights)
    assert models["base"] in text and "supported" in text
    assert weights["details"]
    for comparison in weights["details"]:
        _one_pass_per_file(comparison)


def test_hub_source_reports_that_olah_ignores_range(olah, models, tmp_path) -> None:
    from hubserver import settings_for

    from compliance.sources.hub import HubSource

    src = HubSource.open(models["base"], settings=settings_for(olah.url, tmp_path / "cache"))
    assert src.ignores_range is None  # nothing ranged asked yet
    head = src.read_range("model.safetensors", 0, 8)
    assert len(head) == 8 and src.ignores_range is True
    # many far-apart spans: one request, one pass
    before = src.counter.requests
    spans = [(100_000 * i, 64) for i in range(1, 30)]
    got = src.read_ranges("model.safetensors", spans)
    assert [len(g) for g in got] == [64] * len(spans)
    assert src.counter.requests - before == 1
    assert got[3] == src.read_range("model.safetensors", *spans[3])  # the same bytes, alone
