"""Run the lineage signals on a suspect and a candidate view and record everything
needed to re-run and report it (lineage.md §5.4: revisions, bytes read, seed, schema).

Views are opened from a spec: a local checkpoint dir, a fingerprint file, an
http(s) directory URL, or a Hub repo id (`org/name[@revision]`). A remote
checkpoint is first sampled into a temporary fingerprint with concurrent range
reads (or, when its server ignores Range, one streamed pass per weight file), so the
signals run on local data. Reading and fingerprinting stay bounded by a layer; the
comparison itself keeps the sampled rows of both models (float32; sketched matrix rows,
and only the last two down projections of a re-readable view) for the signals that look
across layers: about 440 MB peak for two Qwen2.5-14B-sized fingerprints.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.errors import PathNotFoundError, SourceError

# remote reads: rows at most this many bytes apart are fetched in one request. 0 keeps the
# byte budget exact; the plan samples rows in contiguous blocks (one request per block),
# so merging across gaps would buy few requests for extra bytes
REMOTE_GAP = 0
REPO_ID_RE = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+(@[\w.\-/]+)?$")


@dataclass
class ViewInfo:
    label: str
    revision: str | None
    kind: str  # "local" | "hub" | "http" | "fingerprint"
    arch: str
    n_layers: int
    # bytes read from the model's storage, each byte once (local: distinct bytes of the weight
    # files, so <= total_bytes; remote: bytes received); for a fingerprint: when it was made
    bytes_read: int = 0
    total_bytes: int | None = None  # size of the weights, when known
    fingerprint: str | None = None  # fingerprint file, when one was used
    bytes_hashed: int = 0  # tensor bytes fed to digests (already inside bytes_read, not added)
    # HTTP requests made to read the model (None: local files, or a fingerprint made before
    # fingerprints recorded it)
    requests: int | None = None
    # the server ignored HTTP Range (sent whole files), so bytes_read counts what streamed
    # past on the way to the sampled rows too; None: local, or unknown
    range_ignored: bool | None = None
    # bytes given a role and those not understood (coverage.measure); None: not recorded
    coverage: dict[str, Any] | None = None
    # identity of each input file, for a rerun: [{path, bytes, digest}] (local weight files
    # hashed whole; Hub files by their LFS sha256; a fingerprint file by its own hash)
    files: list[dict[str, Any]] | None = None
    # for a fingerprint: the identity it records of the model it was made from (its
    # files; one digest over its per-tensor digests: provenance.tensor_digests)
    source_files: list[dict[str, Any]] | None = None
    source_tensors: dict[str, Any] | None = None


@dataclass
class LineageComparison:
    suspect: ViewInfo
    candidate: ViewInfo
    signals: list[Any]  # signals.SignalResult
    verdict: Any  # verdict.Verdict
    wording: list[str]
    seed: int
    plan: dict[str, Any]
    fingerprint_schema: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    plan_version: str = ""  # provenance.plan_version
    rules_version: str = ""  # provenance.rules_version

    def signal(self, name: str) -> Any:
        return next((s for s in self.signals if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(dataclasses.asdict(self))


def jsonable(obj: Any) -> Any:
    """Plain JSON types: dataclasses/enums/numpy scalars converted, NaN/inf -> None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable(dataclasses.asdict(obj))
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else float(obj)
    item = getattr(obj, "item", None)  # numpy scalars
    if callable(item):
        return jsonable(item())
    return str(obj)


# --- opening views ------------------------------------------------------------------


def view_kind(view: Any) -> str:
    from compliance.weights.files import HttpFiles, LocalFiles
    from compliance.weights.fingerprint import FingerprintView

    if isinstance(view, FingerprintView):
        return "fingerprint"
    files = getattr(view, "files", None)
    if files is None or isinstance(files, LocalFiles):
        return "local"  # in-memory views count as local
    if isinstance(files, HttpFiles):
        return "http"
    source = getattr(files, "source", None)
    return "local" if getattr(source, "kind", None) == "local" else "hub"


def open_view(spec: str, revision: str | None = None, hub_source: Any = None) -> Any:
    """A TensorView for a local dir, a fingerprint file, an http(s) dir URL or a Hub repo id.

    `hub_source` (optional) is a callable (repo_id, revision) -> compliance Source, used
    instead of the default Hub source (tests pass a loopback one)."""
    from compliance.weights.files import HttpFiles, LocalFiles, SourceFiles
    from compliance.weights.fingerprint import FingerprintView, is_fingerprint
    from compliance.weights.safetensors_view import SafetensorsView

    path = Path(spec).expanduser()
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except OSError as e:  # e.g. a name longer than the file system allows
        raise SourceError(f"{safe_label(spec, 120)}: cannot be opened ({e.strerror or e})") from e
    if is_dir:
        return SafetensorsView(LocalFiles(path), label=spec, revision=revision)
    if is_file:
        if is_fingerprint(path):
            return FingerprintView(path)
        raise SourceError(f"{spec}: not a model directory or a modelcheck fingerprint")
    if spec.startswith(("http://", "https://")):
        return SafetensorsView(
            HttpFiles(spec), label=spec, revision=revision, digest_max_bytes=0,
            max_gap_bytes=REMOTE_GAP,
        )
    if REPO_ID_RE.match(spec):
        repo_id, _, rev = spec.partition("@")
        rev = rev or revision
        if hub_source is None:
            hub_source = _default_hub_source
        source = hub_source(repo_id, rev)
        return SafetensorsView(
            SourceFiles(source),
            label=repo_id,
            revision=getattr(source, "commit", None) or rev,
            digest_max_bytes=0,
            max_gap_bytes=REMOTE_GAP,
        )
    raise PathNotFoundError(f"{spec}: no such directory or fingerprint file, and not a repo id")


