"""`modelcheck scan report --format parquet`: the CSV's columns and rows as a typed
Parquet table (strings, integers, booleans, lists of strings), for data tools.

pyarrow is the optional `scan-parquet` extra, imported only here. Values are stored as
the Hub gave them: Parquet cells are typed data no spreadsheet evaluates, so the CSV's
formula guard (a leading `'`) is not applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.scan.report import CSV_FIELDS
from compliance.scan.store import Store
from compliance.scan.summary import repos

# rows held in memory at once: a family of any size is written in bounded batches
BATCH = 10_000
LISTS = ("inherited_licenses", "rule_ids", "categories")
INTEGERS = ("errors", "warnings")
BOOLEANS = ("compliant",)


def schema() -> Any:
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in LISTS:
            return pa.list_(pa.string())
        if name in INTEGERS:
            return pa.int64()
        if name in BOOLEANS:
            return pa.bool_()
        return pa.string()

    return pa.schema([pa.field(name, kind(name)) for name in CSV_FIELDS])


def _batches(store: Store) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for repo in repos(store):
        batch.append({name: repo[name] for name in CSV_FIELDS})
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_parquet(store: Store, path: str) -> None:
    """Write one row per repo to the Parquet file `path` (the caller makes it atomic)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sch = schema()
    with pq.ParquetWriter(path, sch) as writer:
        wrote = False
        for batch in _batches(store):
            writer.write_table(pa.Table.from_pylist(batch, schema=sch))
            wrote = True
        if not wrote:  # an empty store still gives a file with the columns
            writer.write_table(sch.empty_table())
