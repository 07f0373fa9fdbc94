"""Which repos to scan: the Hub's model search, an ids file, or local directories.

Children come from the model-search endpoint, `GET /api/models`, with the Hub's model-tree
filters `filter=base_model:<relation>:<org/name>` for each relation the Hub records
(finetune, adapter, merge, quantized), `expand[]=sha` and `expand[]=lastModified` (so an
unchanged child costs no request at all), `limit=1000`, and pages followed through the
`Link: <…>; rel="next"` header. `--depth N` repeats this for the children found, up to N
generations. `--author ORG` is `GET /api/models?author=ORG` with the same paging.
Everything streams: a page is yielded before the next is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.errors import ConfigError, NetworkError
from compliance.repo_id import split_target
from compliance.scan.http import PoliteClient
from compliance.scan.result import Task

RELATIONS = ("finetune", "adapter", "merge", "quantized")
PAGE_SIZE = 1000
IDS_FILE_CAP = 64 << 20


@dataclass(frozen=True)
class Listed:
    repo_id: str
    sha: str | None = None
    last_modified: str | None = None
    parent: str | None = None
    relation: str | None = None
    depth: int = 0


def search(client: PoliteClient, params: dict[str, Any], what: str) -> Iterator[Listed]:
    """Every model the search returns, page by page."""
    query: dict[str, Any] | None = {
        **params,
        "expand[]": ["sha", "lastModified"],
        "limit": PAGE_SIZE,
    }
    url: str | None = "/api/models"
    page = 0
    while url is not None:
        page += 1
        answer = client.get(url, what=f"{what} (page {page})", params=query)
        try:
            items = json.loads(answer.body)
        except ValueError:
            raise NetworkError(f"{what} (page {page}): the answer is not JSON") from None
        if not isinstance(items, list):
            raise NetworkError(f"{what} (page {page}): expected a JSON list of models")
        for item in items:
            rid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(rid, str):
                continue
            sha, modified = item.get("sha"), item.get("lastModified")
            yield Listed(
                rid,
                sha if isinstance(sha, str) else None,
                modified if isinstance(modified, str) else None,
            )
        url, query = answer.next_url, None  # the next link carries the query


def children(client: PoliteClient, base: str, depth: int = 1) -> Iterator[Listed]:
    """Models that declare `base` as their base, and theirs, up to `depth` generations."""
    seen = {base.lower()}
    frontier = [base]
    for level in range(1, max(1, depth) + 1):
        found: list[str] = []
        for parent in frontier:
            for relation in RELATIONS:
                params = {"filter": f"base_model:{relation}:{parent}"}
                for item in search(client, params, f"children of {parent} ({relation})"):
                    if item.repo_id.lower() in seen:
                        continue
                    seen.add(item.repo_id.lower())
                    found.append(item.repo_id)
                    yield Listed(
                        item.repo_id, item.sha, item.last_modified, parent, relation, level
                    )
        frontier = found


def by_author(client: PoliteClient, author: str) -> Iterator[Listed]:
    yield from search(client, {"author": author}, f"models of {author}")


def read_ids(path: str | Path) -> Iterator[Task]:
    """`org/name[@rev]` per line; blank lines and `#` comments are skipped."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > IDS_FILE_CAP:
            raise ConfigError(f"{p}: larger than {IDS_FILE_CAP >> 20} MiB; split it")
        fh = p.open(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ConfigError(f"{p}: cannot read the ids file ({e.strerror or e})") from None
    with fh:
        for n, line in enumerate(fh, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            target = split_target(text)
            if target is None:
                raise ConfigError(f"{p}:{n}: {text[:80]!r} is not a Hub repo id (org/name[@rev])")
            yield Task(target[0], target[1] or "main")


def local_tasks(paths: Iterable[str]) -> Iterator[Task]:
    for path in paths:
        if not Path(path).is_dir():
            raise ConfigError(f"{path}: not a directory (local scans take model directories)")
        yield Task(path, local=True)
