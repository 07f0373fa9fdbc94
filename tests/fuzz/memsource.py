"""An in-memory `Source` for fuzzing the facts readers without touching the disk."""

from __future__ import annotations

from compliance.sources.base import RepoFile


class MemSource:
    kind = "local"
    label = "fuzz"
    repo_id = None
    revision = None
    commit = None

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def list_files(self) -> list[RepoFile]:
        return [RepoFile(path=p, size=len(b)) for p, b in sorted(self.files.items())]

    def read_bytes(self, path: str, limit: int) -> bytes | None:
        data = self.files.get(path)
        return None if data is None else data[: max(0, limit)]

    def read_range(self, path: str, start: int, length: int) -> bytes:
        data = self.files.get(path, b"")
        return data[max(0, start) : max(0, start) + max(0, length)]

    def notes(self) -> list[str]:
        return []
