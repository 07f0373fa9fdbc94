"""The distributed executor: a Dask LocalCluster of worker processes gives the same
store as the local thread pool."""

from __future__ import annotations

import os

import pytest
from faultproxy import Fault
from scanning import rows, scan

from compliance.scan.executors import DaskExecutor, LocalExecutor

pytestmark = [pytest.mark.hub]

LABELS = {"compliant", "relicensed", "missing-attribution", "broken-yaml", "gated", "server-error"}


def _distributed():
    try:
        import distributed
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("dask[distributed] is not installed (pip install 'modelcheck[scan-dask]')")
    return distributed


def test_dask_cluster_gives_the_local_executors_results(hub, tmp_path):
    distributed = _distributed()

    def waited_here() -> float:  # run on each worker (nested: pickled by value)
        from compliance.scan import worker

        return sum(ctx.client.limiter.waited for ctx in worker._CONTEXTS.values())

    ids = [c.repo_id for c in hub.children if c.label in LABELS][::6]  # ~70 repos
    local = scan(hub.url, ids, tmp_path / "local.db", executor=LocalExecutor(4))
    # one 429 during the distributed run: every worker process must pause, not only
    # the one that was told
    hub.proxy.add(
        Fault(
            rf"GET /api/models/{ids[3]}/revision/",
            status=429,
            headers={"Retry-After": "2"},
            times=1,
        )
    )

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = set(client.run(os.getpid).values())
        address = cluster.scheduler_address.replace("tcp://", "")
        remote = scan(hub.url, ids, tmp_path / "dask.db", executor=DaskExecutor("tcp://" + address))
        waited = client.run(waited_here)
    assert len(pids) == 2 and os.getpid() not in pids
    assert len(waited) == 2 and min(waited.values()) >= 1.0, waited

    assert (remote.audited, remote.gated, remote.failed) == (
        local.audited,
        local.gated,
        local.failed,
    )
    assert rows(tmp_path / "dask.db") == rows(tmp_path / "local.db")
    assert len(rows(tmp_path / "dask.db")[0]) == len(ids)
