"""`modelcheck scan report`: Markdown (with Mermaid charts), single-file HTML (sortable
tables, inline SVG bars), JSON and CSV. Repo ids, licences and reasons come from the
Hub and are untrusted: escaped for each format. Parquet (binary, the CSV's columns) is
`report_parquet`.
"""

from __future__ import annotations

import csv
import html
import json
from typing import Any, TextIO

from compliance.errors import ConfigError
from compliance.reporters.escape import clean, code, md, mermaid
from compliance.scan.store import Store
from compliance.scan.summary import Summary, repos, summarize

HUB = "https://huggingface.co/"
CSV_FIELDS = (
    "repo_id",
    "commit",
    "status",
    "reason",
    "compliant",
    "declared_license",
    "inherited_licenses",
    "relation",
    "errors",
    "warnings",
    "rule_ids",
    "categories",
)


def render(store: Store, fmt: str, out: TextIO, *, top: int = 20) -> None:
    if fmt == "csv":
        _csv(store, out)
    elif fmt == "json":
        _json(store, summarize(store, top=top), out)
    elif fmt == "markdown":
        out.write(markdown(summarize(store, top=top)))
    elif fmt == "html":
        out.write(to_html(summarize(store, top=top)))
    else:
        raise ConfigError(f"--format must be markdown, html, json or csv (got {fmt!r})")


# ------------------------------------------------------------------ JSON, CSV


def _json(store: Store, summary: Summary, out: TextIO) -> None:
    """{"summary": {...}, "repos": [...]}, the repos streamed one at a time."""
    out.write('{"summary": ')
    json.dump(summary.as_dict(), out, indent=1, sort_keys=True)
    out.write(', "repos": [')
    for n, repo in enumerate(repos(store)):
        out.write(",\n" if n else "\n")
        json.dump(repo, out, sort_keys=True)
    out.write("\n]}\n")


