from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compliance.facts.read import read_facts
from compliance.sources.local import LocalSource

from .builders import safetensors_bytes, write_repo

REPO = {
    "README.md": "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Foo\n",
    "config.json": json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}),
    "LICENSE": "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT",
    "model.safetensors": safetensors_bytes({"w": ("F16", [2, 2])}),
    "pytorch_model.bin": b"\x80\x04 not to be opened",
    "training_args.bin": b"\x80\x04",
    "model.onnx": b"onnx",
    ".git/config": '[remote "origin"]\n\turl = https://huggingface.co/org/Llama-3.1-Foo\n',
}


def test_full_repo(tmp_path):
    root = write_repo(tmp_path, REPO)
    facts = read_facts(LocalSource(root))
    assert (facts.source_kind, facts.label, facts.repo_id) == ("local", str(root), None)
    assert facts.git_remote_repo_id == "org/Llama-3.1-Foo"
    assert ".git/config" not in facts.files and "LICENSE" in facts.files
    assert facts.card.base_models == ["meta-llama/Llama-3.1-8B"]
    assert facts.config.model_type == "llama"
    assert facts.license_files[0].path == "LICENSE" and facts.license_files[0].text
    assert {w.path: w.format for w in facts.weights} == {
        "model.safetensors": "safetensors",
        "pytorch_model.bin": "pickle",
        "training_args.bin": "pickle",
        "model.onnx": "other",
    }
    assert [(p.category, p.message) for p in facts.problems] == [
        (
            "unverifiable",
            "pytorch_model.bin: pickle-based weights are present; modelcheck never unpickles "
            "files, so their contents cannot be verified",
        ),
        (
            "unverifiable",
            "training_args.bin: pickle-based weights are present; modelcheck never unpickles "
            "files, so their contents cannot be verified",
        ),
    ]


def test_pickles_are_never_opened(tmp_path, monkeypatch):
    root = write_repo(tmp_path, REPO)
    source = LocalSource(root)
    touched: list[str] = []
    original_bytes, original_range = source.read_bytes, source.read_range
    monkeypatch.setattr(
        source, "read_bytes", lambda p, n: touched.append(p) or original_bytes(p, n)
    )
    monkeypatch.setattr(
        source, "read_range", lambda p, s, n: touched.append(p) or original_range(p, s, n)
    )
    read_facts(source)
    assert not [p for p in touched if p.endswith(".bin")]


def test_source_notes_are_carried(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.write_text("x")
    root = write_repo(tmp_path / "repo", {"README.md": "# x\n"})
    os.symlink(outside, root / "LICENSE")
    facts = read_facts(LocalSource(root))
    assert "LICENSE: symbolic link to a path outside the repo; not followed." in facts.notes
    assert [p.message for p in facts.problems] == [
        "LICENSE: symbolic link to a path outside the repository; not read"
    ]
    assert facts.license_files == []


def test_empty_repo(tmp_path):
    facts = read_facts(LocalSource(tmp_path))
    assert not facts.card.present and not facts.config.present
    assert facts.files == [] and facts.problems == [] and facts.weights == []


def test_local_audit_does_not_import_numpy(tmp_path):
    root = write_repo(tmp_path, REPO)
    code = (
        "import sys\n"
        "from compliance.facts.read import read_facts\n"
        "from compliance.sources.local import LocalSource\n"
        f"read_facts(LocalSource({str(root)!r}))\n"
        "heavy = ('numpy', 'gguf', 'safetensors', 'huggingface_hub')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    project = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


class _CountingHubSource(LocalSource):
    """A local directory read the way a Hub repo is (kind "hub"); counts header reads."""

    kind = "hub"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.ranged: set[str] = set()

    def read_range(self, path: str, start: int, length: int) -> bytes:
        self.ranged.add(path)
        return super().read_range(path, start, length)


def _sharded_repo(root: Path, shards: int) -> Path:
    names = [f"model-{k:05d}-of-{shards:05d}.safetensors" for k in range(1, shards + 1)]
    files: dict[str, str | bytes] = {
        n: safetensors_bytes({f"t{k}": ("F16", [2, 2])}) for k, n in enumerate(names)
    }
    # a lying header in a late shard: only a full read can catch it
    files[names[-1]] = safetensors_bytes({}, header={"x": {"dtype": "F16", "shape": [4]}})
    weight_map = {f"t{k}": n for k, n in enumerate(names)}
    weight_map["gone"] = "model-missing.safetensors"
    files["model.safetensors.index.json"] = json.dumps({"weight_map": weight_map})
    return write_repo(root, files)


def test_hub_source_reads_only_a_few_shard_headers(tmp_path):
    root = _sharded_repo(tmp_path, 12)
    hub = _CountingHubSource(root)
    facts = read_facts(hub)
    weights = sorted(w.path for w in facts.weights if w.format == "safetensors")
    assert len(weights) == 12  # every shard is listed, with its size
    assert all(w.size for w in facts.weights)
    assert hub.ranged == set(weights[:2])  # only the first two headers were read
    notes = " ".join(facts.notes)
    assert "10 safetensors shard headers not read to keep the audit cheap" in notes
    assert "`--weights` reads them" in notes
    problems = " ".join(p.message for p in facts.problems)
    assert "model-missing.safetensors" in problems  # the index is still checked
    assert weights[-1] not in problems  # the unread shard's header is not judged

    full = _CountingHubSource(root)
    facts = read_facts(full, all_shard_headers=True)
    assert full.ranged == set(weights)
    assert weights[-1] in " ".join(p.message for p in facts.problems)


def test_local_source_reads_every_shard_header(tmp_path):
    root = _sharded_repo(tmp_path, 12)
    facts = read_facts(LocalSource(root))
    lying = "model-00012-of-00012.safetensors"
    assert all(w.header_ok for w in facts.weights if w.path != lying)
    assert not any("not read to keep the audit cheap" in n for n in facts.notes)
    assert any(p.evidence.file == lying for p in facts.problems)
