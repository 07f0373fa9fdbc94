"""`modelcheck scan` and `modelcheck scan report`.

The CLI hands this module the raw arguments (argparse here keeps `cli.py` small and
the start-up path free of the scan's imports).

Exit codes: 0 the scan finished (findings are data in the store; `scan report` shows
them), 2 bad input (options, ids file, store, unreachable Dask scheduler), 130
interrupted: rerunning the same command resumes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TextIO

from compliance.errors import ConfigError, ExitCode

FORMATS = ("markdown", "html", "json", "csv", "parquet")
PARQUET_HINT = "pip install 'modelcheck[scan-parquet]'"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _scan_parser() -> _Parser:
    p = _Parser(
        prog="modelcheck scan",
        description="Audit a model family (Hub children, an author, a list of ids or local "
        "directories) into a resumable, incremental store. "
        "`modelcheck scan report --store PATH` renders it.",
    )
    p.add_argument("dirs", nargs="*", metavar="DIR", help="local model directories")
    p.add_argument("--children", metavar="REPO", help="every Hub model declaring REPO as base")
    p.add_argument("--depth", type=int, default=1, help="generations of children (default 1)")
    p.add_argument("--from", dest="ids_file", metavar="FILE", help="org/name[@rev] per line")
    p.add_argument("--author", metavar="ORG", help="every model of a Hub user or org")
    p.add_argument("--store", default="modelcheck-scan.db", help="the SQLite store to write")
    p.add_argument("--workers", type=int, default=4, help="parallel repos (local executor)")
    p.add_argument("--executor", default="local", help="local or dask://HOST:PORT")
    p.add_argument(
        "--rate", type=float, default=5.0, help="Hub requests per second, all workers (0: no cap)"
    )
    p.add_argument(
        "--since", metavar="DATE", help="with a listing: skip repos not modified since DATE"
    )
    p.add_argument(
        "--weights",
        action="store_true",
        help="compare each repo's weights with the --fingerprints library (weights extra)",
    )
    p.add_argument(
        "--fingerprints",
        dest="fingerprint_dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="with --weights: a folder of `modelcheck fingerprint` files (repeatable)",
    )
    return p


def _report_parser() -> _Parser:
    p = _Parser(prog="modelcheck scan report", description="Render a scan store.")
    p.add_argument("--store", default="modelcheck-scan.db", help="the scan store to read")
    p.add_argument("--format", "-f", dest="fmt", choices=FORMATS, default="markdown")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE, not stdout")
    p.add_argument("--top", type=int, default=20, help="worst offenders to list")
    return p


def main(args: list[str]) -> int:
    try:
        if args[:1] == ["report"]:
            return run_report(_report_parser().parse_args(args[1:]))
        return run_scan(_scan_parser().parse_args(args))
    except SystemExit as e:  # --help
        return int(e.code or 0) if isinstance(e.code, int) else 0


def run_scan(ns: argparse.Namespace) -> int:
    from compliance import __version__
    from compliance.scan.digest import library_digest, rules_digest
    from compliance.scan.executors import executor_for
    from compliance.scan.http import PoliteClient, Retry
    from compliance.scan.limiter import RateLimiter
    from compliance.scan.listing import by_author, children, local_tasks, read_ids
    from compliance.scan.progress import Progress
    from compliance.scan.run import ScanSummary, listed_tasks, run_scan
    from compliance.scan.store import Store
    from compliance.scan.worker import ScanSettings
    from compliance.sources.hub import HubSettings

    chosen = [x for x in (ns.children, ns.ids_file, ns.author, ns.dirs or None) if x]
    if len(chosen) != 1:
        raise ConfigError("modelcheck scan: give exactly one of --children, --from, --author, DIR…")
    if ns.since and not (ns.children or ns.author):
        raise ConfigError("modelcheck scan: --since needs a listing (--children or --author)")
    if ns.depth < 1 or ns.workers < 1:
        raise ConfigError("modelcheck scan: --depth and --workers must be at least 1")
    if ns.fingerprint_dirs and not ns.weights:
        raise ConfigError("modelcheck scan: --fingerprints needs --weights")
    if ns.weights:
        from compliance.commands.weights_extra import require_weights_extra

        require_weights_extra("modelcheck scan --weights")
        if not ns.fingerprint_dirs:
            raise ConfigError("modelcheck scan: --weights needs --fingerprints DIR")
        for d in ns.fingerprint_dirs:
            if not Path(d).is_dir():
                raise ConfigError(f"{d}: fingerprint library folder not found")
    fingerprint_dirs = tuple(ns.fingerprint_dirs) if ns.weights else None
    digest = rules_digest()
    if fingerprint_dirs is not None:
        # a result compared with one library is not current for another
        digest += "+weights:" + library_digest(fingerprint_dirs)
    hub = HubSettings.from_env()
    settings = ScanSettings(
        endpoint=hub.endpoint,
        rate=max(0.0, ns.rate),
        timeout=hub.timeout,
        retries=hub.policy.retries,
        backoff=hub.policy.base_wait,
        fingerprint_dirs=fingerprint_dirs,
    )
    executor = executor_for(ns.executor, ns.workers)
    progress = Progress()
    summary = ScanSummary()
    lister: PoliteClient | None = None
    if ns.children or ns.author:
        lister = PoliteClient(
            hub.endpoint,
            limiter=RateLimiter(settings.rate),
            timeout=hub.timeout,
            retry=Retry(hub.policy.retries, hub.policy.base_wait),
        )
        listed = (
            children(lister, ns.children, ns.depth) if ns.children else by_author(lister, ns.author)
        )
        tasks = listed_tasks(listed, progress, ns.since, summary)
    elif ns.ids_file:
        tasks = read_ids(ns.ids_file)
    else:
        tasks = local_tasks(ns.dirs)
    with Store(ns.store) as store:
        try:
            run_scan(
                tasks,
                store=store,
                executor=executor,
                settings=settings,
                digest=digest,
                progress=progress,
                summary=summary,
            )
        finally:
            if lister is not None:
                lister.close()
    s = summary
    print(
        f"modelcheck {__version__} scan: {s.seen} repos: {s.audited} audited, "
        f"{s.unchanged} unchanged, {s.gated} gated or private, {s.not_found} not found, "
        f"{s.failed} could not be audited"
        + (f", {s.skipped_since} not modified since {ns.since}" if ns.since else "")
        + f"; {s.requests} requests in {s.seconds:.1f}s; store: {ns.store}"
    )
    return ExitCode.OK


def run_report(ns: argparse.Namespace) -> int:
    from compliance.scan.report import render
    from compliance.scan.store import Store

    if ns.fmt == "parquet":
        return _report_parquet(ns)
    with Store(ns.store, readonly=True) as store:
        if ns.output is None:
            render(store, ns.fmt, sys.stdout, top=ns.top)
            sys.stdout.flush()
            return ExitCode.OK
        _write_atomically(Path(ns.output), lambda out: render(store, ns.fmt, out, top=ns.top))
    return ExitCode.OK


def _report_parquet(ns: argparse.Namespace) -> int:
    """Parquet is binary: only to a file, and only with the `scan-parquet` extra."""
    if ns.output is None or ns.output == "-":
        raise ConfigError("modelcheck scan report: --format parquet needs -o FILE (it is binary)")
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        from compliance.commands.weights_extra import MissingExtraError

        raise MissingExtraError(
            f"modelcheck scan report --format parquet needs pyarrow, which this install "
            f"lacks; install the scan-parquet extra: {PARQUET_HINT}"
        ) from None
    from compliance.commands.output import atomic_output
    from compliance.scan.report_parquet import write_parquet
    from compliance.scan.store import Store

    path = Path(ns.output)
    with Store(ns.store, readonly=True) as store, atomic_output(path) as (_fd, tmp):
        write_parquet(store, tmp)
    return ExitCode.OK


def _write_atomically(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write to a temporary file beside `path`, then rename: never half a report."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    except OSError as e:
        raise ConfigError(f"{path}: cannot write the report ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["main", "run_report", "run_scan"]
