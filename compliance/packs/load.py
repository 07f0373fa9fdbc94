"""Find, read and load rule packs from disk; collect or raise their problems.

`load_all` raises the first problem as `RulePackError` and memoises per process
(keyed by the directories); `validate_dir` collects every problem, reads no cache
and writes none, for `modelcheck rules validate DIR`.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from compliance import safeload
from compliance.bounded_read import read_capped
from compliance.errors import FileReadError, RulePackError
from compliance.packs import cache as cache_mod
from compliance.packs.build import build_pack, build_rule
from compliance.packs.cache import DocCache, FileStamp
from compliance.packs.schema import pack_problems, rule_problems
from compliance.resources import data_dir
from compliance.rule_model import Pack, Rule, rules_on_first_use

SKIP_DIRS = ("examples",)
MAX_RULE_FILE = 256 * 1024  # rule files are small; a huge one is a mistake

_doc_cache: DocCache | None = None


def _read_yaml(
    path: str, cache: DocCache | None = None, stored: bool = False
) -> tuple[Any, FileStamp, bool]:
    """(document, stamp, from_cache). Cached documents were validated when stored; with
    `stored`, a cached one comes in its stored form (`cache_mod.document` reads it).
    Paths are strings here: a warm load stats some three hundred files, and a Path per
    file cost more than the stat."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # /dev/zero reports size 0; a FIFO blocks
            raise RulePackError(path, "not a regular file; not read")
        if st.st_size > MAX_RULE_FILE:
            raise RulePackError(path, f"file is larger than {MAX_RULE_FILE} bytes")
        stamp = FileStamp(st.st_mtime_ns, st.st_size, st.st_ctime_ns)
        if cache is not None and stored:
            kept = cache.get_stored(path, stamp)
            if kept is not None:
                return kept, stamp, True
        elif cache is not None:
            hit, data = cache.get(path, stamp)
            if hit:
                return data, stamp, True
        read = read_capped(path, MAX_RULE_FILE)
        if read.truncated:
            raise RulePackError(path, f"file is larger than {MAX_RULE_FILE} bytes")
        text = read.data.decode("utf-8")
    except FileReadError as e:
        raise RulePackError(path, e.problem) from None
    except (OSError, UnicodeDecodeError) as e:
        raise RulePackError(path, f"cannot read: {e}") from e
    # Bounded like every other YAML modelcheck reads: an audited repo can name a
    # rule directory of its own (`.modelcheck.yaml` rules:), so an alias bomb or
    # absurd nesting here must fail fast, not hang the audit.
    loaded = safeload.load_yaml(text, path, max_bytes=MAX_RULE_FILE, remember=False)
    if loaded.error is not None:
        line = f" (line {loaded.error.line})" if loaded.error.line is not None else ""
        raise RulePackError(path, f"invalid YAML: {loaded.error.message}{line}")
    return loaded.value, stamp, False


def _rule_files(pack_dir: str) -> list[str]:
    # one listing, not two globs: the same files (a folder that cannot be listed has none)
    try:
        names = os.listdir(pack_dir)
    except OSError:
        names = []
    # sorted as the Paths of one folder sort, by their name (case-folded on Windows)
    folded = [(os.path.normcase(n), n) for n in names]
    keep = sorted(
        (f, n)
        for f, n in folded
        if f.endswith((".yaml", ".yml"))
        and not n.startswith(".")
        and n[: n.rfind(".")] != "pack"  # the stem of a name ending in .yaml or .yml
    )
    return [os.path.join(pack_dir, n) for _, n in keep]


