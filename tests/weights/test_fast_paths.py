"""The shortcuts taken for speed give the same statistics as the slow reference."""

from __future__ import annotations

import numpy as np
import pytest

from compliance.weights.signals import neuron_matching as s3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spearman_matches_scipy(seed: int) -> None:
    from scipy.stats import spearmanr

    rng = np.random.default_rng(seed)
    x = np.arange(200)
    for y in (rng.permutation(200), x + rng.normal(0, 40, 200), rng.integers(0, 20, 200)):
        rho, p = s3.spearman_p(x, y)
        ref_rho, ref_p2 = spearmanr(x, y)
        assert rho == pytest.approx(ref_rho, abs=1e-12)
        want = ref_p2 / 2 if ref_rho > 0 else 1 - ref_p2 / 2
        assert p == pytest.approx(max(want, 1e-300), rel=1e-9, abs=1e-300)
    assert s3.spearman_p(x, x)[0] == pytest.approx(1.0) and s3.spearman_p(x, x)[1] == 1e-300


def test_assignment_shortcut_is_the_optimum() -> None:
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(0)
    for noise in (0.0, 0.3, 3.0):  # near-identity (shortcut) ... pure noise (LAP)
        c = np.eye(300, 400) + noise * rng.standard_normal((300, 400))
        c = c[:, rng.permutation(400)]
        r, col = s3.assign(c)
        rr, cc = linear_sum_assignment(c, maximize=True)
        assert np.unique(col).size == col.size == 300
        assert c[r, col].sum() == pytest.approx(c[rr, cc].sum(), rel=1e-12)


def test_fisher_combination_matches_chi2_sf() -> None:
    from scipy.stats import chi2

    from compliance.weights.special import chi2_sf

    for x, k in ((3.0, 4), (50.0, 12), (700.0, 12), (0.5, 2), (1e4, 1e4), (3e3, 200)):
        assert chi2_sf(k, x) == pytest.approx(chi2.sf(x, k), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("df", [1, 3, 10, 198, 1e3, 1e5])
def test_student_t_cdf_matches_scipy(df: float) -> None:
    from scipy.special import stdtr

    from compliance.weights.special import student_t_cdf

    for t in (-1e4, -40.0, -8.0, -2.0, -0.3, 0.0, 0.3, 2.0, 8.0):
        assert student_t_cdf(df, t) == pytest.approx(stdtr(df, t), rel=1e-8, abs=1e-300)


def test_the_assignment_solver_is_scipys_without_importing_scipy() -> None:
    # `import scipy.optimize` cost about a second per comparison; the tails are computed
    # without scipy and the LAP solver's extension is loaded on its own
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from compliance.weights.signals import neuron_matching as s3\n"
        "s3.spearman_p(np.arange(50), np.arange(50)[::-1])\n"
        "from compliance.weights.special import chi2_sf; chi2_sf(4, 3.0)\n"
        "c = np.random.default_rng(0).standard_normal((60, 80))\n"
        "r, col = s3.assign(c)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('scipy'))\n"
        "print(loaded, round(c[r, col].sum(), 9))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    loaded, total = out.stdout.rsplit(" ", 1)
    assert loaded in ("[]", "['scipy.optimize._lsap']")  # never scipy, scipy.optimize, …

    from scipy.optimize import linear_sum_assignment

    c = np.random.default_rng(0).standard_normal((60, 80))
    rr, cc = linear_sum_assignment(c, maximize=True)
    assert float(total) == pytest.approx(c[rr, cc].sum(), abs=1e-8)


@pytest.mark.parametrize("budget", [0, 1 << 30])
def test_s2_copies_held_or_dropped_give_the_same_statistic(budget, monkeypatch) -> None:
    from compliance.weights.signals import SamplePlan
    from compliance.weights.signals import aligned_cosine as s2
    from tests.support import synth

    plan = SamplePlan(sketch_dim=64)
    base = synth.base(3, n_layers=5)
    ref = s2.compute(base.view(), synth.fine_tune(base, 0.3).view(), plan)
    held: list[int] = []
    init = s2._Recent.__init__

    def spy(self, layers, budget_=budget):
        init(self, layers, budget_)
        held.append(id(self))
        orig = self.rows

        def rows(v, role, layer):
            out = orig(v, role, layer)
            held.append(len(self._held[id(v)]))
            return out

        self.rows = rows

    monkeypatch.setattr(s2._Recent, "__init__", spy)
    got = s2.compute(base.view(), synth.fine_tune(base, 0.3).view(), plan)
    assert got.value == ref.value and got.null == ref.null and got.details == ref.details
    most = max(held[1:])
    # a budget of 0 holds at most the 3 candidate layers; a large one every layer
    assert most <= 3 if budget == 0 else most == 5


def test_s3_nulls_beside_the_loop_give_the_same_statistic(monkeypatch) -> None:
    from compliance.weights.signals import SamplePlan
    from tests.support import synth

    base = synth.base(4, n_layers=4)
    plan = SamplePlan()
    other = synth.base(5, n_layers=4)
    got = {}
    for background in (True, False):
        monkeypatch.setattr(s3, "NULL_THREAD_BYTES", (1 << 40) if background else -1)
        s3._SIM_CACHE.clear()
        got[background] = [
            s3.compute(base.view(), v.view(), plan) for v in (synth.fine_tune(base, 1.0), other)
        ]
    for x, y in zip(got[True], got[False], strict=True):
        assert x.null == y.null and x.value == y.value and x.details == y.details
        assert x.null is not None and x.null.k == 8  # 4 layer nulls and 4 simulated


def test_jobs_beside_the_loop_keep_their_order_and_raise() -> None:
    import time

    jobs = s3._InOrder()
    for i in range(6):
        jobs.submit("even" if i % 2 == 0 else "odd", lambda i=i: (time.sleep(0.01 * (i % 3)), i)[1])
    assert jobs.results() == [("even" if i % 2 == 0 else "odd", i) for i in range(6)]

    def fail() -> float:
        raise ArithmeticError("solver failed")

    jobs = s3._InOrder()
    jobs.submit("x", fail)
    with pytest.raises(ArithmeticError, match="solver failed"):
        jobs.results()
    jobs.close()  # idempotent; the worker has ended
