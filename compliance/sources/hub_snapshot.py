"""A Hub repo read with the fewest requests: for scanning many repos.

One model-info call (`GET /api/models/<id>/revision/<rev>?blobs=true`) pins the commit
and lists the files (with sizes and LFS hashes where the server gives them); then each
file the caller's `wanted` names is fetched once, when first read, by
`GET /<id>/resolve/<commit>/<path>`: no HEAD, no cache, body read only up to the
reader's limit. Weight headers come from one ranged GET per file (`Range: bytes=0-…`;
a server that ignores `Range` is read only as far as needed).

Unlike `hub.HubSource` it does not write the Hugging Face cache: a scan's cache is its
store of results. The HTTP client is the caller's (`HubHttp`), so many snapshots share
one rate limiter. Failures raise `SourceError` subclasses and are also kept in
`failures` (`denied` for 401/403), so a caller can tell a partial read from a full one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from compliance.errors import GatedRepoError, NetworkError, SourceError
from compliance.sources.base import RepoFile

PREFETCH = 16 << 10  # first read of a weight file: the safetensors prefix and its header
PREFIX_CAP = 1 << 20  # a header longer than this is not read through a Range-less server
BATCH_CAP = 64 << 20  # a Range-less server: one pass serves many spans up to this offset
INFO_CAP = 16 << 20


class HttpAnswer(Protocol):
    status: int
    headers: Mapping[str, str]
    body: bytes


class HubHttp(Protocol):
    """The client a snapshot reads through (the scan's shared, rate-limited one)."""

    def get(
        self,
        path: str,
        *,
        what: str,
        limit: int = ...,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        tally: Any = None,
    ) -> HttpAnswer: ...


@dataclass(frozen=True)
class ModelInfo:
    repo_id: str
    revision: str
    sha: str
    files: tuple[RepoFile, ...]
    gated: bool = False  # the Hub's `gated` is false, "auto" or "manual"
    private: bool = False
    last_modified: str | None = None


def _files(siblings: Any) -> tuple[RepoFile, ...]:
    out = []
    for s in siblings if isinstance(siblings, list) else []:
        if not isinstance(s, dict) or not isinstance(s.get("rfilename"), str):
            continue
        size = s.get("size")
        raw_lfs = s.get("lfs")
        lfs: dict[str, Any] = raw_lfs if isinstance(raw_lfs, dict) else {}
        sha = lfs.get("sha256") if isinstance(lfs.get("sha256"), str) else None
        if isinstance(lfs.get("size"), int):
            size = lfs["size"]
        out.append(
            RepoFile(
                path=s["rfilename"], size=size if isinstance(size, int) else None, lfs_sha256=sha
            )
        )
    return tuple(out)


def fetch_model_info(
    http: HubHttp, repo_id: str, revision: str = "main", *, tally: Any = None
) -> ModelInfo:
    """The one model-info request: commit sha, file list (sizes with `blobs=true`), gating."""
    what = f"{repo_id}@{revision}"
    answer = http.get(
        f"/api/models/{repo_id}/revision/{quote(revision, safe='')}",
        what=what,
        limit=INFO_CAP,
        params={"blobs": "true"},
        tally=tally,
    )
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise NetworkError(f"{what}: model info is not JSON") from None
    sha = data.get("sha") if isinstance(data, dict) else None
    if not isinstance(sha, str) or not sha:
        raise NetworkError(f"{what}: model info has no commit sha")
    modified = data.get("lastModified")
    return ModelInfo(
        repo_id=repo_id,
        revision=revision,
        sha=sha,
        files=_files(data.get("siblings")),
        gated=bool(data.get("gated")),
        private=bool(data.get("private")),
        last_modified=modified if isinstance(modified, str) else None,
    )


@dataclass
class HubSnapshot:
    """One Hub repo at one commit; implements `compliance.sources.base.Source`."""

    info: ModelInfo
    http: HubHttp
    wanted: Callable[[str], bool]  # files that may be fetched whole; others read as absent
    tally: Any = None
    failures: list[SourceError] = field(default_factory=list)
    kind: str = "hub"

    def __post_init__(self) -> None:
        self.repo_id: str | None = self.info.repo_id
        self.revision: str | None = self.info.revision
        self.commit: str | None = self.info.sha
        rev = self.info.revision
        self.label = self.info.repo_id if rev == "main" else f"{self.info.repo_id}@{rev}"
        self._files = {f.path: f for f in self.info.files}
        self._read: dict[str, tuple[bytes, int]] = {}  # path -> (bytes, limit read with)
        self._prefix: dict[str, bytes] = {}
        self._skipped: list[str] = []
        # the server's answer to the first ranged request: 200 means it ignores Range
        # (the weights reader then batches its spans through `read_ranges`)
        self.ignores_range: bool | None = None

    @property
    def denied(self) -> bool:
        return any(isinstance(e, GatedRepoError) for e in self.failures)

    def list_files(self) -> list[RepoFile]:
        return sorted(self._files.values(), key=lambda f: f.path)

    def read_bytes(self, path: str, limit: int) -> bytes | None:
        if path not in self._files:
            return None
        if not self.wanted(path):
            if path not in self._skipped:
                self._skipped.append(path)
            return None
        cached = self._read.get(path)
        # a file read whole (shorter than the limit it was read with) is never read again
        if cached is None or (len(cached[0]) >= cached[1] and limit > cached[1]):
            cached = (self._get(path, limit, None), limit)
            self._read[path] = cached
        return cached[0][: max(0, limit)]

    def read_range(self, path: str, start: int, length: int) -> bytes:
        if path not in self._files:
            raise SourceError(f"{self.label}: {path}: no such file in the repo")
        start, length = max(0, start), max(0, length)
        size = self._files[path].size
        if size is not None:
            length = max(0, min(length, size - start))
        end = start + length
        if length == 0:
            return b""
        prefix = self._prefix.get(path)
        # the prefix grows only for reads that begin inside it (a long header); a read
        # past it (sampled weight rows) fetches just its own span
        if prefix is None or (start < len(prefix) < end <= PREFIX_CAP):
            want = max(PREFETCH, end) if end <= PREFIX_CAP else end
            prefix = self._get(path, want, f"bytes=0-{want - 1}")
            self._prefix[path] = prefix
        if end <= len(prefix) or start < len(prefix) < end <= PREFIX_CAP:
            return prefix[start:end]
        return self._get(path, length, f"bytes={start}-{end - 1}", skip_to=start)

    def read_ranges(self, path: str, ranges: list[tuple[int, int]]) -> list[bytes]:
        """Many spans of one file (sampled weight rows): over a server that ignores Range,
        one request from byte 0 to the last span's end serves them all (up to
        BATCH_CAP); otherwise one ranged request per span."""
        spans = [(max(0, s), max(0, n)) for s, n in ranges]
        end = max((s + n for s, n in spans), default=0)
        if self.ignores_range is True and 0 < end <= BATCH_CAP and path in self._files:
            body = self._get(path, end, f"bytes=0-{end - 1}")
            return [body[s : s + n] for s, n in spans]
        return [self.read_range(path, s, n) for s, n in spans]

    def notes(self) -> list[str]:
        if not self._skipped:
            return []
        return [f"Scan: not read (no rule needs them): {', '.join(self._skipped)}."]

    def _get(self, path: str, limit: int, byte_range: str | None, skip_to: int = 0) -> bytes:
        what = f"{self.label}: {path}"
        url = f"/{self.info.repo_id}/resolve/{self.info.sha}/{quote(path)}"
        headers = {"range": byte_range} if byte_range else None
        try:
            answer = self.http.get(
                url, what=what, limit=limit + skip_to, headers=headers, tally=self.tally
            )
        except SourceError as e:
            self.failures.append(e)
            raise
        body = answer.body
        if byte_range:
            self.ignores_range = answer.status == 200
        if skip_to and answer.status == 200:  # Range ignored: the body starts at byte 0
            body = body[skip_to:]
        return body[:limit]