def _csv(store: Store, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for repo in repos(store):
        row = []
        for name in CSV_FIELDS:
            value = repo[name]
            if isinstance(value, list):
                value = " ".join(value)
            elif value is None:
                value = ""
            row.append(_csv_safe(str(value)))
        writer.writerow(row)


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# ------------------------------------------------------------------ Markdown


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "n/a"


def markdown(s: Summary) -> str:
    lines = ["# Model family scan", ""]
    lines.append(
        f"**{s.repos}** repos scanned; **{s.audited}** audited, of which "
        f"**{s.compliant}** ({_pct(s.compliant, s.audited)}) have no error finding; "
        f"**{s.not_audited_total}** could not be audited (gated, private, missing or failing)."
    )
    lines.append("")
    lines.append(
        "Compliant means no unwaived error (what `modelcheck audit --fail-on error` passes);"
        " findings are evidence to review, not verdicts."
    )
    lines += ["", "## Status", "", "```mermaid", "pie showData title Repos by status"]
    lines += [f'    "{mermaid(k)}" : {v}' for k, v in sorted(s.by_status.items())]
    lines += ["```", "", "| status | repos |", "|---|---:|"]
    lines += [f"| {md(k)} | {v} |" for k, v in sorted(s.by_status.items())]
    lines += ["", "## Findings by category", ""]
    if s.categories:
        lines += ["```mermaid", "pie showData title Audited repos with a finding, by category"]
        lines += [f'    "{mermaid(c)}" : {n}' for c, n in s.categories]
        lines += ["```", ""]
    lines += ["| category | repos | share of audited |", "|---|---:|---:|"]
    lines += [f"| {md(c)} | {n} | {_pct(n, s.audited)} |" for c, n in s.categories]
    lines += ["", "## Findings by rule", "", "| rule | category | severity | repos |"]
    lines += ["|---|---|---|---:|"]
    lines += [f"| {code(r, table=True)} | {md(c)} | {md(sev)} | {n} |" for r, c, sev, n in s.rules]
    lines += ["", "## Declared licence vs inherited licence", ""]
    flows = [(d, i, n) for d, i, n in s.licences]
    if flows:
        lines += ["```mermaid", "sankey-beta"]
        lines += [
            f"{_sankey(f'inherited {i}')},{_sankey(f'declared {d}')},{n}" for d, i, n in flows
        ]
        lines += ["```", ""]
    lines += ["| declared | inherited (ancestors) | repos |", "|---|---|---:|"]
    lines += [f"| {md(d)} | {md(i)} | {n} |" for d, i, n in flows]
    lines += ["", "## Worst offenders", ""]
    if s.worst:
        lines += [
            "| repo | errors | warnings | declared | error rules |",
            "|---|---:|---:|---|---|",
        ]
        for w in s.worst:
            link = f"[{md(w['repo_id'])}]({HUB}{_url_path(w['repo_id'])})"
            rules = ", ".join(code(r, table=True) for r in w["rules"])
            lines.append(
                f"| {link} | {w['errors']} | {w['warnings']} | "
                f"{md(w['declared_license'] or '(none)')} | {rules} |"
            )
    else:
        lines.append("None: no audited repo has an error finding.")
    lines += ["", "## Could not be audited", ""]
    if s.not_audited:
        lines += ["| repo | status | why |", "|---|---|---|"]
        lines += [f"| {md(r)} | {md(st)} | {md(why, 200)} |" for r, st, why in s.not_audited]
        if s.not_audited_total > len(s.not_audited):
            lines.append(
                f"\n…and {s.not_audited_total - len(s.not_audited)} more (`--format csv`)."
            )
    else:
        lines.append("Every repo was audited.")
    lines += [
        "",
        f"modelcheck {', '.join(map(md, s.tool_versions))}; "
        f"rules digest {', '.join(map(md, s.rules_digests))}.",
        "",
    ]
    return "\n".join(lines)


def _sankey(label: str) -> str:
    """A sankey-beta CSV field: quoted, inner quotes doubled, nothing but label text."""
    return '"' + clean(label, 80).replace('"', '""') + '"'


def _url_path(repo_id: str) -> str:
    from urllib.parse import quote

    return quote(clean(repo_id, 200), safe="/")


# ------------------------------------------------------------------ HTML


def _e(text: Any) -> str:
    return html.escape(clean(text, 300), quote=True)


def _table(tid: str, head: list[tuple[str, bool]], rows: list[list[Any]]) -> str:
    """A sortable table: each header cell sorts by its column (numbers numerically)."""
    out = [f'<table id="{tid}" class="sortable"><thead><tr>']
    out += [
        f'<th data-numeric="{"1" if numeric else "0"}" tabindex="0">{_e(h)}</th>'
        for h, numeric in head
    ]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _bars(items: list[tuple[str, int]], total: int) -> str:
    if not items:
        return ""
    width, bar_h = 640, 22
    biggest = max(n for _, n in items) or 1
    parts = [
        f'<svg class="bars" role="img" width="{width}" height="{bar_h * len(items) + 4}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, n) in enumerate(items):
        w = int((width - 260) * n / biggest)
        y = i * bar_h + 2
        parts.append(
            f'<text x="0" y="{y + 15}">{_e(label)}</text>'
            f'<rect x="220" y="{y + 3}" width="{w}" height="{bar_h - 6}"></rect>'
            f'<text x="{226 + w}" y="{y + 15}">{n} ({_pct(n, total)})</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
svg.bars text{font-size:13px}svg.bars rect{fill:#4a78b0}
code{font-size:90%}
"""

_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    function sort() {
      var numeric = th.dataset.numeric === "1";
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
        var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
  });
});
"""


def to_html(s: Summary) -> str:

    def link(repo: str) -> str:
        return f'<a href="{_e(HUB + _url_path(repo))}">{_e(repo)}</a>'

    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        f"<title>Model family scan</title><style>{_STYLE}</style></head><body>",
        "<h1>Model family scan</h1>",
        f'<p id="headline"><b>{s.repos}</b> repos scanned; <b>{s.audited}</b> audited, of '
        f"which <b>{s.compliant}</b> ({_pct(s.compliant, s.audited)}) have no error finding; "
        f"<b>{s.not_audited_total}</b> could not be audited.</p>",
        "<h2>Status</h2>",
        _bars(sorted(s.by_status.items()), s.repos),
        _table(
            "status",
            [("status", False), ("repos", True)],
            [[_e(k), v] for k, v in sorted(s.by_status.items())],
        ),
        "<h2>Findings by category</h2>",
        _bars(s.categories, s.audited),
        _table(
            "categories",
            [("category", False), ("repos", True), ("share of audited", True)],
            [[_e(c), n, _pct(n, s.audited)] for c, n in s.categories],
        ),
        "<h2>Findings by rule</h2>",
        _table(
            "rules",
            [("rule", False), ("category", False), ("severity", False), ("repos", True)],
            [[f"<code>{_e(r)}</code>", _e(c), _e(sev), n] for r, c, sev, n in s.rules],
        ),
        "<h2>Declared licence vs inherited licence</h2>",
        _table(
            "licences",
            [("declared", False), ("inherited (ancestors)", False), ("repos", True)],
            [[_e(d), _e(i), n] for d, i, n in s.licences],
        ),
        "<h2>Worst offenders</h2>",
        _table(
            "worst",
            [
                ("repo", False),
                ("errors", True),
                ("warnings", True),
                ("declared", False),
                ("error rules", False),
            ],
            [
                [
                    link(w["repo_id"]),
                    w["errors"],
                    w["warnings"],
                    _e(w["declared_license"] or "(none)"),
                    " ".join(f"<code>{_e(r)}</code>" for r in w["rules"]),
                ]
                for w in s.worst
            ],
        ),
        "<h2>Could not be audited</h2>",
        _table(
            "not-audited",
            [("repo", False), ("status", False), ("why", False)],
            [[_e(r), _e(st), _e(why)] for r, st, why in s.not_audited],
        ),
        f"<p>modelcheck {_e(', '.join(s.tool_versions))}; rules digest "
        f"{_e(', '.join(s.rules_digests))}.</p>",
        f"<script>{_SCRIPT}</script></body></html>\n",
    ]
    return "\n".join(parts)
