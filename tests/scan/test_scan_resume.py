"""Resumable and incremental: SIGKILL mid-scan then rerun equals an uninterrupted run;
a changed commit or changed rules re-audit exactly what changed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import family
import pytest
from scanning import rows, scan

from compliance.scan.store import Store

pytestmark = [pytest.mark.hub]

LABELS = {"compliant", "relicensed", "missing-notice", "hidden-base", "gated", "server-error"}


def _cli(hub, ids_file, store, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "MODELCHECK_"))}
    env.update(HF_ENDPOINT=hub.url, HF_HOME=str(store.parent / "hf"), MODELCHECK_HUB_BACKOFF="0.01")
    cmd = [sys.executable, "-m", "compliance.cli", "scan", "--from", str(ids_file)]
    cmd += ["--store", str(store), "--rate", "0", *extra]
    return cmd, env


def _count(store):
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_sigkill_mid_scan_then_rerun_equals_an_uninterrupted_scan(hub, tmp_path):
    ids = [c.repo_id for c in hub.children if c.label in LABELS][::4]  # ~100 repos
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")

    killed = tmp_path / "killed" / "scan.db"
    killed.parent.mkdir()
    cmd, env = _cli(hub, ids_file, killed, "--workers", "1")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(killed) < 25 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    at_kill = _count(killed)
    assert 0 < at_kill < len(ids), "the scan was not killed mid-way"
    db = sqlite3.connect(killed)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()

    rerun = subprocess.run(
        _cli(hub, ids_file, killed, "--workers", "4")[0], env=env, capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    audited_before = (
        sqlite3.connect(killed)
        .execute("SELECT COUNT(*) FROM results WHERE status='audited'")
        .fetchone()[0]
    )
    assert f"{len(ids)} repos" in rerun.stdout

    whole = tmp_path / "whole" / "scan.db"
    whole.parent.mkdir()
    cmd, env2 = _cli(hub, ids_file, whole, "--workers", "4")
    done = subprocess.run(cmd, env=env2, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

    assert rows(killed) == rows(whole)
    assert len(rows(whole)[0]) == len(ids)  # one row per repo: nothing duplicated
    assert audited_before > 0


def test_only_a_changed_commit_is_audited_again(hub, tmp_path):
    ids = hub.ids({"compliant"}, limit=20)
    store = tmp_path / "incremental.db"
    first = scan(hub.url, ids, store)
    assert first.audited == 20

    changed = ids[7]
    files = family.child_files("missing-notice", 9999)
    new_sha = hub.mirror.write(changed, files)

    second = scan(hub.url, ids, store)
    assert (second.audited, second.unchanged) == (1, 19)
    assert second.audited_ids == [changed]
    with Store(store, readonly=True) as st:
        latest = {r["repo_id"]: r for r in st.query("SELECT * FROM latest")}
    assert latest[changed]["commit_sha"] == new_sha
    assert latest[changed]["compliant"] == 0  # the new commit dropped its NOTICE

    third = scan(hub.url, ids, store, digest="other-rules")
    assert third.audited == 20  # new rules: every repo again