def _default_hub_source(repo_id: str, revision: str | None) -> Any:
    from compliance.sources.hub import HubSource  # network only here

    return HubSource.open(repo_id, revision)


def materialise(view: Any, plan: Any, workdir: str, name: str) -> tuple[Any, Any]:
    """For a remote view: sample it into a fingerprint under `workdir` (concurrent range
    reads, one layer in memory at a time) and return (fingerprint view, original);
    other views are returned as they are."""
    if view_kind(view) in ("local", "fingerprint"):
        return view, view
    from compliance.weights.fingerprint import FingerprintView, write_fingerprint

    out = Path(workdir) / f"{name}.safetensors"
    write_fingerprint(view, out, plan, repo_id=view.label)
    return FingerprintView(out), view


def describe(
    view: Any, original: Any | None = None, files: list[dict[str, Any]] | None | bool = True
) -> ViewInfo:
    """What the report says about one input; `files`: its file identities when already
    computed (identities.BackgroundIdentities), True to compute them here."""
    from compliance.weights.fingerprint import FingerprintView
    from compliance.weights.provenance import tensor_digests

    src = original if original is not None else view
    kind = view_kind(src)
    info = ViewInfo(
        label=src.label,
        revision=src.revision,
        kind=kind,
        arch=src.arch,
        n_layers=src.n_layers,
        bytes_read=int(src.bytes_read),
        total_bytes=getattr(src, "total_bytes", None),
        bytes_hashed=int(getattr(src, "bytes_hashed", 0) or 0),
        requests=_int_or_none(getattr(src, "requests", None)),
        range_ignored=_bool_or_none(getattr(src, "ignores_range", None)),
    )
    info.coverage = _coverage(view, src)
    info.files = file_identities(src) if files is True else files or None
    if isinstance(src, FingerprintView):
        info.fingerprint = str(src.path)
        info.bytes_read = src.source_bytes_read
        info.bytes_hashed = int(src.meta.get("bytes_hashed") or 0)
        info.total_bytes = src.meta.get("total_bytes")
        info.requests = _int_or_none(src.meta.get("requests"))
        info.range_ignored = _bool_or_none(src.meta.get("range_ignored"))
        info.source_files = recorded_files(src.meta.get("source_files"))
        info.source_tensors = tensor_digests(src.meta.get("digests"), src.meta.get("samples"))
    return info


def recorded_files(value: Any) -> list[dict[str, Any]] | None:
    """A fingerprint's record of its source files, kept only when well-formed (the file
    may come from anyone: bounded, digests of the documented form only)."""
    if not isinstance(value, list) or not value or len(value) > MAX_RECORDED_FILES:
        return None
    out: list[dict[str, Any]] = []
    for f in value:
        if not isinstance(f, dict) or not isinstance(f.get("path"), str) or len(f["path"]) > 1000:
            return None
        size, digest = _int_or_none(f.get("bytes")), f.get("digest")
        out.append({
            "path": f["path"],
            "bytes": size if size is not None and size >= 0 else None,
            "digest": digest if isinstance(digest, str) and _DIGEST.match(digest) else None,
        })
    return out


MAX_RECORDED_FILES = 10_000
_DIGEST = re.compile(r"^[a-z0-9-]{1,20}:[0-9a-f]{16,128}$")


