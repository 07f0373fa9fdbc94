"""The store: one row per key whatever happens, failures superseded, schema checked."""

from __future__ import annotations

import sqlite3

import pytest

from compliance.errors import ConfigError
from compliance.scan.result import AUDITED, FAILED, FindingRow, RepoResult
from compliance.scan.store import Store


def _ok(commit: str, rules: tuple[str, ...] = ("a/x",)) -> RepoResult:
    return RepoResult(
        "org/m",
        commit,
        AUDITED,
        compliant=False,
        findings=tuple(FindingRow(r, "missing-notice", "error") for r in rules),
    )


def test_the_same_key_twice_is_one_row(tmp_path):
    with Store(tmp_path / "s.db") as st:
        st.put(_ok("abc"), "1", "d")
        st.put(_ok("abc", ("a/y",)), "1", "d")
        assert st.scalar("SELECT COUNT(*) FROM results") == 1
        assert [r[0] for r in st.query("SELECT rule_id FROM findings")] == ["a/y"]


def test_a_failure_is_replaced_by_the_next_result(tmp_path):
    with Store(tmp_path / "s.db") as st:
        st.put(RepoResult("org/m", "", FAILED, "org/m: timed out"), "1", "d")
        st.put(_ok("abc"), "1", "d")
        assert [tuple(r) for r in st.query("SELECT repo_id, status FROM results")] == [
            ("org/m", AUDITED)
        ]
        assert st.known_commits("1", "d") == {"org/m": "abc"}
        assert st.known_commits("2", "d") == {}  # another modelcheck version: audit again


def test_history_is_kept_and_latest_is_the_last_commit(tmp_path):
    with Store(tmp_path / "s.db") as st:
        st.put(_ok("abc"), "1", "d")
        st.put(_ok("def"), "1", "d")
        assert st.scalar("SELECT COUNT(*) FROM results") == 2
        assert [r["commit_sha"] for r in st.query("SELECT * FROM latest")] == ["def"]


def test_wal_mode(tmp_path):
    Store(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_not_a_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("not a database" * 100)
    with pytest.raises(ConfigError, match="bad.db: not a modelcheck scan store"):
        Store(bad)
    with pytest.raises(ConfigError, match="no such scan store"):
        Store(tmp_path / "missing.db", readonly=True)
