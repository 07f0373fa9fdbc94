"""The Markdown report: structure, and that a hostile model card cannot inject markup."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from compliance.report import Report
from compliance.reporters import to_markdown


def _without_code_spans(text: str) -> str:
    return re.sub(r"(?<!\\)(`+)(?:(?!\1).)*?\1", "", text)


def test_sections_come_in_reading_order(report: Report) -> None:
    text = to_markdown.render(report)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Lineage",
        "## Findings",
        "## Obligations",
        "## Notes",
        "## Recommendations",
    ]
    assert text.splitlines()[2].startswith(
        "❌ **1 obligation not met · 1 not checkable from the files · 1 met** (findings: 3 errors"
    )


def test_findings_are_grouped_by_severity_with_waived_last(report: Report) -> None:
    text = to_markdown.render(report)
    marks = ("### Errors (3)", "### Warnings (1)", "Info (1)", "Waived (1)")
    order = [text.index(s) for s in marks]
    assert order == sorted(order)
    waived = text[text.index("Waived (1)") :]
    assert "`llama3.1/notice-file`" in waived
    assert "legal ticket 123" in waived


def test_clause_is_quoted_and_unverified_wording_is_flagged(report: Report) -> None:
    text = to_markdown.render(report)
    assert "  > prominently display “Built with Llama”" in text
    assert "(wording unverified: section number from a third-party quote)" in text
    assert text.count("wording unverified") == 1


def test_lineage_graph_styles_inferred_edges_dashed(report: Report) -> None:
    lines = to_markdown.mermaid_lines(
        {
            "model": "acme/m",
            "ancestors": [
                {"repo_id": "org/base", "child": "acme/m", "declared": True,
                 "relation": "finetune", "license": "llama3.1", "resolution": "catalog"},
                {"repo_id": "org/pre", "child": "org/base", "declared": False,
                 "relation": None, "license": None, "resolution": "unresolved"},
            ],
        }
    )
    assert lines[0] == "graph TD"
    assert "  n1 -->|finetune| n0" in lines
    assert "  n2 -.->|derived| n1" in lines
    assert '  n2["org/pre<br/>licence unknown · unresolved"]' in lines


def test_recommendations_list_each_fix_once_in_severity_order(report: Report) -> None:
    text = to_markdown.render(report)
    recs = text[text.index("## Recommendations") :].splitlines()
    numbered = [line for line in recs if re.match(r"\d+\. ", line)]
    assert len(numbered) == 4  # 3 errors + 1 warning; the waived fix is not recommended
    assert numbered[-1].endswith("(`core/undeclared-base-model`)")


def test_weights_section_only_with_weight_evidence(report: Report) -> None:
    assert "Weight evidence" not in to_markdown.render(report)
    weights = SimpleNamespace(suspect="acme/m", statements=[], comparisons=[],
                              notes=["<b>note</b>"], details=[])
    text = to_markdown.render(replace(report, weights=weights))
    assert "## Weight evidence" in text
    assert "&lt;b&gt;note&lt;/b&gt;" in text


def test_a_report_without_findings_says_so() -> None:
    bare = Report(
        target=".", source_kind="local", model_name="org/m", model_name_source="card",
        declared_license="mit", relation=None,
    )
    text = to_markdown.render(bare)
    assert "✅ **0 obligations not met · 0 not checkable from the files · 0 met**" in text
    assert "No findings." in text
    assert "## Lineage" not in text and "## Recommendations" not in text


# --- hostile input -----------------------------------------------------------------


def test_hostile_text_stays_inert_in_the_raw_markdown(hostile_report: Report) -> None:
    text = to_markdown.render(hostile_report)
    prose = _without_code_spans(text)
    for bad in ("<img", "<script", "@octocat"):
        assert bad not in prose, bad
    for unescaped in (r"\]\(https://evil", r"\*\*bold", r"\$\\\\sqrt"):
        assert not re.search(r"(?<!\\)" + unescaped, prose), unescaped
    for invisible in ("\x1b", "\x00", "\u202e"):
        assert invisible not in text
    # Only the template's own headings: the card's "# Heading" never starts a line.
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        line for line in text.splitlines() if re.match(r"#+ (modelcheck|\w+|`)", line)
    ]
    assert not any(line.startswith("# Heading") for line in text.splitlines())


def test_hostile_text_cannot_add_table_cells(hostile_report: Report) -> None:
    text = to_markdown.render(hostile_report)
    for line in text.splitlines():
        if line.startswith("| "):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) - 2 in (2, 4, 5), line


def test_hostile_text_cannot_escape_the_mermaid_block(hostile_report: Report) -> None:
    text = to_markdown.render(hostile_report)
    block = text[text.index("```mermaid") : text.index("```", text.index("```mermaid") + 3)]
    for line in block.splitlines()[2:]:
        if "[" in line:
            label = line[line.index('["') + 2 : line.rindex('"]')]
            assert '"' not in label and "]" not in label
            assert "<" not in label.replace("<br/>", "")


def test_hostile_card_renders_to_safe_html(hostile_report: Report) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    html = md.render(to_markdown.render(hostile_report))
    assert "<img" not in html and "<script" not in html
    assert 'href="https://evil' not in html
    assert "<strong>bold</strong>" not in html
    assert html.count("<h1>") == 1
    assert "<h1>Heading" not in html


def test_hub_target_shows_revision_and_commit(report: Report) -> None:
    hub = replace(report, target="acme/m@v1", source_kind="hub", revision="v1", commit="a" * 40)
    text = to_markdown.render(hub)
    assert f"| Revision | `v1` at `{'a' * 40}` |" in text
    assert "| Target | `acme/m@v1` (hub) |" in text
    assert "| Revision |" not in to_markdown.render(report)


def test_a_file_name_cannot_start_a_heading_or_list(tmp_path) -> None:
    """A facts problem's message starts with the repo's own path; "## x/…" used to render
    as a heading (md escaped only one "#"), "1) x/…" as a list item."""
    from compliance.pipeline import AuditOptions, run_audit

    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# Model\n", "utf-8")
    for folder in ("## Pwned", "1) Pwned"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "adapter_config.json").write_text("[1]", "utf-8")
    text = to_markdown.render(run_audit(AuditOptions(target=str(tmp_path))))
    assert "#\\# Pwned/adapter_config.json: not a JSON object" in text
    assert "1\\) Pwned/adapter_config.json: not a JSON object" in text
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(text)
    assert "<h2>Pwned" not in html and "<li>Pwned" not in html


def test_never_green_while_something_is_not_checkable() -> None:
    from compliance.report import ObligationResult, ObligationState

    rep = Report(
        target=".", source_kind="local", model_name="org/m", model_name_source="card",
        declared_license="mrl", relation="finetune",
        obligations=[
            ObligationResult("mrl/license-file", "mrl", "Ship the licence", ObligationState.MET),
            ObligationResult(
                "mrl/research-only", "mrl", "Use for research only", ObligationState.NOT_CHECKABLE
            ),
        ],
    )
    text = to_markdown.render(rep)
    assert "✅" not in text.splitlines()[2]
    assert text.splitlines()[2].startswith(
        "⚠️ **0 obligations not met · 1 not checkable from the files · 1 met**"
    )
    assert "Not checkable from the files (check by hand): Use for research only" in text
    assert "No problems found" not in text and "Not compliant" not in text
