"""What every facts module shares: the source, its file list, and where
problems and notes go. Reading goes through `Source` only, so local and Hub
repos are read by the same code."""

from __future__ import annotations

from typing import Any

from compliance import safeload
from compliance.errors import SourceError
from compliance.facts.model import Problem
from compliance.records import field, record
from compliance.report import Evidence
from compliance.sources.base import RepoFile, Source

_SEEN_LIMIT = 200  # characters of untrusted text quoted in evidence


def clip(value: object, limit: int = _SEEN_LIMIT) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@record
class TextRead:
    """A text file's bounded contents."""
    text: str
    truncated: bool  # the file is longer than the cap; `text` is its start


@record
class RepoContext:
    """The repo being read: its source, its files and what reading found wrong."""
    source: Source
    files: dict[str, RepoFile]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def paths(self) -> list[str]:
        return list(self.files)

    def problem(
        self,
        category: str,
        file: str,
        message: str,
        *,
        line: int | None = None,
        key: str | None = None,
        seen: object = None,
    ) -> None:
        """Record a problem; `message` must already name the file."""
        evidence = Evidence(
            file=file, line=line, key=key, seen=None if seen is None else clip(seen)
        )
        self.problems.append(Problem(category=category, message=message, evidence=evidence))

    def load_error(self, error: safeload.LoadError, what: str = "") -> None:
        """A safeload error as a metadata-invalid problem."""
        self.problem("metadata-invalid", error.file, f"{error}{what}", line=error.line)

    def readable(self, path: str) -> bool:
        """True if `path` is listed and may be read; a symlink leaving the repo is
        reported (`unverifiable`) and never read."""
        repo_file = self.files.get(path)
        if repo_file is None:
            return False
        if repo_file.is_symlink_outside:
            self.problem(
                "unverifiable",
                path,
                f"{path}: symbolic link to a path outside the repository; not read",
            )
            return False
        return True

    def read_raw(self, path: str, cap: int) -> tuple[bytes, bool] | None:
        """Up to `cap` bytes and whether the file is longer; None if unreadable."""
        if not self.readable(path):
            return None
        try:
            data = self.source.read_bytes(path, cap + 1)
        except SourceError as e:
            self.problem("unverifiable", path, f"{path}: could not be read ({e})")
            return None
        if data is None:
            return None
        return (data[:cap], True) if len(data) > cap else (data, False)

    def read_text(self, path: str, cap: int) -> TextRead | None:
        """Capped UTF-8 text; invalid bytes are replaced and reported."""
        raw = self.read_raw(path, cap)
        if raw is None:
            return None
        data, truncated = raw
        text, error = safeload.decode_text(data, path, truncated=truncated)
        if error is not None:
            self.load_error(error)
        return TextRead(text, truncated)

    def _read_whole(self, path: str, cap: int) -> bytes | None:
        """The whole file, for a parser; None if unreadable or larger than `cap` (reported:
        half a document would parse into something else, or not at all)."""
        raw = self.read_raw(path, cap)
        if raw is None:
            return None
        data, truncated = raw
        if truncated:
            self.problem("metadata-invalid", path, f"{path}: larger than {cap} bytes; not parsed")
            return None
        return data

    def read_json(self, path: str, cap: int) -> Any:
        """Parsed JSON, or None (absent, too large or invalid: reported)."""
        data = self._read_whole(path, cap)
        if data is None:
            return None
        loaded = safeload.load_json(data, path, max_bytes=cap)
        if loaded.error is not None:
            self.load_error(loaded.error)
            return None
        return loaded.value

    def read_yaml(self, path: str, cap: int) -> safeload.Loaded | None:
        """Parsed YAML (errors reported), or None if the file is absent or too large."""
        data = self._read_whole(path, cap)
        if data is None:
            return None
        loaded = safeload.load_yaml(data, path, max_bytes=cap)
        if loaded.error is not None:
            self.load_error(loaded.error)
        return loaded
