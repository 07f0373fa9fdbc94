"""End to end: the real `modelcheck` CLI, the real huggingface_hub client, a real
Hub-compatible server (olah) and, for faults, the fault proxy in front of it.

HF_ENDPOINT / HF_HOME / HF_TOKEN / HF_HUB_OFFLINE are set in the environment of
the CLI subprocess, exactly as a user would set them."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from faultproxy import Fault
from hubrepos import build_family, card, make_repo
from hubserver import free_port

pytestmark = pytest.mark.hub

MARKER = "hf_E2EtokenMARKERmustNotLeak42"
_n = itertools.count()


@pytest.fixture(scope="module")
def family(olah) -> dict[str, str]:
    return build_family(olah.mirrors, f"e2e{next(_n)}")


def run_cli(endpoint: str, hf_home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MODELCHECK_"))}
    base.update(
        HF_ENDPOINT=endpoint,
        HF_HOME=str(hf_home),
        HF_TOKEN=MARKER,
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DOWNLOAD_TIMEOUT="15",
        HF_HUB_ETAG_TIMEOUT="15",
        MODELCHECK_HUB_RETRIES="1",
        MODELCHECK_HUB_BACKOFF="0.01",
    )
    base.update(env)
    exe = Path(sys.executable).with_name("modelcheck")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "compliance.cli"]
    out = subprocess.run(
        [*cmd, "audit", *args], env=base, capture_output=True, text=True, timeout=300
    )
    # the token is never printed, whatever happened
    assert MARKER not in out.stdout and MARKER not in out.stderr
    assert "Traceback" not in out.stderr
    return out


def audit_json(endpoint: str, hf_home: Path, target: str, *args: str, **env: str) -> dict:
    out = run_cli(endpoint, hf_home, target, "-f", "json", *args, **env)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def rule_ids(report: dict) -> set[str]:
    return {f["rule_id"] for f in report["findings"] if not f.get("waived")}


def test_missing_attribution_three_levels_down(olah, tmp_path, family) -> None:
    report = audit_json(olah.url, tmp_path / "hf", family["ft2"])
    commit = report["source"]["commit"]
    assert report["source"]["kind"] == "hub" and report["source"]["revision"] == "main"
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    assert "llama3.1/built-with" in rule_ids(report)
    ancestors = {a["repo_id"]: a for a in report["lineage"]["ancestors"]}
    assert set(ancestors) == {family["ft1"], family["base"]}
    assert ancestors[family["base"]]["depth"] == 2
    assert all(a["resolution"] == "hub" and len(a["revision"]) == 40 for a in ancestors.values())
    # the Markdown report names the repo, the revision asked for and the commit read
    md = run_cli(olah.url, tmp_path / "hf", family["ft2"]).stdout
    assert family["ft2"] in md and "`main`" in md and commit in md


def test_attribution_present_one_level_up(olah, tmp_path, family) -> None:
    report = audit_json(olah.url, tmp_path / "hf", family["ft1"])
    assert "llama3.1/built-with" not in rule_ids(report)


def test_merge_of_two_families(olah, tmp_path, family) -> None:
    report = audit_json(olah.url, tmp_path / "hf", family["merge"])
    assert report["model"]["relation"] == "merge"
    assert set(report["lineage"]["licenses"]) == {"llama3.1", "qwen"}
    # the qwen side brings its own obligations
    assert any(r.startswith("qwen/") for r in rule_ids(report))


def test_gguf_quantization(olah, tmp_path, family) -> None:
    report = audit_json(olah.url, tmp_path / "hf", family["gguf"])
    assert report["model"]["relation"] == "quantized"
    assert {a["repo_id"] for a in report["lineage"]["ancestors"]} == {
        family["ft1"],
        family["base"],
    }


def test_gated_ancestor_and_the_audit_goes_on(proxy, tmp_path, family) -> None:
    proxy.add(Fault(re.escape(family["gated"]), status=403, headers={"X-Error-Code": "GatedRepo"}))
    report = audit_json(proxy.url, tmp_path / "hf", family["on_gated"])
    (a,) = report["lineage"]["ancestors"]
    assert a["repo_id"] == family["gated"] and a["resolution"] == "gated"
    # the hint is said once, not once by the resolver and again by the lineage builder
    assert a["resolution_note"].count("set HF_TOKEN or accept the licence on the Hub") == 1
    # the token was sent to the server, and appears nowhere in the output (run_cli)
    assert any(h.get("authorization") == f"Bearer {MARKER}" for h in proxy.seen_headers)


def test_same_pipeline_for_a_local_directory(olah, tmp_path, family) -> None:
    hub = audit_json(olah.url, tmp_path / "hf", family["ft2"])
    snap = next((tmp_path / "hf" / "hub").glob(f"models--{family['ft2'].replace('/', '--')}"))
    local_dir = next((snap / "snapshots").iterdir())
    local = audit_json(
        olah.url, tmp_path / "hf", str(local_dir), "--resolve", "hub", "--name", family["ft2"]
    )
    assert local["source"]["kind"] == "local"
    hub_rules = {r for r in rule_ids(hub) if r.startswith("llama3.1/")}
    assert hub_rules == {r for r in rule_ids(local) if r.startswith("llama3.1/")}
    assert hub["lineage"]["ancestors"] == local["lineage"]["ancestors"]


def test_offline_audits_from_the_cache(olah, tmp_path, family) -> None:
    hf = tmp_path / "hf"
    online = audit_json(olah.url, hf, family["ft2"])
    dead = f"http://127.0.0.1:{free_port()}"
    offline = audit_json(dead, hf, family["ft2"], HF_HUB_OFFLINE="1")
    assert offline["source"]["commit"] == online["source"]["commit"]
    # the uncached weight file cannot be read: said, not guessed
    assert rule_ids(offline) - {"core/unreadable-file"} == rule_ids(online)
    notes = " ".join(offline["notes"])
    assert "HF_HUB_OFFLINE=1" in notes and "model.safetensors" in notes  # not cached, named
    missing = run_cli(dead, tmp_path / "empty", family["ft1"], HF_HUB_OFFLINE="1")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0
    assert "not in the Hugging Face cache" in missing.stderr


@pytest.mark.parametrize(
    ("fault", "expect"),
    [
        (Fault(r"/revision/", status=500), "server error (HTTP 500)"),
        (Fault(r"/revision/", status=429, headers={"Retry-After": "0"}), "rate limited (HTTP 429)"),
        (Fault(r"/revision/", kind="truncate"), "truncated"),
        (Fault(r"/revision/", status=401), "set HF_TOKEN or accept the licence on the Hub"),
        (Fault(r"/revision/", kind="delay", delay=4.0), "timed out"),
    ],
    ids=["500", "429", "truncated", "401", "timeout"],
)
def test_faults_are_one_line_errors_with_exit_2(proxy, tmp_path, family, fault, expect) -> None:
    proxy.add(fault)
    out = run_cli(proxy.url, tmp_path / "hf", family["ft1"], HF_HUB_DOWNLOAD_TIMEOUT="1")
    assert out.returncode == 2, out.stderr
    line = out.stderr.strip()
    assert "\n" not in line and line.startswith("modelcheck: error: ") and expect in line
    assert family["ft1"] in line


def test_missing_repo_revision_and_refused_connection(olah, tmp_path, family) -> None:
    gone = run_cli(olah.url, tmp_path / "hf", "e2e-nobody/nothing")
    assert gone.returncode == 2 and "repository not found" in gone.stderr
    rev = run_cli(olah.url, tmp_path / "hf", f"{family['ft1']}@no-such-branch")
    assert rev.returncode == 2 and "revision not found" in rev.stderr
    refused = run_cli(f"http://127.0.0.1:{free_port()}", tmp_path / "hf", family["ft1"])
    assert refused.returncode == 2 and "cannot connect to 127.0.0.1:" in refused.stderr
    for out in (gone, rev, refused):
        assert out.stderr.strip().count("\n") == 0


def test_ancestor_fault_does_not_lose_the_report(proxy, tmp_path, family) -> None:
    # every read of the base fails: the fine-tune is still audited, the base marked
    proxy.add(Fault(re.escape(family["base"]), status=503))
    report = audit_json(proxy.url, tmp_path / "hf", family["ft1"])
    (a,) = report["lineage"]["ancestors"]
    assert a["repo_id"] == family["base"] and a["resolution"] == "error"
    assert "server error (HTTP 503)" in a["resolution_note"]
    assert report["findings"]  # the report is there


def test_catalog_known_ancestor_is_read_from_the_hub(olah, tmp_path, family) -> None:
    # a repo named like a catalog model, whose own card says something else than the catalog
    base = "meta-llama/Llama-3.1-8B"
    # (two restrictive licences: the Hub's answer stands; a permissive one would not)
    commit = make_repo(olah.mirrors, base, {"README.md": card("license: llama3")})
    org = family["ft1"].split("/")[0]
    child = f"{org}/Llama-on-catalog"
    make_repo(
        olah.mirrors,
        child,
        {"README.md": card(f"license: llama3.1\nbase_model: {base}", "# x\n\nBuilt with Llama\n")},
    )
    report = audit_json(olah.url, tmp_path / "hf", child)
    (a,) = report["lineage"]["ancestors"]
    # read from the Hub, pinned to the commit read, with the Hub's answer
    assert (a["repo_id"], a["resolution"], a["revision"]) == (base, "hub", commit)
    assert (a["license"], a["license_source"]) == ("llama3", "hub-card")
    assert a["known_from"] == "card base_model"
    # the disagreement with the catalog is reported: on the ancestor and as a report note
    assert "the built-in catalog says `llama3.1`" in a["resolution_note"]
    (note,) = [n for n in report["notes"] if "disagree" in n]
    assert f"`{base}`" in note and "`llama3`" in note and "`llama3.1`" in note
    assert commit[:12] in note
    md = run_cli(olah.url, tmp_path / "hf", child).stdout
    assert "| Known from |" in md and "the built-in catalog says" in md
    # catalog mode (no Hub lineage): the catalog answers, nothing is read or pinned
    offline = audit_json(olah.url, tmp_path / "hf", child, "--resolve", "catalog")
    (c,) = offline["lineage"]["ancestors"]
    assert (c["license"], c["resolution"], c["revision"]) == ("llama3.1", "catalog", None)
    assert not any("disagree" in n for n in offline["notes"])


def test_offline_uncached_card_is_unverifiable_not_missing(olah, tmp_path, family) -> None:
    hf = tmp_path / "hf"
    audit_json(olah.url, hf, family["ft2"])
    cached = list((hf / "hub").glob("models--*/snapshots/*/README.md"))
    assert cached
    for p in cached:
        p.unlink()  # the card is listed in the cached tree, but its file is gone
    dead = f"http://127.0.0.1:{free_port()}"
    offline = audit_json(dead, hf, family["ft2"], HF_HUB_OFFLINE="1", MODELCHECK_NO_CACHE="1")
    text = json.dumps(offline)
    assert "There is no model card" not in text
    assert any(
        f["category"] == "unverifiable" and "README.md" in json.dumps(f["evidence"])
        for f in offline["findings"]
    )
