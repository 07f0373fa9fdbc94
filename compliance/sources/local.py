"""A model repo in a local directory.

Safety rules:
- symlinks are never followed out of the repo: one whose target resolves
  outside the root is listed with `is_symlink_outside=True` and never read;
  symlinked directories are not descended into (no loops, no double listing);
- only regular files are read (a FIFO or device would block or never end);
- `.git/` is not listed, and git is never run: `.git/config` is read as text
  only to find a Hub remote (`git_remote_repo_id`).

A Hugging Face cache snapshot (`…/models--org--name/snapshots/<commit>/`) is a
tree of symlinks into the sibling `blobs/` folder; those targets belong to the
same repo, so they count as inside (the one exception to the rule above).

A path that is a file, not a directory, is refused with a clear error rather
than audited as a one-file repo: a README alone would make every licence-file
rule fire about files that may well sit next to it.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from compliance.errors import BudgetExceededError, PathNotFoundError, SourceError, clip_path
from compliance.sources.base import RepoFile, read_local_span
from compliance.sources.budget import BYTES_ENV, ReadBudget
from compliance.sources.ignore import Ignored

_GIT_CONFIG_CAP = 64 << 10
_SKIP_DIRS = (".git",)  # at any depth (submodules carry their own)
# `huggingface-cli download --local-dir` bookkeeping, not repo content
_SKIP_ROOT_PREFIXES = (".cache/huggingface/",)

_HUB_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
# Hosts whose org/name paths are not Hub repos.
_NON_HUB_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"}
_PART = re.compile(r"^[A-Za-z0-9][\w.-]*$", re.ASCII)
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[^:/\s]+):(?P<path>[^/].*)$")


def repo_id_from_remote_url(url: str) -> str | None:
    """`org/name` if `url` points at a Hub model repo, else None.

    Accepts https/ssh URLs and scp-like `git@hf.co:org/name`, on the Hub's
    hosts or any other host (mirrors, local Hub servers) whose path is
    exactly `/org/name`. Dataset and Space URLs (`/datasets/…`, `/spaces/…`)
    have three path parts and so never match; code forges are excluded.
    Credentials in the URL are discarded, never returned.
    """
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path
    else:
        m = _SCP_LIKE.match(url)
        if not m:
            return None  # a local path, not a URL
        host, path = m.group("host").lower(), "/" + m.group("path")
    if not host or host in _NON_HUB_HOSTS:
        return None
    segments = [s for s in path.strip("/").split("/") if s]
    if segments and segments[-1].endswith(".git"):
        segments[-1] = segments[-1][: -len(".git")]
    if host in _HUB_HOSTS and segments[:1] == ["models"]:
        segments = segments[1:]
    if len(segments) != 2 or not all(_PART.match(s) and ".." not in s for s in segments):
        return None
    return "/".join(segments)


def parse_git_config_remote(text: str) -> str | None:
    """The Hub repo id of the `origin` remote, else of the first Hub remote."""
    import configparser  # only a checkout with a .git folder needs it

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    remotes: list[tuple[str, str]] = []
    for section in parser.sections():
        m = re.fullmatch(r'remote\s+"(.+)"', section.strip())
        if m and parser.has_option(section, "url"):
            remotes.append((m.group(1), parser.get(section, "url")))
    remotes.sort(key=lambda r: r[0] != "origin")  # stable: origin first
    for _, url in remotes:
        repo_id = repo_id_from_remote_url(url)
        if repo_id:
            return repo_id
    return None


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class LocalSource:
    kind = "local"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        given = Path(path)
        shown = clip_path(str(given))
        try:
            st = given.stat()
        except FileNotFoundError:
            raise PathNotFoundError(f"{shown}: no such file or directory") from None
        except OSError as e:  # e.g. "File name too long", a loop, permission on a parent
            raise SourceError(f"{shown}: unreadable ({e.strerror or e})") from None
        if not stat.S_ISDIR(st.st_mode):
            raise SourceError(
                f"{shown}: is a file, not a directory; give the model repo's directory"
            )
        try:  # an unlistable root would otherwise audit as an empty repo ("no model card")
            with os.scandir(given):
                pass
        except OSError as e:
            raise SourceError(f"{shown}: unreadable directory ({e.strerror or e})") from None
        self.label = shown
        self.root = given.resolve()
        self.repo_id: str | None = None
        self.revision: str | None = None
        self.commit: str | None = None
        self._notes: list[str] = []
        self._allowed_roots = [self.root]
        snapshots = self.root.parent
        if snapshots.name == "snapshots" and snapshots.parent.name.startswith("models--"):
            self._allowed_roots.append(snapshots.parent / "blobs")
        self._files: list[RepoFile] | None = None
        self._budget = ReadBudget.from_env()
        self.git_remote_repo_id = self._read_git_remote()

    # ------------------------------------------------------------ protocol

    def list_files(self) -> list[RepoFile]:
        if self._files is None:
            self._files = sorted(self._walk(), key=lambda f: f.path)
        return list(self._files)

    def read_bytes(self, path: str, limit: int) -> bytes | None:
        """None if absent, not a regular file, or over the audit's read budget (noted);
        a listed file that cannot be read raises `SourceError` (reported as unverifiable)."""
        target = self._regular_file(path)
        if target is None or not self._budget.allow(path):
            return None
        data = read_local_span(target, 0, limit, path)
        self._budget.spend(len(data))
        return data

    def read_range(self, path: str, start: int, length: int) -> bytes:
        target = self._regular_file(path)
        if target is None:
            raise SourceError(f"{path}: not a readable file in {self.label}")
        if not self._budget.allow(path):
            raise BudgetExceededError(
                f"{path}: not read, the audit's read budget is spent ({BYTES_ENV})"
            )
        data = read_local_span(target, start, length, path)
        self._budget.spend(len(data))
        return data

    def notes(self) -> list[str]:
        budget = self._budget.note()
        return [*self._notes, budget] if budget else list(self._notes)

    def local_path(self, path: str) -> Path | None:
        """Where a repo file is on disk, by the rules above (a regular file inside the
        repo), else None; for readers that need a file descriptor (weight comparison)."""
        return self._regular_file(path)

    # ------------------------------------------------------------ helpers

    def _note(self, note: str) -> None:
        if note not in self._notes:
            self._notes.append(note)

    def _inside(self, resolved: Path) -> bool:
        return any(_is_within(resolved, r) for r in self._allowed_roots)

    def _regular_file(self, path: str) -> Path | None:
        """The resolved path of a regular file inside the repo, else None."""
        rel = PurePosixPath(path)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            return None
        try:
            resolved = (self.root / rel).resolve()
        except (OSError, RuntimeError):  # RuntimeError: symlink loop (Python < 3.13)
            return None
        if not self._inside(resolved):
            return None
        try:
            st = resolved.stat()
        except OSError:
            return None
        return resolved if stat.S_ISREG(st.st_mode) else None

    def _walk(self) -> list[RepoFile]:
        out: list[RepoFile] = []
        ignored = Ignored(self.root)
        pending = [self.root]
        while pending:
            folder = pending.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError as e:
                self._note(f"{self._rel(Path(folder))}/: could not be listed ({e.strerror or e}).")
                continue
            for entry in entries:
                rel = self._rel(Path(entry.path))
                if entry.name in _SKIP_DIRS and entry.is_dir(follow_symlinks=False):
                    continue
                if rel.startswith(_SKIP_ROOT_PREFIXES) or rel + "/" in _SKIP_ROOT_PREFIXES:
                    continue
                if ignored.skips(entry, rel):
                    continue
                repo_file = self._entry(entry, rel, pending)
                if repo_file is not None:
                    out.append(repo_file)
        for note in ignored.notes():
            self._note(note)
        return out

    def _entry(self, entry: os.DirEntry[str], rel: str, pending: list[Path]) -> RepoFile | None:
        if entry.is_symlink():
            try:
                resolved = Path(entry.path).resolve()
            except (OSError, RuntimeError):
                self._note(f"{rel}: symbolic link loop; not followed.")
                return None
            if not self._inside(resolved):
                self._note(f"{rel}: symbolic link to a path outside the repo; not followed.")
                return RepoFile(path=rel, size=None, is_symlink_outside=True)
            if resolved.is_dir():
                self._note(f"{rel}/: symbolic link to a directory; not descended into.")
                return None
            try:
                st = resolved.stat()
            except OSError:
                self._note(f"{rel}: broken symbolic link.")
                return RepoFile(path=rel, size=None)
        else:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
                return None
            st = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            self._note(f"{rel}: not a regular file; skipped.")
            return None
        return RepoFile(path=rel, size=st.st_size)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _read_git_remote(self) -> str | None:
        target = self._regular_file(".git/config")
        if target is None:
            return None
        try:
            data = read_local_span(target, 0, _GIT_CONFIG_CAP, ".git/config")
        except SourceError:
            return None
        return parse_git_config_remote(data.decode("utf-8", errors="replace"))
