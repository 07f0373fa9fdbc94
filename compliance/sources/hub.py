"""A model repo on the Hugging Face Hub (or a Hub-compatible mirror).

`HubSource.open("org/name", revision)` pins the revision to a commit, lists the
files (sizes, LFS hashes) and fetches only the small files an audit reads
(card, configs, licence / notice / policy files, merge configs) into the normal
Hugging Face cache. Weight headers are read with bounded HTTP range reads
(`http_range`); weight data is never downloaded.

Requests for one repo, online: 1 revision lookup (always on the
`/api/models/<id>/revision/<rev>` route, so the revision is sent explicitly),
1 tree listing, 1 more tree listing inside `snapshot_download` (it writes the
cached tree that offline audits list files from), then a HEAD + GET per small
file, and one ranged GET per weight header. Some servers (olah, some mirrors) ignore
Range and send whole files: `ignores_range` says so after the first ranged answer, and
`read_ranges` then serves many spans of a file from one streamed pass.

Environment, read once here at the edge (`HubSettings.from_env`):
`HF_ENDPOINT`, `HF_TOKEN` / saved login (resolved by huggingface_hub),
`HF_HUB_OFFLINE`, `HF_HOME` / `HF_HUB_CACHE`, `HF_HUB_DOWNLOAD_TIMEOUT`, `HF_HUB_ETAG_TIMEOUT`,
`MODELCHECK_HUB_RETRIES` / `MODELCHECK_HUB_BACKOFF`.

With `HF_HUB_OFFLINE=1` nothing goes to the network: the revision, the file
list and the files come from the cache, and `notes()` names what was not cached.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from compliance.errors import ConfigError, OfflineError, RepoNotFoundError, SourceError
from compliance.repo_id import is_valid_repo_id
from compliance.sources.base import RepoFile, read_local_span
from compliance.sources.http_range import ByteCounter, read_range, read_ranges
from compliance.sources.hub_errors import RetryPolicy, env_number, redact, with_retries

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_REVISION = "main"
SMALL_FILE_CAP = 2 << 20  # bytes; a "small" file bigger than this is read by range instead
PREFETCH = 16 << 10  # first touch of a weight file reads this much (safetensors prefix + header)
PREFIX_CAP = 1 << 20  # a file's cached prefix grows (header longer than PREFETCH) up to this

# Which files to fetch up front: the caller's rule (the pipeline passes the facts
# readers' `read_by_facts`); without one, every file is fetched on demand.
Wanted = Callable[[str], bool]
T = TypeVar("T")


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "on", "yes", "true"}


@dataclass(frozen=True)
class HubSettings:
    """Where and how to talk to the Hub; built once from the environment."""

    endpoint: str = DEFAULT_ENDPOINT
    cache_dir: str = ""
    offline: bool = False
    token: str | bool | None = None  # None: HF_TOKEN or the saved login (huggingface_hub decides)
    timeout: float = 10.0
    etag_timeout: float | None = None  # file metadata requests (HEAD); None: `timeout`
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def metadata_timeout(self) -> float:
        """The `etag_timeout` huggingface_hub's downloads get (we pass it explicitly)."""
        return self.timeout if self.etag_timeout is None else self.etag_timeout

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSettings:
        env = os.environ if environ is None else environ
        home = env.get("HF_HOME") or os.path.join(
            env.get("XDG_CACHE_HOME") or os.path.join("~", ".cache"), "huggingface"
        )
        cache = (
            env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or os.path.join(home, "hub")
        )
        timeout = env_number(env, "HF_HUB_DOWNLOAD_TIMEOUT", 10.0, float)
        return cls(
            endpoint=(env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"),
            cache_dir=os.path.expanduser(cache),
            offline=_true(env.get("HF_HUB_OFFLINE")) or _true(env.get("TRANSFORMERS_OFFLINE")),
            timeout=timeout,
            etag_timeout=env_number(env, "HF_HUB_ETAG_TIMEOUT", timeout, float),
            policy=RetryPolicy.from_env(env),
        )


def is_small_file(path: str, size: int | None, wanted: Wanted) -> bool:
    """A file `wanted` names and small enough to fetch up front; anything else the
    readers ask for is fetched on demand."""
    if size is not None and size > SMALL_FILE_CAP:
        return False
    return wanted(path)


def _glob_escape(path: str) -> str:
    """An fnmatch pattern matching exactly `path`."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


_CLIENT_LOCK = threading.Lock()
_CLIENT_TIMEOUT: float | None = None


def _install_client(timeout: float) -> None:
    """Give huggingface_hub's shared HTTP client a default timeout.

    Some calls (the tree listing, the revision lookup inside `resolve_revision`)
    take no `timeout` argument and the library's default client has none, so a
    stalled server would hang the audit. `set_client_factory` is the documented
    way to configure that client; the request hook keeps the library's own
    behaviour (offline guard, request ids).
    """
    global _CLIENT_TIMEOUT
    with _CLIENT_LOCK:
        if timeout == _CLIENT_TIMEOUT:
            return
        from huggingface_hub.utils import httpx, set_client_factory

        hooks: list[Any] = []
        try:  # the library's request hook; optional if a future version moves it
            from huggingface_hub.utils._http import hf_request_event_hook

            hooks.append(hf_request_event_hook)
        except ImportError:  # pragma: no cover
            pass

        def enforce_timeout(request: httpx.Request) -> None:
            # Some library calls pass `timeout=None` explicitly, which would
            # override the client default: give those requests ours.
            current = request.extensions.get("timeout") or {}
            if all(v is None for v in current.values()):
                request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()

        def factory() -> httpx.Client:
            return httpx.Client(
                event_hooks={"request": [*hooks, enforce_timeout]},
                follow_redirects=True,
                timeout=httpx.Timeout(timeout),
            )

        set_client_factory(factory)
        _CLIENT_TIMEOUT = timeout


def _quiet_library() -> None:
    """No progress bars or library warnings on our stderr: we report failures ourselves."""
    if _true(os.environ.get("HF_DEBUG")):
        return
    from huggingface_hub.utils import disable_progress_bars, logging

    disable_progress_bars()
    logging.set_verbosity_error()


class HubSource:
    """A Hub repo pinned to one commit; implements `compliance.sources.base.Source`."""

    kind = "hub"

    def __init__(
        self,
        repo_id: str,
        revision: str,
        commit: str,
        files: list[RepoFile],
        settings: HubSettings,
        *,
        counter: ByteCounter | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.repo_id: str | None = repo_id
        self.revision: str | None = revision
        self.commit: str | None = commit
        self.label = f"{repo_id}@{revision}" if revision != DEFAULT_REVISION else repo_id
        self.settings = settings
        self.counter = counter if counter is not None else ByteCounter()
        self._files = {f.path: f for f in files}
        self._notes: list[str] = list(notes or [])
        self._not_cached: list[str] = []
        self._prefix: dict[str, bytes] = {}
        self._headers: dict[str, str] | None = None

    # ---------------------------------------------------------------- open

    @classmethod
    def open(
        cls,
        repo_id: str,
        revision: str | None = None,
        *,
        settings: HubSettings | None = None,
        counter: ByteCounter | None = None,
        wanted: Wanted | None = None,
    ) -> HubSource:
        """Resolve `revision` (default `main`) to a commit and fetch the small files
        `wanted` names (none without it)."""
        if not is_valid_repo_id(repo_id):
            raise ConfigError(f"{repo_id!r}: not a Hub repo id (expected org/name)")
        settings = settings or HubSettings.from_env()
        revision = revision or DEFAULT_REVISION
        _quiet_library()
        if settings.offline:
            return cls._open_offline(repo_id, revision, settings, counter)
        return cls._open_online(repo_id, revision, settings, counter, wanted)

    @classmethod
    def _open_online(
        cls,
        repo_id: str,
        revision: str,
        settings: HubSettings,
        counter: ByteCounter | None,
        wanted: Wanted | None = None,
    ) -> HubSource:
        from huggingface_hub import HfApi, snapshot_download
        from huggingface_hub.hf_api import RepoFile as HubFile

        _install_client(settings.timeout)
        api = HfApi(endpoint=settings.endpoint, token=settings.token)
        where = f"{repo_id}@{revision}"
        token = _token_value(settings)

        def run(
            call: Callable[[], T], what: str = where, policy: RetryPolicy = settings.policy
        ) -> T:
            return with_retries(call, what=what, policy=policy, token=token)

        # The tree listing and the downloads already back off inside
        # huggingface_hub (bounded, honouring Retry-After): only map their errors.
        hf_backs_off = RetryPolicy(retries=0)

        try:
            resolved = run(
                lambda: api.resolve_revision(
                    repo_id, revision=revision, cache_dir=settings.cache_dir
                )
            )
        except SourceError as e:
            raise _refine_not_found(e, api, repo_id, revision, settings) from None
        commit = resolved.resolved
        tree = run(
            lambda: list(api.list_repo_tree(repo_id, revision=commit, recursive=True)),
            f"{repo_id}@{commit[:12]}: file list",
            hf_backs_off,
        )
        files = [
            RepoFile(
                path=f.path,
                size=f.size,
                lfs_sha256=f.lfs.sha256 if f.lfs is not None else None,
            )
            for f in tree
            if isinstance(f, HubFile)
        ]
        small = [f.path for f in files if wanted and is_small_file(f.path, f.size, wanted)]
        if small:
            run(
                lambda: snapshot_download(
                    repo_id,
                    revision=resolved,
                    allow_patterns=[_glob_escape(p) for p in small],
                    cache_dir=settings.cache_dir,
                    endpoint=settings.endpoint,
                    token=settings.token,
                    etag_timeout=settings.metadata_timeout,
                ),
                f"{repo_id}@{commit[:12]}: small files",
                hf_backs_off,
            )
        return cls(repo_id, revision, commit, files, settings, counter=counter)

    @classmethod
    def _open_offline(
        cls, repo_id: str, revision: str, settings: HubSettings, counter: ByteCounter | None
    ) -> HubSource:
        from huggingface_hub import HfApi, get_cached_repo_tree
        from huggingface_hub.errors import CachedRepoTreeNotFoundError, RevisionResolutionError

        api = HfApi(endpoint=settings.endpoint, token=settings.token)
        try:
            commit = api.resolve_revision(
                repo_id, revision=revision, cache_dir=settings.cache_dir, local_files_only=True
            ).resolved
        except RevisionResolutionError:
            raise OfflineError(
                f"{repo_id}@{revision}: not in the Hugging Face cache ({settings.cache_dir}) "
                "and HF_HUB_OFFLINE=1; run the audit once online to cache it"
            ) from None
        notes = [f"Offline (HF_HUB_OFFLINE=1): {repo_id} read from the cache at commit {commit}."]
        try:
            cached = get_cached_repo_tree(repo_id, revision=commit, cache_dir=settings.cache_dir)
            files = [RepoFile(path=f.path, size=f.size) for f in cached]
        except CachedRepoTreeNotFoundError:
            files = _snapshot_files(settings.cache_dir, repo_id, commit)
            notes.append(
                f"Offline: no cached file list for {repo_id}@{commit[:12]}; only the "
                f"{len(files)} cached files are known."
            )
        return cls(repo_id, revision, commit, files, settings, counter=counter, notes=notes)

    # ------------------------------------------------------------ protocol

    def list_files(self) -> list[RepoFile]:
        return sorted(self._files.values(), key=lambda f: f.path)

    def read_bytes(self, path: str, limit: int) -> bytes | None:
        repo_file = self._files.get(path)
        if repo_file is None:
            return None
        local = self._cached_path(path)
        if local is None and not self.settings.offline:
            if repo_file.size is not None and repo_file.size > SMALL_FILE_CAP:
                return self.read_range(path, 0, max(0, limit))
            local = self._download(path)
        if local is None:
            self._mark_not_cached(path)
            return None
        try:
            with open(local, "rb") as fh:
                return fh.read(max(0, limit))
        except OSError as e:
            self._note(f"{path}: cached copy could not be read ({e.strerror or e}).")
            return None

    def read_range(self, path: str, start: int, length: int) -> bytes:
        repo_file = self._files.get(path)
        if repo_file is None:
            raise SourceError(f"{self.label}: {path}: no such file in the repo")
        start, length = max(0, start), max(0, length)
        size = repo_file.size
        if size is not None:
            length = max(0, min(length, size - start))
        if length == 0:
            return b""
        local = self._cached_path(path)
        if local is not None:  # e.g. weights a previous `hf download` put in the cache
            return read_local_span(local, start, length, f"{self.label}: {path}")
        if self.settings.offline:
            self._mark_not_cached(path)
            raise OfflineError(f"{self.label}: {path} is not cached and HF_HUB_OFFLINE=1")
        end = start + length
        prefix = self._prefix.get(path)
        if prefix is not None and end <= len(prefix):
            return prefix[start:end]
        if prefix is None and end <= PREFETCH:
            # One request serves the safetensors length prefix *and* (usually)
            # the whole JSON header that the next call asks for.
            want = PREFETCH if size is None else min(PREFETCH, size)
            prefix = self._range(path, 0, want)
            self._prefix[path] = prefix
            return prefix[start:end]
        if prefix is not None and start < len(prefix) and end <= PREFIX_CAP:
            # A header longer than the first read: fetch only what is missing.
            prefix += self._range(path, len(prefix), end - len(prefix))
            self._prefix[path] = prefix
            return prefix[start:end]
        return self._range(path, start, length)

    @property
    def ignores_range(self) -> bool | None:
        """Whether the server answered a ranged request with the whole file (olah, some
        mirrors): True, False, or None before any ranged request was answered. Over such
        a server every read streams the file from byte 0, so readers batch their spans
        into one `read_ranges` call per file."""
        return self.counter.range_ignored

    def notes(self) -> list[str]:
        out = list(self._notes)
        if self._not_cached:
            out.append(
                "Offline (HF_HUB_OFFLINE=1): not cached, so not read: "
                + ", ".join(self._not_cached)
                + "."
            )
        return out

    # ------------------------------------------------------------ helpers

    def _note(self, note: str) -> None:
        if note not in self._notes:
            self._notes.append(note)

    def _mark_not_cached(self, path: str) -> None:
        if path not in self._not_cached:
            self._not_cached.append(path)

    def _cached_path(self, path: str) -> str | None:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(
            self.repo_id or "", path, cache_dir=self.settings.cache_dir, revision=self.commit
        )
        return found if isinstance(found, str) and os.path.isfile(found) else None

    def _download(self, path: str) -> str | None:
        from huggingface_hub import hf_hub_download

        return with_retries(
            lambda: hf_hub_download(
                self.repo_id or "",
                path,
                revision=self.commit,
                cache_dir=self.settings.cache_dir,
                endpoint=self.settings.endpoint,
                token=self.settings.token,
                etag_timeout=self.settings.metadata_timeout,
            ),
            what=f"{self.label}: {path}",
            policy=RetryPolicy(retries=0),  # hf_hub_download backs off by itself
            token=_token_value(self.settings),
        )

    def read_ranges(self, path: str, ranges: list[tuple[int, int]]) -> list[bytes]:
        """Many ranges of one file in as few requests as the server allows: one ranged
        request per range when the server honours `Range`, one streamed pass for all of
        them when it ignores it. The weights reader batches with this (`ignores_range`)."""
        repo_file = self._files.get(path)
        if repo_file is None:
            raise SourceError(f"{self.label}: {path}: no such file in the repo")
        if self._cached_path(path) is not None or self.settings.offline:
            return [self.read_range(path, s, n) for s, n in ranges]
        size = repo_file.size
        clipped = [
            (max(0, s), max(0, n if size is None else min(n, size - max(0, s))))
            for s, n in ranges
        ]
        return read_ranges(
            self._url(path),
            clipped,
            self._auth_headers(),
            counter=self.counter,
            timeout=self.settings.timeout,
            policy=self.settings.policy,
            what=f"{self.label}: {path}",
            max_gap=0,  # sampled rows: merging gaps would fetch bytes nobody asked for
        )

    def _url(self, path: str) -> str:
        from huggingface_hub import hf_hub_url

        return hf_hub_url(
            self.repo_id or "", path, revision=self.commit, endpoint=self.settings.endpoint
        )

    def _range(self, path: str, start: int, length: int) -> bytes:
        return read_range(
            self._url(path),
            start,
            length,
            self._auth_headers(),
            counter=self.counter,
            timeout=self.settings.timeout,
            policy=self.settings.policy,
            what=f"{self.label}: {path}",
        )

    def _auth_headers(self) -> dict[str, str]:
        if self._headers is None:
            from huggingface_hub.utils import build_hf_headers

            self._headers = dict(build_hf_headers(token=self.settings.token))
        return self._headers


def _token_value(settings: HubSettings) -> str | None:
    """The token in use, only so that it can be redacted from messages."""
    if isinstance(settings.token, str):
        return settings.token
    if settings.token is False:
        return None
    from huggingface_hub import get_token

    return get_token()


def _refine_not_found(
    error: SourceError,
    api: object,
    repo_id: str,
    revision: str,
    settings: HubSettings,
) -> SourceError:
    """Some servers (olah) say "repo not found" for a missing revision: ask about `main`."""
    if not isinstance(error, RepoNotFoundError) or revision == DEFAULT_REVISION:
        return error
    try:
        api.model_info(repo_id, revision=DEFAULT_REVISION, timeout=settings.timeout)  # type: ignore[attr-defined]
    except Exception:
        return error
    return RepoNotFoundError(
        redact(
            f"{repo_id}@{revision}: revision not found (the repo exists)", _token_value(settings)
        )
    )


def _snapshot_files(cache_dir: str, repo_id: str, commit: str) -> list[RepoFile]:
    """The files cached for one commit (when no tree listing was cached)."""
    from huggingface_hub import scan_cache_dir

    try:
        info = scan_cache_dir(cache_dir)
    except Exception:  # a missing or unreadable cache is just "nothing cached"
        return []
    for repo in info.repos:
        if repo.repo_id != repo_id or repo.repo_type != "model":
            continue
        for rev in repo.revisions:
            if rev.commit_hash == commit:
                root = Path(rev.snapshot_path)
                return [
                    RepoFile(
                        path=Path(f.file_path).relative_to(root).as_posix(), size=f.size_on_disk
                    )
                    for f in rev.files
                ]
    return []
