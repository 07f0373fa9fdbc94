"""The rules digest: a result is only as current as the rules it was checked against."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from compliance.errors import ConfigError
from compliance.resources import data_dir


def rules_digest(extra_dirs: Iterable[str | Path] = ()) -> str:
    """sha256 (first 16 hex digits) over every rule-pack and catalog file's path and bytes."""
    h = hashlib.sha256()
    roots = [data_dir("rules"), *(Path(d) for d in extra_dirs)]
    for n, root in enumerate(roots):
        for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            if path.suffix not in (".yaml", ".yml"):
                continue
            h.update(f"{n}:{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]


def library_digest(dirs: Iterable[str | Path]) -> str:
    """sha256 (first 16 hex digits) over the fingerprint files of a library, in the
    order `load_library` reads them: rerunning with another library re-audits."""
    h = hashlib.sha256()
    for n, root in enumerate(dirs):
        for path in sorted(Path(root).glob("*.safetensors")):
            if not path.is_file():
                continue
            h.update(f"{n}:{path.name}\0".encode())
            try:
                with path.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
            except OSError as e:
                problem = e.strerror or e
                raise ConfigError(f"{path}: cannot read the fingerprint ({problem})") from None
            h.update(b"\0")
    return h.hexdigest()[:16]
