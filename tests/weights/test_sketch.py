"""The shared random sketch of matrix rows (schema 3): what it keeps and what it drops."""

from __future__ import annotations

import numpy as np

from compliance.weights.sketch import gram, project, projection


def _rows(seed: int, k: int = 64, n: int = 5120) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((k, n)).astype(np.float32) * 0.02


def _cos(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x.ravel().astype(np.float64), y.ravel().astype(np.float64)
    return float(x @ y / np.sqrt((x @ x) * (y @ y)))


def test_the_projection_is_a_pure_function_of_seed_width_and_dim() -> None:
    a = projection(0, 5120, 256)
    assert a.shape == (5120, 256) and not a.flags.writeable
    projection.cache_clear()
    np.testing.assert_array_equal(projection(0, 5120, 256), a)  # redrawn, not remembered
    assert not np.allclose(projection(1, 5120, 256), a)
    assert projection(0, 4096, 256).shape == (4096, 256)


def test_cosines_of_related_and_unrelated_rows_survive_the_sketch() -> None:
    x, noise, other = _rows(0), _rows(1), _rows(2)
    for alpha in (0.0, 0.5, 1.0, 3.0):
        y = x + alpha * noise
        assert abs(_cos(project(x, 0, 256), project(y, 0, 256)) - _cos(x, y)) < 0.02
    # unrelated rows stay near 0: 64 x 256 sketched entries, sd ~ 1/sqrt(16384)
    assert abs(_cos(project(x, 0, 256), project(other, 0, 256))) < 0.04


def test_a_shared_constant_offset_is_not_shared_weights() -> None:
    x, other = _rows(0), _rows(2)
    offset = np.float32(0.05)
    np.testing.assert_allclose(project(x + offset, 0, 256), project(x, 0, 256), atol=1e-5)
    assert abs(_cos(project(x + offset, 0, 256), project(other + offset, 0, 256))) < 0.04


def test_entry_scale_is_kept_for_the_sigma_curve() -> None:
    x = _rows(0)
    assert abs(float(project(x, 0, 256).std()) / float(x.std()) - 1) < 0.05


def test_gram_is_float64_x_xt() -> None:
    x = _rows(0, k=8)
    g = gram(x)
    assert g.dtype == np.float64 and g.shape == (8, 8)
    np.testing.assert_allclose(g, x.astype(np.float64) @ x.astype(np.float64).T)
