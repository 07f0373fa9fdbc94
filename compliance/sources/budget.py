"""A per-audit read budget for a local repo: total bytes and number of files.

Why: each file has its own cap (a card 1 MiB, a licence 512 KiB, a header 100 MiB),
but a hostile repo can hold thousands of them (2,500 LICENSE files one folder down,
300 shards with 1 MB headers), and their sum is what costs memory and minutes.
Once the budget is spent, further reads are refused; `note()` says what was skipped
and how to raise the limit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from compliance.errors import ConfigError
from compliance.records import field, record

BYTES_ENV = "MODELCHECK_MAX_READ_BYTES"
FILES_ENV = "MODELCHECK_MAX_READ_FILES"
DEFAULT_BYTES = 64 << 20
DEFAULT_FILES = 1000
_NAMED = 5  # skipped files named in the note


def env_limit(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive integer from `env[name]`; `default` when unset; ConfigError otherwise."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{name}={raw[:40]!r}: expected a positive whole number")
    return value


@record
class ReadBudget:
    """How many bytes and files one audit may still read."""

    max_bytes: int = DEFAULT_BYTES
    max_files: int = DEFAULT_FILES
    bytes_used: int = 0
    files: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReadBudget:
        env = os.environ if environ is None else environ
        return cls(
            env_limit(env, BYTES_ENV, DEFAULT_BYTES), env_limit(env, FILES_ENV, DEFAULT_FILES)
        )

    def allow(self, path: str) -> bool:
        """Whether `path` may be read now. A read that is allowed is read up to its own
        cap, so the total can pass `max_bytes` by at most one file's cap."""
        if (path not in self.files and len(self.files) >= self.max_files) or (
            self.bytes_used >= self.max_bytes
        ):
            if path not in self.skipped:
                self.skipped.append(path)
            return False
        self.files.add(path)
        return True

    def spend(self, n: int) -> None:
        self.bytes_used += n

    def note(self) -> str | None:
        if not self.skipped:
            return None
        named = ", ".join(self.skipped[:_NAMED])
        more = f" and {len(self.skipped) - _NAMED} more" if len(self.skipped) > _NAMED else ""
        return (
            f"Read budget of this audit reached ({self.max_bytes} bytes or {self.max_files} "
            f"files; {BYTES_ENV} / {FILES_ENV} raise it): {len(self.skipped)} files not read "
            f"({named}{more})."
        )
