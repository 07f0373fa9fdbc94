"""The scan's embedded store: one SQLite file in WAL mode.

Why SQLite in WAL mode: it ships with Python (no new dependency), one file is easy to
copy and inspect with any SQLite tool, each result is one short transaction, and WAL
lets `scan report` read while a scan writes. A transaction survives the process being
killed at any instant (it is either in the WAL or not), so SIGKILL loses at most the
repos in flight; `synchronous=NORMAL` may lose the last commits only on power loss.
DuckDB would aggregate faster, but its single-writer file lock blocks the report while
a scan runs, and per-row upserts are its slow path.

Schema (docs/scan.md): `results` has one row per (repo_id, commit_sha, tool_version,
rules_digest), written by `put` with an upsert, together with that row's `findings`, in
one transaction. `seq` orders attempts; the report reads the latest row per repo.
A could-not-audit row is replaced by the repo's next result, so a failure never
lingers beside the success that followed it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compliance.errors import ConfigError
from compliance.scan.result import AUDITED, FAILED, RepoResult

SCHEMA_VERSION = "1"
DEFAULT_STORE = "modelcheck-scan.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
  repo_id TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  rules_digest TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  compliant INTEGER,
  declared_license TEXT,
  inherited_licenses TEXT NOT NULL,
  relation TEXT,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  scanned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  PRIMARY KEY (repo_id, commit_sha, tool_version, rules_digest)
);
CREATE INDEX IF NOT EXISTS results_repo ON results (repo_id, seq);
CREATE TABLE IF NOT EXISTS findings (
  repo_id TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  rules_digest TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  category TEXT NOT NULL,
  severity TEXT NOT NULL,
  ancestor TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (repo_id, commit_sha, tool_version, rules_digest, rule_id, ancestor)
);
CREATE VIEW IF NOT EXISTS latest AS
  SELECT r.* FROM results r
  WHERE r.seq = (SELECT MAX(seq) FROM results x WHERE x.repo_id = r.repo_id);
"""


class Store:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly and not self.path.is_file():
            raise ConfigError(f"{self.path}: no such scan store")
        try:
            if readonly:
                uri = f"file:{self.path.resolve().as_posix()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, isolation_level=None)
            else:
                self.db = sqlite3.connect(self.path, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(_SCHEMA)
                self._check_version()
            self.db.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as e:
            raise ConfigError(f"{self.path}: not a modelcheck scan store ({e})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise ConfigError(
                f"{self.path}: scan store schema {row[0]}, this modelcheck writes "
                f"{SCHEMA_VERSION}; use a new --store"
            )

    # ------------------------------------------------------------- writing

    def known_commits(self, tool_version: str, digest: str) -> dict[str, str]:
        """repo id -> commit already audited with this tool version and rules."""
        rows = self.db.execute(
            "SELECT repo_id, commit_sha FROM results WHERE tool_version=? AND rules_digest=? "
            "AND status=? AND commit_sha != ''",
            (tool_version, digest, AUDITED),
        )
        return {r[0]: r[1] for r in rows}

    def put(self, result: RepoResult, tool_version: str, digest: str) -> None:
        """Upsert one result and its findings in one transaction."""
        key = (result.repo_id, result.commit, tool_version, digest)
        errors = sum(1 for f in result.findings if f.severity == "error")
        warnings = sum(1 for f in result.findings if f.severity == "warning")
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM results WHERE repo_id=? AND status=?", (result.repo_id, FAILED))
            db.execute(
                "DELETE FROM findings WHERE repo_id=? AND commit_sha=? AND tool_version=? "
                "AND rules_digest=?",
                key,
            )
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM results").fetchone()[0]
            db.execute(
                "INSERT INTO results (repo_id, commit_sha, tool_version, rules_digest, status, "
                "reason, compliant, declared_license, inherited_licenses, relation, errors, "
                "warnings, requests, bytes, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (repo_id, commit_sha, tool_version, rules_digest) DO UPDATE SET "
                "status=excluded.status, reason=excluded.reason, compliant=excluded.compliant, "
                "declared_license=excluded.declared_license, "
                "inherited_licenses=excluded.inherited_licenses, relation=excluded.relation, "
                "errors=excluded.errors, warnings=excluded.warnings, "
                "requests=excluded.requests, bytes=excluded.bytes, seq=excluded.seq, "
                "scanned_at=excluded.scanned_at",
                (
                    *key,
                    result.status,
                    result.reason,
                    None if result.compliant is None else int(result.compliant),
                    result.declared_license,
                    json.dumps(list(result.inherited_licenses)),
                    result.relation,
                    errors,
                    warnings,
                    result.requests,
                    result.bytes,
                    seq,
                ),
            )
            db.executemany(
                "INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?,?,?,?)",
                [
                    (*key, f.rule_id, f.category, f.severity, f.ancestor or "")
                    for f in result.findings
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------- reading

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        """Rows of `sql`, streamed (a cursor, never a list of all rows)."""
        cur = self.db.cursor()
        cur.row_factory = sqlite3.Row
        yield from cur.execute(sql, params)

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None
