"""`modelcheck lineage` and `modelcheck fingerprint` end to end on synthetic checkpoints."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from compliance.cli import main
from compliance.weights.fingerprint import SCHEMA


def test_fingerprint_then_lineage_markdown_with_chart(models, tmp_path, capsys):
    fp = tmp_path / "base.fp.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(fp)]) == 0
    assert "wrote" in capsys.readouterr().err and fp.is_file()
    out = tmp_path / "report.md"
    rc = main(["lineage", str(models["ft"]), "--against", str(fp), "--against",
               str(models["other"]), "-o", str(out)])
    assert rc == 1  # a candidate is consistent with derivation
    text = out.read_text()
    first, second = text.split("\n## ")[1:3]
    assert "Verdict: consistent with derivation" in first
    assert "consistent with derivation" not in second.split("|")[0]
    assert "sampling seed 0" in text and f"fingerprint schema {SCHEMA}" in text
    # each chart is embedded as an image next to the report, by its relative name
    assert "](report-1.svg)" in first and "](report-2.svg)" in second
    # no input is labelled by a local path; only the rerun line repeats the command as typed
    assert "![" in first and str(tmp_path) not in text.split("**Rerun:**")[0]
    for svg in (tmp_path / "report-1.svg", tmp_path / "report-2.svg"):
        root = ET.parse(svg).getroot()  # well-formed XML
        assert root.tag.endswith("svg")
        assert root.findall(".//{http://www.w3.org/2000/svg}polyline")


def test_default_fingerprint_compares_sampled_blocks_and_full_digests_bytes(
    models, tmp_path, capsys
):
    from compliance.weights.fingerprint import FingerprintView
    from compliance.weights.signals.identical_tensors import STAT

    plain, full = tmp_path / "plain.fp.safetensors", tmp_path / "full.fp.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(plain)]) == 0
    assert "hashed" not in capsys.readouterr().err  # no byte of the model hashed whole
    assert main(["fingerprint", str(models["base"]), "-o", str(full), "--full-digests"]) == 0
    assert "hashed" in capsys.readouterr().err
    assert not FingerprintView(plain).meta["digests"] and FingerprintView(full).meta["digests"]
    kinds = {}
    for fp in (plain, full):
        out = tmp_path / f"{fp.stem}.json"
        assert main(["lineage", str(models["base"]), "--against", str(fp), "--format", "json",
                     "-o", str(out)]) == 1
        (c,) = json.loads(out.read_text())["comparisons"]
        s1 = next(s for s in c["signals"] if s["name"] == "identical_tensors")
        kinds[fp] = (c["verdict"]["kind"], s1["statistic"])
    # identical sampled blocks alone are evidence, worded as samples, never byte identity
    assert kinds[plain][0] == "consistent-with-derivation"
    assert "sampled row blocks are identical" in kinds[plain][1]
    assert not kinds[plain][1].startswith("byte-identical")
    assert kinds[full] == ("identical-tensors", STAT)


def test_lineage_json_has_per_layer_numbers(models, tmp_path):
    out = tmp_path / "r.json"
    assert main(["lineage", str(models["ft"]), "--against", str(models["base"]),
                 "--format", "json", "-o", str(out)]) == 1
    doc = json.loads(out.read_text())
    (c,) = doc["comparisons"]
    assert c["verdict"]["kind"] == "consistent-with-derivation"
    cos = next(s for s in c["signals"] if s["name"] == "aligned_cosine")
    assert [r["layer"] for r in cos["per_layer"]] == list(range(6))
    assert all(r["value"] > 0.9 for r in cos["per_layer"])
    assert c["suspect"]["bytes_read"] > 0 and c["seed"] == 0
    assert c["candidate"]["kind"] == "local"
    ET.parse(tmp_path / "r.svg")


def test_unrelated_models_are_not_called_derived(models, tmp_path):
    out = tmp_path / "r.json"
    assert main(["lineage", str(models["other"]), "--against", str(models["base"]),
                 "--format", "json", "-o", str(out)]) == 0
    kind = json.loads(out.read_text())["comparisons"][0]["verdict"]["kind"]
    assert kind in ("no-weight-evidence", "suggestive")


def test_missing_suspect_is_a_usage_error(tmp_path, capsys):
    rc = main(["lineage", str(tmp_path / "nope"), "--against", str(tmp_path)])
    assert rc == 2
    assert "nope" in capsys.readouterr().err


def test_chart_gives_the_sigma_r_with_its_null(models, tmp_path):
    # the σ-curve r was drawn as a bare number (lineage.md §5.4: never without its null)
    out = tmp_path / "r.json"
    assert main(["lineage", str(models["ft"]), "--against", str(models["base"]),
                 "--format", "json", "-o", str(out)]) == 1
    texts = ["".join(t.itertext()) for t in ET.parse(tmp_path / "r.svg").getroot().iter()
             if t.tag.endswith("text")]
    assert any(t.startswith("r = ") for t in texts)
    assert any(t.startswith("null 99th percentile ") for t in texts)


def test_fingerprint_of_a_hub_revision_records_the_bare_repo_id(models, tmp_path, monkeypatch):
    # `fingerprint org/name@rev` stored repo_id "org/name@rev", so a library never matched
    # the declared base "org/name" (compare.materialise already used the view's label)
    from compliance.sources.local import LocalSource
    from compliance.weights import compare
    from compliance.weights.fingerprint import FingerprintView

    class FakeHub(LocalSource):
        kind = "hub"

    seen = []

    def fake(repo_id, rev):
        seen.append((repo_id, rev))
        src = FakeHub(models["base"])
        src.commit = "c0ffee" * 6 + "abcd"
        return src

    monkeypatch.setattr(compare, "_default_hub_source", fake)
    fp = tmp_path / "b.safetensors"
    assert main(["fingerprint", "org/base@v1", "-o", str(fp)]) == 0
    assert seen == [("org/base", "v1")]
    fpv = FingerprintView(fp)
    assert fpv.meta["repo_id"] == "org/base" and fpv.label == "org/base"
    assert fpv.revision == "c0ffee" * 6 + "abcd"


def test_lineage_does_not_import_scipy(models, tmp_path):
    # importing scipy.optimize cost about a second per run: the signals use scipy's LAP
    # extension alone and compute the distribution tails themselves
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from compliance.cli import main\n"
        f"rc = main(['lineage', {str(models['ft'])!r}, '--against', {str(models['base'])!r},"
        f" '-o', {str(tmp_path / 'r.md')!r}])\n"
        "print(rc, 'scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, timeout=300)
    assert out.stdout.split() == ["1", "False"], out.stderr[-2000:]  # 1: derived
