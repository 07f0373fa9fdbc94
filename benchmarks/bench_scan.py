"""What does `modelcheck scan` cost per repo, how fast is it, and does memory stay flat?

Starts olah (a Hub-compatible server) on loopback with a counting proxy in front and
builds the 505-repo labelled family of tests/scan/family.py (plus 495 more compliant
children for the memory run: 1,000 in all). Then:

1. Baseline, same run: the one-repo path (`run_audit`, i.e. `modelcheck audit org/name`
   through huggingface_hub with a cold cache) on the first 20 children, one after the
   other: requests per repo and repos per minute.
2. `scan` of the 505-repo family (from an ids file, no listing) with the local executor
   on 1, 2 and 4 workers, a fresh store and a fresh ancestor cache each time, no rate
   cap: repos per minute and requests per repo (every request the proxy saw, ancestors
   included), with the ratio to the baseline.
3. Peak RSS of a `modelcheck scan` process (the CLI, 4 workers) over 100 and over
   1,000 repos (`os.wait4` on each child).

The family's faults (gated, 5xx, 429) are not injected in 1-3: they measure the code.
With `--report FILE`, the family is then scanned once more with its faults armed (as in
tests/scan) and the Markdown report written to FILE (the README's sample).
Throughput on a loopback server is bounded by CPU (olah, the proxy and the scan share
the machine); on the Hub it is bounded by the rate limit (see README).

Run:  .venv/bin/python benchmarks/bench_scan.py
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hub"))  # olah, the counting proxy
sys.path.insert(0, str(ROOT / "tests" / "scan"))  # the labelled family

import family  # noqa: E402
from faultproxy import Fault, FaultProxy  # noqa: E402
from hubserver import start_olah, stop  # noqa: E402

from compliance.scan import worker  # noqa: E402
from compliance.scan.executors import LocalExecutor  # noqa: E402
from compliance.scan.report import render  # noqa: E402
from compliance.scan.result import Task  # noqa: E402
from compliance.scan.run import run_scan  # noqa: E402
from compliance.scan.store import Store  # noqa: E402
from compliance.scan.worker import ScanSettings  # noqa: E402

BASELINE_REPOS = 20
BULK = 495


def baseline(url: str, proxy: FaultProxy, ids: list[str], tmp: Path) -> tuple[float, float]:
    from compliance.pipeline import AuditOptions, run_audit

    os.environ["HF_ENDPOINT"] = url
    os.environ["HF_HOME"] = str(tmp / "hf-baseline")
    os.environ.pop("HF_TOKEN", None)
    proxy.reset()
    start = time.perf_counter()
    for repo in ids:
        run_audit(AuditOptions(target=repo))
    seconds = time.perf_counter() - start
    return proxy.requests / len(ids), len(ids) / seconds * 60


def scan_in_process(url: str, proxy: FaultProxy, ids: list[str], workers: int, store: Path):
    worker._CONTEXTS.clear()  # a fresh ancestor cache: every run pays for the base
    proxy.reset()
    settings = ScanSettings(endpoint=url, rate=0, anonymous=True)
    with Store(store) as st:
        start = time.perf_counter()
        summary = run_scan(
            [Task(i) for i in ids],
            store=st,
            executor=LocalExecutor(workers),
            settings=settings,
            digest="bench",
        )
        seconds = time.perf_counter() - start
    assert summary.audited == len(ids), summary
    return len(ids) / seconds * 60, proxy.requests / len(ids), proxy.bytes / len(ids)


def peak_rss_mib(url: str, ids: list[str], tmp: Path, name: str) -> float:
    ids_file = tmp / f"{name}.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=url, HF_HOME=str(tmp / "hf-rss"))
    cmd = [sys.executable, "-m", "compliance.cli", "scan", "--from", str(ids_file)]
    cmd += ["--store", str(tmp / f"{name}.db"), "--workers", "4", "--rate", "0"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"scan of {name} failed: {proc.stderr.read().decode()[-2000:]}")
    return usage.ru_maxrss / 1024  # KiB on Linux


def arm(proxy: FaultProxy, children: list[family.Child]) -> None:
    """The family's faults, as tests/scan/conftest.py arms them."""
    proxy.reset()
    proxy.add(
        Fault(
            rf"GET /{family.GATED_ORG}/[^/]+/resolve/",
            status=403,
            headers={"X-Error-Code": "GatedRepo"},
        )
    )
    for c in children:
        where = rf"GET /api/models/{c.repo_id}/revision/"
        if c.label == "server-error":
            proxy.add(Fault(where, status=503))
        elif c.label == "rate-limited":
            proxy.add(Fault(where, status=429, headers={"Retry-After": "1"}, times=1))


def family_report(url: str, proxy: FaultProxy, children: list[family.Child], tmp: Path) -> str:
    arm(proxy, children)
    worker._CONTEXTS.clear()
    settings = ScanSettings(endpoint=url, rate=0, anonymous=True, backoff=0.05)
    out = io.StringIO()
    with Store(tmp / "report.db") as st:
        run_scan(
            [Task(c.repo_id) for c in children],
            store=st,
            executor=LocalExecutor(4),
            settings=settings,
            digest="bench",
        )
        render(st, "markdown", out, top=10)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", metavar="FILE", help="also write the family's report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmpdir:
        tmp = Path(tmpdir)
        proc, olah = start_olah(tmp)
        proxy = FaultProxy(olah.url).start()
        try:
            t0 = time.perf_counter()
            children = family.build(olah.mirrors)
            mirror = family.Mirror(olah.mirrors)
            bulk = []
            for n in range(BULK):
                repo = f"{family.ORG}/Llama-3.1-bulk-{n:04d}"
                mirror.write(repo, family.child_files("compliant", 10_000 + n))
                bulk.append(repo)
            print(f"built {len(children) + BULK + 1} repos in {time.perf_counter() - t0:.0f}s")
            ids = [c.repo_id for c in children]

            base_req, base_rate = baseline(proxy.url, proxy, ids[:BASELINE_REPOS], tmp)
            print(
                f"\nbaseline (modelcheck audit, one repo at a time, cold cache, "
                f"{BASELINE_REPOS} repos): {base_req:.1f} requests/repo, "
                f"{base_rate:.0f} repos/min"
            )

            print(f"\nscan of the {len(ids)}-repo family (local executor, no rate cap):")
            print("| workers | repos/min | × baseline | requests/repo | × baseline | KB/repo |")
            print("|---:|---:|---:|---:|---:|---:|")
            for n in (1, 2, 4):
                rate, req, nbytes = scan_in_process(proxy.url, proxy, ids, n, tmp / f"scan-{n}.db")
                print(
                    f"| {n} | {rate:.0f} | {rate / base_rate:.1f} | {req:.2f} | "
                    f"{req / base_req:.2f} | {nbytes / 1000:.1f} |"
                )

            every = ids + bulk
            small = peak_rss_mib(proxy.url, every[:100], tmp, "rss-100")
            large = peak_rss_mib(proxy.url, every[:1000], tmp, "rss-1000")
            print(
                f"\npeak RSS of `modelcheck scan` (4 workers): 100 repos {small:.1f} MiB, "
                f"1,000 repos {large:.1f} MiB (ratio {large / small:.2f})"
            )
            if args.report:
                Path(args.report).write_text(family_report(proxy.url, proxy, children, tmp))
                print(f"\nfamily report (faults armed): {args.report}")
        finally:
            proxy.stop()
            stop(proc)


if __name__ == "__main__":
    main()
