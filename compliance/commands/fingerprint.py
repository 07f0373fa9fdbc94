"""`modelcheck fingerprint REPO -o FILE`: sample a model's weights once into a small file.

The file is a safetensors container (loading never unpickles) that `modelcheck
lineage --against FILE` and `modelcheck audit --weights --fingerprints DIR` use
in place of the model itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

from compliance.errors import ConfigError, ExitCode


def run(repo: str, *, output: Path, revision: str | None = None, seed: int = 0) -> int:
    from compliance.lineage.weights.compare import open_view, view_kind
    from compliance.lineage.weights.fingerprint import write_fingerprint
    from compliance.lineage.weights.signals import SamplePlan

    view = open_view(repo, revision)
    if view_kind(view) == "fingerprint":
        raise ConfigError(f"{repo}: is already a fingerprint")
    repo_id = view.label if view_kind(view) == "hub" else None  # "org/name", no "@rev"
    info = write_fingerprint(view, output, SamplePlan(seed=seed), repo_id=repo_id)
    share = (
        f" ({100.0 * info.bytes_read / info.total_bytes:.2f} % of {info.total_bytes:,} bytes)"
        if info.total_bytes
        else ""
    )
    # bytes_read counts each byte of the model once; hashing re-reads no byte for the count
    hashed = f", {info.bytes_hashed:,} of them hashed" if info.bytes_hashed else ""
    print(
        f"modelcheck: wrote {info.path}: {info.tensors} tensors, {info.file_bytes:,} bytes; "
        f"read {info.bytes_read:,} bytes{share}{hashed} in {info.seconds:.1f} s",
        file=sys.stderr,
    )
    return int(ExitCode.OK)
