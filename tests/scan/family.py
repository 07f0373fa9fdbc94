"""A generated model family with labels known by construction, served by olah.

Every child of `fam/Llama-3.1-base` is built from one recipe per label; what the
recipe leaves out (or adds) is exactly what the label says, so the scan's counts per
category must equal the label counts. Repos are written with one `git fast-import`
each (olah reads them as it reads any mirror, see tests/hub/hubrepos.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hubrepos import GIT_ENV, LLAMA_LICENSE, card

ORG = "fam"
GATED_ORG = "famgated"
BASE = f"{ORG}/Llama-3.1-base"
NOTICE = (
    "Llama 3.1 is licensed under the Llama 3.1 Community License, "
    "Copyright © Meta Platforms, Inc. All Rights Reserved.\n"
)
BODY_OK = "# A fine-tune\n\nBuilt with Llama\n\nSee the Acceptable Use Policy.\n"
CONFIG = json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})

# label -> the finding categories (rules) its recipe must trigger, and nothing else
# of severity error; the info-level `llama3.1/mau-threshold` fires on every child.
LABELS: dict[str, frozenset[str]] = {
    "compliant": frozenset(),
    "rate-limited": frozenset(),  # compliant; its model info answers 429 once
    # the card says apache-2.0 while its LICENSE file is the Llama text
    "relicensed": frozenset({"license-incompatible", "license-mismatch"}),
    "missing-notice": frozenset({"missing-notice"}),
    "missing-attribution": frozenset({"missing-attribution"}),
    "hidden-base": frozenset({"undeclared-base-model"}),
    # front matter never closed: no licence and no `base_model` can be read, while the
    # unparsed `base_model:` line still names the base in the card's text
    "broken-yaml": frozenset({"metadata-invalid", "license-missing", "undeclared-base-model"}),
    "gated": frozenset(),  # files answer 403 GatedRepo: recorded as gated
    "server-error": frozenset(),  # model info answers 503 every time: could-not-audit
    "grandchild": frozenset(),  # compliant fine-tune of the first compliant child
}
# labels audited with no error finding (a hidden base is a warning: the licence's
# obligations are all met, only the card does not name its base)
COMPLIANT = frozenset({"compliant", "rate-limited", "hidden-base", "grandchild"})
# label -> how many children (>= 500 in all)
MIX = {
    "compliant": 220,
    "rate-limited": 10,
    "relicensed": 60,
    "missing-notice": 60,
    "missing-attribution": 60,
    "hidden-base": 40,
    "broken-yaml": 20,
    "gated": 20,
    "server-error": 10,
    "grandchild": 5,
}


@dataclass
class Child:
    repo_id: str
    label: str
    sha: str = ""

    @property
    def declared_base(self) -> str | None:
        """The base the card declares (what the Hub's model tree lists it under)."""
        if self.label in ("hidden-base", "broken-yaml"):
            return None
        return FIRST_CHILD if self.label == "grandchild" else BASE


def child_files(label: str, n: int) -> dict[str, str]:
    parent = FIRST_CHILD if label == "grandchild" else BASE
    meta = f"license: llama3.1\nbase_model: {parent}"
    files = {
        "README.md": card(meta, BODY_OK),
        "LICENSE": LLAMA_LICENSE,
        "NOTICE": NOTICE,
        "config.json": CONFIG,
    }
    if label == "relicensed":
        files["README.md"] = card(f"license: apache-2.0\nbase_model: {BASE}", BODY_OK)
    elif label == "missing-notice":
        del files["NOTICE"]
    elif label == "missing-attribution":
        files["README.md"] = card(meta, "# A fine-tune\n\nSee the Acceptable Use Policy.\n")
    elif label == "hidden-base":
        files["README.md"] = card("license: llama3.1", BODY_OK)
        files["config.json"] = json.dumps({"model_type": "llama", "_name_or_path": BASE})
    elif label == "broken-yaml":
        # front matter never closed: no metadata can be read, so neither a licence nor a
        # base is declared; the base is only written in the (unparsed) text
        files["README.md"] = f"---\nlicense: llama3.1\nbase_model: {BASE}\n\n" + BODY_OK
    files["train.txt"] = f"run {n}\n"  # every repo its own tree
    return files


def children() -> Iterator[Child]:
    n = 0
    for label, count in MIX.items():
        for _ in range(count):
            n += 1
            org = GATED_ORG if label == "gated" else ORG
            yield Child(_name(org, label, n), label)


def _name(org: str, label: str, n: int) -> str:
    return f"{org}/Llama-3.1-ft-{label}-{n:04d}"


FIRST_CHILD = _name(ORG, "compliant", 1)


class Mirror:
    """Writes repos under olah's mirrors path with `git fast-import`."""

    def __init__(self, mirrors: Path) -> None:
        self.mirrors = mirrors
        self._template = mirrors.parent / "git-template"
        if not self._template.exists():
            self._template.mkdir(parents=True)
            _git(self._template, "init", "-q", "-b", "main")
        self._time = 1_700_000_000

    def write(self, repo_id: str, files: dict[str, str] | dict[str, bytes | str]) -> str:
        """Commit exactly `files` on `main` (a new repo, or a new commit); returns its sha."""
        repo = self.mirrors / "models" / repo_id
        parent = None
        if (repo / ".git").exists():
            parent = _git(repo, "rev-parse", "refs/heads/main")
        else:
            repo.mkdir(parents=True, exist_ok=True)
            shutil.copytree(self._template / ".git", repo / ".git")
        self._time += 1
        out = bytearray()
        for i, (_path, text) in enumerate(sorted(files.items()), 1):
            data = text if isinstance(text, bytes) else text.encode()
            out += f"blob\nmark :{i}\ndata {len(data)}\n".encode() + data + b"\n"
        out += (
            f"commit refs/heads/main\ncommitter fixture <f@example.invalid> {self._time} +0000\n"
            f"data 7\nupdate\n"
        ).encode()
        if parent:
            out += f"from {parent}\n".encode()
        out += b"deleteall\n"
        for i, path in enumerate(sorted(files), 1):
            out += f"M 100644 :{i} {path}\n".encode()
        subprocess.run(
            ["git", "fast-import", "--quiet"],
            cwd=repo,
            input=bytes(out),
            env={**os.environ, **GIT_ENV},
            check=True,
            capture_output=True,
        )
        ref = repo / ".git" / "refs" / "heads" / "main"
        return ref.read_text().strip() if ref.is_file() else _git(repo, "rev-parse", "main")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def build(mirrors: Path) -> list[Child]:
    """The base and every child on the mirror; returns the children."""
    m = Mirror(mirrors)
    m.write(
        BASE,
        {
            "README.md": card("license: llama3.1", "# Base\n"),
            "LICENSE": LLAMA_LICENSE,
            "NOTICE": NOTICE,
            "config.json": CONFIG,
        },
    )
    out = []
    for n, child in enumerate(children()):
        child.sha = m.write(child.repo_id, child_files(child.label, n))
        out.append(child)
    return out