def _load_pack(
    pack_dir: Path, problems: list[str] | None = None, cache: DocCache | None = None
) -> Pack | None:
    """Load one pack. With `problems`, collect every problem instead of raising the first."""

    def fail(path: str, problem: str, rule_id: str | None = None) -> None:
        err = RulePackError(path, problem, rule_id)
        if problems is None:
            raise err
        problems.append(str(err))

    folder = str(pack_dir)
    pack_file = os.path.join(folder, "pack.yaml")
    try:
        data, stamp, pack_hit = _read_yaml(pack_file, cache)
    except RulePackError as e:
        fail(pack_file, e.problem)
        return None
    found = [] if pack_hit else pack_problems(data, pack_dir.name)
    for p in found:
        fail(pack_file, p)
    if found:
        return None
    if cache is not None and not pack_hit:
        cache.put(pack_file, stamp, data)
    # (document or its stored form, path) of each valid rule, in file order
    valid: list[tuple[Any, str]] = []
    all_trusted = True
    for path in _rule_files(folder):
        try:
            # under an unchanged pack.yaml, a cached rule is read only when it is built
            rdata, rstamp, hit = _read_yaml(path, cache, stored=pack_hit)
        except RulePackError as e:
            fail(path, e.problem)
            continue
        # a rule validated under an unchanged pack.yaml needs no second look
        trusted = hit and pack_hit
        all_trusted = all_trusted and trusted
        rule_id = rdata.get("id") if isinstance(rdata, dict) else None
        stem = "" if trusted else os.path.splitext(os.path.basename(path))[0]
        found = [] if trusted else rule_problems(rdata, data, stem)
        for p in found:
            fail(path, p, rule_id if isinstance(rule_id, str) else None)
        if not found:
            valid.append((rdata, path))
            if cache is not None and not trusted:
                cache.put(path, rstamp, rdata)
    pack_id = data["id"]
    if all_trusted and valid:
        # every rule validated when it was cached: built when the audit first reads them
        return rules_on_first_use(
            build_pack(data, pack_dir, ()),
            lambda: tuple(build_rule(cache_mod.document(d), pack_id, p) for d, p in valid),
        )
    rules = tuple(
        build_rule(cache_mod.document(d) if isinstance(d, bytes) else d, pack_id, p)
        for d, p in valid
    )
    return build_pack(data, pack_dir, rules)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """As `Path.is_dir`: a symlink loop or an unreadable entry is not a folder."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def pack_dirs(root: Path) -> list[Path]:
    """`root` itself when it is one pack, else its sub-folders that hold a pack.yaml."""
    # os.scandir and string paths: a Path per folder and per test cost more than the
    # tests; sorted as the Paths of one folder sort, by their name
    base = str(root)
    if os.path.isfile(os.path.join(base, "pack.yaml")):
        return [root]
    with os.scandir(base) as entries:
        names = [
            e.name
            for e in entries
            if e.name not in SKIP_DIRS
            and _is_dir(e)
            and os.path.isfile(os.path.join(e.path, "pack.yaml"))
        ]
    return [root / n for n in sorted(names, key=os.path.normcase)]


def _load_dirs(dirs: tuple[str, ...], cache: DocCache) -> tuple[Pack, ...]:
    packs: dict[str, Pack] = {}
    for root in dirs:
        root_path = Path(root)
        if not root_path.is_dir():
            raise RulePackError(root, "rule directory not found")
        for d in pack_dirs(root_path):
            pack = _load_pack(d, None, cache)
            assert pack is not None  # _load_pack raises when not collecting problems
            if pack.id in packs:
                raise RulePackError(
                    str(d), f"pack id '{pack.id}' is already loaded from {packs[pack.id].path}"
                )
            packs[pack.id] = pack
    return tuple(sorted(packs.values(), key=lambda p: p.id))


@functools.lru_cache(maxsize=16)
def _load_cached(dirs: tuple[str, ...]) -> tuple[Pack, ...]:
    global _doc_cache
    if _doc_cache is None or _doc_cache.path != cache_mod.CACHE_PATH:
        _doc_cache = DocCache(cache_mod.CACHE_PATH)
    try:
        return _load_dirs(dirs, _doc_cache)
    finally:
        _doc_cache.save()


def clear_memo() -> None:
    """Forget the packs loaded by this process (the on-disk cache is kept)."""
    global _doc_cache
    _load_cached.cache_clear()
    _doc_cache = None


def load_all(extra_dirs: Sequence[str | Path] = ()) -> list[Pack]:
    """The built-in packs plus those in `extra_dirs` (each one pack or a folder of packs)."""
    dirs = (str(data_dir("rules")), *(str(Path(d).resolve()) for d in extra_dirs))
    return list(_load_cached(dirs))


def by_id(packs: Iterable[Pack]) -> dict[str, Pack]:
    return {p.id: p for p in packs}


def find_rule(rule_id: str, packs: Iterable[Pack] | None = None) -> Rule | None:
    """The rule with this id (e.g. "core/undeclared-base-model"), for `modelcheck explain`."""
    for pack in load_all() if packs is None else packs:
        for rule in pack.rules:
            if rule.id == rule_id:
                return rule
    return None


def validate_dir(path: str | Path) -> list[str]:
    """Every problem in the packs under `path` (one pack, or a folder of packs)."""
    root = Path(path)
    if not root.is_dir():
        return [str(RulePackError(str(root), "rule directory not found"))]
    dirs = pack_dirs(root)
    if not dirs:
        return [str(RulePackError(str(root), "no pack.yaml here or in any sub-folder"))]
    from compliance.packs.spdx import spdx_problem  # rule authors' checks only

    problems: list[str] = []
    seen: dict[str, Path] = {}
    for d in dirs:
        pack = _load_pack(d, problems)
        if pack is None:
            continue
        if pack.id in seen:
            problems.append(f"{d}: pack id '{pack.id}' is also used by {seen[pack.id]}")
        seen[pack.id] = d
        if pack.spdx and (problem := spdx_problem(pack.spdx)):
            problems.append(f"{d / 'pack.yaml'}: {problem}")
    return problems
