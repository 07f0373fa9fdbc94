"""`scan report`: every format from one store; untrusted text escaped; the HTML page's
tables sort in a real headless browser."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compliance.scan.report import render
from compliance.scan.result import AUDITED, FAILED, GATED, FindingRow, RepoResult
from compliance.scan.store import Store

EVIL = "evil/x|<script>alert(1)</script>"


def _store(path: Path) -> Path:
    with Store(path) as st:
        for n in range(6):
            findings = tuple(
                FindingRow(f"llama3.1/rule-{k}", "missing-notice", "error") for k in range(n)
            )
            st.put(
                RepoResult(
                    f"org/m{n}",
                    f"c{n}",
                    AUDITED,
                    compliant=n == 0,
                    declared_license="apache-2.0" if n % 2 else "llama3.1",
                    inherited_licenses=("llama3.1",),
                    relation="finetune",
                    findings=findings,
                ),
                "0.1.0",
                "d",
            )
        st.put(
            RepoResult(
                EVIL,
                "c",
                AUDITED,
                compliant=False,
                declared_license="=cmd|' /C calc'!A0",
                findings=(FindingRow("core/license-missing", "license-missing", "error"),),
            ),
            "0.1.0",
            "d",
        )
        st.put(RepoResult("org/gated", "", GATED, "org/gated: gated (HTTP 403)"), "0.1.0", "d")
        st.put(RepoResult("org/down", "", FAILED, "org/down: HTTP 503 after 4"), "0.1.0", "d")
    return path


def _render(path: Path, fmt: str) -> str:
    out = io.StringIO()
    with Store(path, readonly=True) as st:
        render(st, fmt, out, top=5)
    return out.getvalue()


def test_json_lists_every_repo_with_its_findings(tmp_path):
    data = json.loads(_render(_store(tmp_path / "s.db"), "json"))
    s = data["summary"]
    assert (s["repos"], s["audited"], s["compliant"]) == (9, 7, 1)
    assert s["by_status"] == {"audited": 7, "could-not-audit": 1, "gated": 1}
    assert s["categories"] == {"missing-notice": 5, "license-missing": 1}
    assert s["share_compliant"] == round(1 / 7, 4)
    repos = {r["repo_id"]: r for r in data["repos"]}
    assert repos["org/m3"]["rule_ids"] == [f"llama3.1/rule-{k}" for k in range(3)]
    assert repos["org/gated"]["status"] == "gated" and repos["org/gated"]["commit"] is None
    assert [w["repo_id"] for w in s["worst_offenders"]] == [
        "org/m5",
        "org/m4",
        "org/m3",
        "org/m2",
        EVIL,  # one error, like org/m1: ties go by repo id
    ]


def test_csv_has_one_row_per_repo_and_no_formulas(tmp_path):
    text = _render(_store(tmp_path / "s.db"), "csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 9
    evil = next(r for r in table if r["repo_id"] == EVIL)
    assert evil["declared_license"].startswith("'=")


def test_markdown_has_mermaid_charts_and_escapes_repo_text(tmp_path):
    text = _render(_store(tmp_path / "s.db"), "markdown")
    assert "```mermaid\npie showData title Repos by status" in text
    assert '"missing-notice" : 5' in text
    assert "sankey-beta" in text and '"inherited llama3.1","declared apache-2.0",3' in text
    assert "<script>" not in text
    assert "| org/gated | gated | org/gated: gated (HTTP 403) |" in text
    assert "evil/x\\|&lt;script&gt;" in text  # a `|` cannot split the table row
    assert "[org/m5](https://huggingface.co/org/m5)" in text


def test_html_is_one_file_and_escapes_repo_text(tmp_path):
    text = _render(_store(tmp_path / "s.db"), "html")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert not re.search(r"<(link|img|script)[^>]+(src|href)=", text)  # nothing fetched


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_PROBE = """<script>
function col(i) {
  return Array.from(document.querySelectorAll("#worst tbody tr")).map(r => r.cells[i].textContent);
}
var th = document.querySelectorAll("#worst th")[1];
th.click();
var up = col(1);
th.click();
var down = col(1);
document.querySelectorAll("#worst th")[0].click();
var names = col(0);
document.body.setAttribute("data-probe", JSON.stringify({up: up, down: down, names: names,
  sort: th.getAttribute("aria-sort"), headline: document.getElementById("headline").textContent}));
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium: the browser check is skipped")
def test_html_tables_sort_in_a_headless_browser(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        _render(_store(tmp_path / "s.db"), "html").replace("</body>", _PROBE + "</body>")
    )
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    m = re.search(r'data-probe="([^"]*)"', dom)
    assert m, dom[-2000:]
    import html as html_mod

    probe = json.loads(html_mod.unescape(m.group(1)))
    assert probe["up"] == ["1", "2", "3", "4", "5"]
    assert probe["down"] == ["5", "4", "3", "2", "1"]
    assert probe["names"] == sorted(probe["names"])
    assert probe["headline"].startswith("9 repos scanned; 7 audited")


def _csv_cell(value: object) -> str:
    """What the CSV writes for a typed value (lists space-joined, None empty)."""
    if isinstance(value, list):
        value = " ".join(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def test_parquet_has_the_csv_rows_typed(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from compliance.cli import main

    store, out = _store(tmp_path / "s.db"), tmp_path / "r.parquet"
    assert main(["scan", "report", "--store", str(store), "-f", "parquet", "-o", str(out)]) == 0
    table = pq.read_table(out)
    types = {f.name: str(f.type) for f in table.schema}
    assert types["compliant"] == "bool" and types["errors"] == "int64"
    assert types["rule_ids"] == "list<element: string>" and types["repo_id"] == "string"
    rows = table.to_pylist()
    m3 = next(r for r in rows if r["repo_id"] == "org/m3")
    assert m3["rule_ids"] == [f"llama3.1/rule-{k}" for k in range(3)] and m3["errors"] == 3
    assert next(r for r in rows if r["repo_id"] == "org/gated")["compliant"] is None
    text = _render(store, "csv")
    expected = list(csv.reader(io.StringIO(text)))
    assert [list(table.column_names)] + [[_csv_cell(v) for v in r.values()] for r in rows] == (
        expected
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_parquet_needs_a_file_and_the_extra(tmp_path, capsys, monkeypatch):
    import sys

    from compliance.cli import main

    store = _store(tmp_path / "s.db")
    assert main(["scan", "report", "--store", str(store), "-f", "parquet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--format parquet needs -o FILE" in err
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # any import of it fails
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "r.parquet"
    assert main(["scan", "report", "--store", str(store), "-f", "parquet", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'modelcheck[scan-parquet]'" in err
    assert not out.exists()
