"""`modelcheck fingerprint REPO -o FILE`: sample a model's weights once into a small file.

The file is a safetensors container (loading never unpickles) that `modelcheck
lineage --against FILE` and `modelcheck audit --weights --fingerprints DIR` use
in place of the model itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from compliance.commands.output import atomic_output, check_target
from compliance.commands.weights_extra import require_weights_extra
from compliance.errors import ConfigError, ExitCode

# sources of compliance.naming that give a repo id (a directory name or a card heading does
# not, and a fingerprint is never named by a local path)
_REPO_ID_SOURCES = ("repo_id", "git remote", "model_name", "model-index", "Hub repo id")


def run(
    repo: str,
    *,
    output: Path,
    revision: str | None = None,
    seed: int = 0,
    name: str | None = None,
    full_digests: bool = False,
) -> int:
    require_weights_extra("fingerprint")
    from compliance.repo_id import is_valid_repo_id
    from compliance.weights.compare import open_view, view_kind
    from compliance.weights.fingerprint import write_fingerprint
    from compliance.weights.signals import SamplePlan

    if name is not None and not is_valid_repo_id(name.strip()):
        raise ConfigError(f"--name: {name!r} is not a Hub repo id (ORG/NAME)")
    check_target(output, "fingerprint")  # before sampling, which can take a while
    view = open_view(repo, revision)
    if view_kind(view) == "fingerprint":
        raise ConfigError(f"{repo}: is already a fingerprint")
    repo_id, name_source = fingerprint_name(view, view_kind(view), repo, name)
    if repo_id is None:
        print(
            f"modelcheck: {repo}: no repo id found (card, .modelcheck.yaml repo_id, git "
            "remote); the fingerprint is named by its file; give --name ORG/NAME",
            file=sys.stderr,
        )
    with atomic_output(output, "fingerprint") as (_fd, tmp):
        # whole-tensor digests read every byte of the model; without them a comparison
        # matches the sampled blocks and never says "byte-identical"
        info = write_fingerprint(
            view,
            tmp,
            SamplePlan(seed=seed),
            repo_id=repo_id,
            name_source=name_source,
            digests=full_digests,
        )
    share = (
        f" ({100.0 * info.bytes_read / info.total_bytes:.2f} % of {info.total_bytes:,} bytes)"
        if info.total_bytes
        else ""
    )
    # bytes_read counts each byte of the model once; hashing re-reads no byte for the count
    hashed = f", {info.bytes_hashed:,} of them hashed" if info.bytes_hashed else ""
    named = f" named {repo_id} ({name_source})" if repo_id else ""
    print(
        f"modelcheck: wrote {output}{named}: {info.tensors} tensors, {info.file_bytes:,} bytes; "
        f"read {info.bytes_read:,} bytes{share}{hashed} in {info.seconds:.1f} s",
        file=sys.stderr,
    )
    print(f"modelcheck: {output}: {recorded_identity(output)}", file=sys.stderr)
    return int(ExitCode.OK)


def recorded_identity(path: Path) -> str:
    """What the written fingerprint records for a rerun: source revision, plan version,
    one digest over its tensor digests, and how many source files it names."""
    from compliance.weights.fingerprint import FingerprintView
    from compliance.weights.provenance import plan_version, tensor_digests

    meta = FingerprintView(path).meta
    parts = [f"plan {plan_version(meta.get('plan') or {})}"]
    if meta.get("revision"):
        parts.insert(0, f"source revision {meta['revision']}")
    tensors = tensor_digests(meta.get("digests"), meta.get("samples"))
    if tensors:
        what = "tensor" if tensors["kind"] == "whole tensors" else "sampled-row"
        parts.append(f"{tensors['tensors']} {what} digests, together {tensors['digest']}")
    files = meta.get("source_files") or []
    if files:
        parts.append(f"{len(files)} source file{'s' if len(files) != 1 else ''} named")
    return "records " + "; ".join(parts)


def fingerprint_name(
    view: Any, kind: str, spec: str, name: str | None = None
) -> tuple[str | None, str | None]:
    """(repo id or None, where it came from): `--name`, a Hub model's repo id, or for a
    local checkpoint the audit's own naming when that gives a repo id."""
    from compliance.repo_id import is_valid_repo_id

    if name:
        return name.strip(), "--name"
    if kind == "hub":
        return str(view.label), "Hub repo id"  # "org/name", no "@rev"
    if kind != "local":
        return None, None
    from compliance.config import parse_config
    from compliance.errors import ModelcheckError
    from compliance.facts.read import read_facts
    from compliance.naming import model_name
    from compliance.sources.local import LocalSource

    try:
        facts = read_facts(LocalSource(spec))
    except (ModelcheckError, OSError):  # naming is a convenience: leave it unnamed
        return None, None
    try:
        cfg = parse_config(facts.modelcheck_config or None, ".modelcheck.yaml", None)
    except ModelcheckError:
        cfg = None
    found, source = model_name(facts, None, cfg)
    if is_valid_repo_id(found) and any(s in source for s in _REPO_ID_SOURCES):
        return found, source
    return None, None
