"""Settings for the whole test run."""

from __future__ import annotations

import os

# BLAS threads only spin on a small shared machine (the CLI caps them the same way,
# compliance/weights/threads.py); set before numpy is first imported by any test
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