def file_identities(view: Any, counted: bool = True) -> list[dict[str, Any]] | None:
    """Each input file's identity (see ViewInfo.files); None when it has none to give.
    `counted=False`: a local view's reads for it stay out of its `bytes_read`."""
    from compliance.weights import digests
    from compliance.weights.fingerprint import FingerprintView

    if isinstance(view, FingerprintView):
        algo, h = digests.hasher()
        size = 0
        with open(view.path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
        return [{"path": view.path.name, "bytes": size, "digest": f"{algo}:{h.hexdigest()}"}]
    files = getattr(view, "files", None)
    paths = getattr(view, "weight_files", None)
    if files is None or not paths:
        return None
    out: list[dict[str, Any]] = []
    feed = getattr(files, "hash_span", None)
    for path in paths:
        size = files.size(path)
        if feed is not None and size is not None:
            algo, h = digests.hasher()
            if counted:
                feed(path, 0, size, h)
            else:
                feed(path, 0, size, h, counted=False)
            out.append({"path": path, "bytes": size, "digest": f"{algo}:{h.hexdigest()}"})
            continue
        lfs = files.lfs_sha256(path)
        out.append({"path": path, "bytes": size, "digest": f"lfs-sha256:{lfs}" if lfs else None})
    return out


def _coverage(view: Any, original: Any) -> dict[str, Any] | None:
    """What share of the model was understood, from the original view when it knows
    (a checkpoint), else from the fingerprint's record of it."""
    for v in (original, view):
        got = getattr(v, "coverage", None)
        if isinstance(got, dict):
            return got
    return None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def choose_plan(suspect: Any, candidate: Any, notes: list[str]) -> Any:
    """A fingerprint fixes the sampled rows: use its plan so both sides read the same rows."""
    from compliance.weights.fingerprint import FingerprintView
    from compliance.weights.signals import SamplePlan

    plans = [v.plan for v in (suspect, candidate) if isinstance(v, FingerprintView)]
    if not plans:
        return SamplePlan()
    if len(plans) == 2 and plans[0] != plans[1]:
        notes.append(
            "The two fingerprints were sampled with different plans; only the rows both hold "
            "can be compared, so some signals may be not computable."
        )
    return plans[0]


def compare_many(
    suspect: Any, candidates: list[Any], plan: Any = None, only: list[str] | None = None
) -> list[LineageComparison]:
    """Compare one suspect with several candidates; a remote suspect is sampled once
    per sampling plan (candidates that are fingerprints impose their own plan)."""
    with tempfile.TemporaryDirectory(prefix="modelcheck-fp-") as tmp:
        prepared: dict[Any, tuple[Any, Any]] = {}
        out = []
        for i, candidate in enumerate(candidates):
            notes: list[str] = []
            use = plan or choose_plan(suspect, candidate, notes)
            if use not in prepared:
                prepared[use] = materialise(suspect, use, tmp, f"suspect-{len(prepared)}")
            a, a_src = prepared[use]
            b, b_src = materialise(candidate, use, tmp, f"candidate-{i}")
            out.append(_compare(a, a_src, b, b_src, use, only, notes))
        return out


def _compare(
    a: Any, a_src: Any, b: Any, b_src: Any, plan: Any, only: list[str] | None, notes: list[str]
) -> LineageComparison:
    from compliance.weights.coverage import qualify
    from compliance.weights.fingerprint import SCHEMA
    from compliance.weights.provenance import plan_version, rules_version
    from compliance.weights.signals import run_all
    from compliance.weights.verdict import decide
    from compliance.weights.wording import render

    t0 = time.perf_counter()
    # a and b are local or fingerprints: compare_many sampled every remote view into a
    # fingerprint first (write_fingerprint batches the reads over a server ignoring Range)
    from compliance.weights.identities import BackgroundIdentities
    from compliance.weights.progress import Progress  # stderr, only on a terminal
    from compliance.weights.signals import SIGNALS

    identities = BackgroundIdentities([a_src, b_src])  # hashes while the signals run
    steps = len([n for n in SIGNALS if only is None or n in only])
    what = f"compare {safe_label(a_src.label)} with {safe_label(b_src.label)}"
    with Progress(what, steps, unit="signals") as bar:
        results = run_all(a, b, plan, only=only, progress=lambda name: bar.advance(note=name))
    suspect_coverage = _coverage(a, a_src)
    verdict = qualify(decide(results), suspect_coverage)
    wording = render(verdict, results, safe_label(a_src.label), safe_label(b_src.label),
                     a_src.revision, b_src.revision)
    return LineageComparison(
        suspect=describe(a, a_src, identities.get(a_src)),
        candidate=describe(b, b_src, identities.get(b_src)),
        signals=results,
        verdict=verdict,
        wording=wording,
        seed=int(plan.seed),
        plan=plan.as_dict(),
        fingerprint_schema=SCHEMA,
        seconds=time.perf_counter() - t0,
        notes=notes,
        plan_version=plan_version(plan.as_dict()),
        rules_version=rules_version(),
    )


def safe_label(label: Any, limit: int = 200) -> str:
    """A label fit to sit inside a Markdown code span (labels may come from files): one
    line of printable characters, no backticks, at most `limit` characters."""
    text = "" if label is None else str(label)[: limit * 4]
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split()).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def compare_specs(
    suspect: str, candidates: list[str], revision: str | None = None, hub_source: Any = None
) -> list[LineageComparison]:
    """Open every spec (see `open_view`) and compare the suspect with each candidate."""
    sus = open_view(suspect, revision, hub_source)  # first: its errors matter most
    return compare_many(sus, [open_view(c, None, hub_source) for c in candidates])
