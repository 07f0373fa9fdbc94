"""Error tree and exit codes.

Findings are data; exceptions mean "could not audit". Every exception that
reaches the CLI boundary is printed as one line and mapped to an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # audited; nothing at or above --fail-on
    FINDINGS = 1  # audited; findings at or above --fail-on
    USAGE = 2  # bad usage, config, rule pack, or unreadable input
    INTERNAL = 3  # bug in modelcheck
    INTERRUPTED = 130


class ModelcheckError(Exception):
    """Base of every error modelcheck raises on purpose."""

    exit_code: ExitCode = ExitCode.USAGE


class ConfigError(ModelcheckError, ValueError):
    """`.modelcheck.yaml` or a command-line option is invalid."""


class RulePackError(ConfigError):
    """A rule pack does not load or does not validate."""

    def __init__(self, path: str, problem: str, rule_id: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.rule_id = rule_id
        where = f"{path}" + (f" ({rule_id})" if rule_id else "")
        super().__init__(f"{where}: {problem}")


class SourceError(ModelcheckError, OSError):
    """The audited repo (or an ancestor) cannot be read."""


class PathNotFoundError(SourceError, FileNotFoundError):
    """A local path that does not exist."""


class RepoNotFoundError(SourceError, LookupError):
    """A Hub repo or revision that does not exist."""


class GatedRepoError(SourceError, PermissionError):
    """401/403 from the Hub: gated or private."""


class OfflineError(SourceError):
    """HF_HUB_OFFLINE=1 and the needed file is not cached."""


class NetworkError(SourceError):
    """Timeouts, refused connections, 429 after retries, 5xx, truncated bodies."""


class FileReadError(SourceError):
    """A file that is not a regular file, or cannot be opened or read."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{clip_path(path)}: {problem}")


class BudgetExceededError(SourceError):
    """A per-audit limit (bytes, files, requests, time) was reached."""


ECHO_LIMIT = 200  # characters of user-given input echoed in a message


def clip_path(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters (a 5,000-character path is not echoed whole)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
