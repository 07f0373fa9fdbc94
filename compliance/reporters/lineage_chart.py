"""A plain-SVG chart of one comparison (no matplotlib): one panel per per-layer statistic
(aligned cosine, matched-neuron cosine, fraction of MoE expert neurons above the
background), each on its own axis with its own null band and labelled with what it
measures, then the σ-curves (per-layer std of q/k/v/o, z-scored) of both models."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

W, PANEL_H, PAD_L, PAD_R, PAD_T, PAD_B = 780, 230, 56, 200, 34, 34  # PAD_R: legend room
COLOURS = {"aligned_cosine": "#1f77b4", "neuron_matching": "#d62728", "moe_upcycling": "#9467bd"}
COLOURS["gram_layers"] = "#2ca02c"
LABELS = {
    "aligned_cosine": "aligned cosine",
    "neuron_matching": "matched-neuron cosine",
    "moe_upcycling": "expert neurons above background",
    "gram_layers": "row-Gram correlation (rotation-invariant)",
}
# (panel title, y-axis label) per statistic: never a fraction under a "cosine" axis
AXES = {
    "aligned_cosine": ("Aligned cosine per layer (suspect vs candidate)", "cosine"),
    "neuron_matching": ("Matched-neuron cosine per layer", "cosine"),
    "moe_upcycling": (
        "MoE: fraction of expert neurons whose best dense match exceeds the background max",
        "fraction of neurons",
    ),
    "gram_layers": (
        "Rotation-invariant row-Gram correlation per layer (q/k/v/gate/up)",
        "Pearson r",
    ),
}


def escape(text: str) -> str:
    """&, < and > as entities, as xml.sax.saxutils.escape does (importing that module
    pulls in urllib and http.client: ~40 ms of the lineage command's start)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v and abs(v) != float("inf") else None


class _Panel:
    def __init__(self, top: float, xs: Sequence[float], lo: float, hi: float) -> None:
        self.top = top
        self.x0, self.x1 = PAD_L, W - PAD_R
        self.y0, self.y1 = top + PAD_T, top + PANEL_H - PAD_B
        self.xmin, self.xmax = (min(xs), max(xs)) if xs else (0.0, 1.0)
        if self.xmax == self.xmin:
            self.xmax = self.xmin + 1
        self.lo, self.hi = lo, hi if hi > lo else lo + 1

    def x(self, v: float) -> float:
        return self.x0 + (v - self.xmin) / (self.xmax - self.xmin) * (self.x1 - self.x0)

    def y(self, v: float) -> float:
        return self.y1 - (v - self.lo) / (self.hi - self.lo) * (self.y1 - self.y0)

    def frame(self, title: str, ylabel: str) -> list[str]:
        out = [
            f'<text x="{self.x0}" y="{self.top + 20}" font-size="14" font-weight="bold">'
            f"{escape(title)}</text>",
            f'<rect x="{self.x0}" y="{self.y0}" width="{self.x1 - self.x0}" '
            f'height="{self.y1 - self.y0}" fill="none" stroke="#888"/>',
            f'<text x="{self.x0 - 44}" y="{(self.y0 + self.y1) / 2:.1f}" font-size="11" '
            f'transform="rotate(-90 {self.x0 - 44} {(self.y0 + self.y1) / 2:.1f})" '
            f'text-anchor="middle">{escape(ylabel)}</text>',
            f'<text x="{(self.x0 + self.x1) / 2:.1f}" y="{self.y1 + 28}" font-size="11" '
            f'text-anchor="middle">layer</text>',
        ]
        for v in (self.lo, (self.lo + self.hi) / 2, self.hi):
            out.append(
                f'<text x="{self.x0 - 6}" y="{self.y(v) + 4:.1f}" font-size="10" '
                f'text-anchor="end">{v:.2f}</text>'
            )
        step = max(1, math.ceil((self.xmax - self.xmin) / 8))  # at most ~9 layer ticks
        ticks = set(range(int(self.xmin), int(self.xmax) + 1, step)) | {int(self.xmax)}
        for v in sorted(ticks):
            out.append(
                f'<text x="{self.x(v):.1f}" y="{self.y1 + 14}" font-size="10" '
                f'text-anchor="middle">{int(v)}</text>'
            )
        if self.lo < 0 < self.hi:
            out.append(
                f'<line x1="{self.x0}" x2="{self.x1}" y1="{self.y(0):.1f}" y2="{self.y(0):.1f}" '
                f'stroke="#bbb" stroke-dasharray="3,3"/>'
            )
        return out

    def line(self, pts: list[tuple[float, float]], colour: str, dash: str = "") -> str:
        d = " ".join(f"{self.x(a):.1f},{self.y(b):.1f}" for a, b in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        dots = "".join(
            f'<circle cx="{self.x(a):.1f}" cy="{self.y(b):.1f}" r="2.2" fill="{colour}"/>'
            for a, b in pts
        )
        return (
            f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.6"{extra}/>'
            + dots
        )

    def band(self, pts: list[tuple[float, float, float]], colour: str) -> str:
        upper = [f"{self.x(a):.1f},{self.y(hi):.1f}" for a, _lo, hi in pts]
        lower = [f"{self.x(a):.1f},{self.y(lo):.1f}" for a, lo, _hi in reversed(pts)]
        return (
            f'<polygon points="{" ".join(upper + lower)}" fill="{colour}" '
            f'fill-opacity="0.15" stroke="none"/>'
        )

    def legend(self, i: int, colour: str, text: str, dash: str = "") -> str:
        y = self.y0 + 14 + 16 * i
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line x1="{self.x1 + 10}" x2="{self.x1 + 28}" y1="{y - 4}" y2="{y - 4}" '
            f'stroke="{colour}" stroke-width="2"{extra}/>'
            f'<text x="{self.x1 + 32}" y="{y}" font-size="10">{escape(text)}</text>'
        )


def _series(sig: Any) -> list[tuple[float, float, float | None, float | None]]:
    pts = []
    for row in getattr(sig, "per_layer", ()) or ():
        layer, val = _num(row.get("layer")), _num(row.get("value"))
        if layer is None or val is None:
            continue
        pts.append((layer, val, _num(row.get("null_lo")), _num(row.get("null_hi"))))
    return sorted(pts)


def _stat_panel(top: float, name: str, pts: list[Any], sig: Any) -> list[str]:
    title, ylabel = AXES[name]
    vals = [v for p in pts for v in (p[1], p[2], p[3]) if v is not None]
    threshold = None
    if name == "moe_upcycling":
        threshold = _num(((sig.details or {}).get("thresholds") or {}).get("min_fraction"))
        lo, hi = 0.0, 1.0
    else:
        lo, hi = min([-0.1, *vals]), max([1.0, *vals])
    panel = _Panel(top, [p[0] for p in pts], lo, hi)
    out = panel.frame(title, ylabel)
    colour = COLOURS[name]
    band = [(a, lo_, hi_) for a, _v, lo_, hi_ in pts if lo_ is not None and hi_ is not None]
    if band:
        out.append(panel.band(band, colour))
    out.append(panel.line([(a, v) for a, v, _l, _h in pts], colour))
    out.append(panel.legend(0, colour, LABELS[name]))
    out.append(panel.legend(1, "#999", "shaded: this statistic's null band"))
    if threshold is not None:
        y = panel.y(threshold)
        out.append(
            f'<line x1="{panel.x0}" x2="{panel.x1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#555" '
            'stroke-dasharray="6,3"/>'
        )
        out.append(panel.legend(2, "#555", f"decisive threshold {threshold:.2f}", "6,3"))
    return out


def render_svg(comparison: Any) -> str:
    """SVG text for a `LineageComparison`: a panel per computable per-layer statistic (or
    one saying none could be computed) and the σ-curve panel."""
    series = {
        name: _series(comparison.signal(name))
        for name in ("aligned_cosine", "neuron_matching", "moe_upcycling", "gram_layers")
        if comparison.signal(name) is not None
        and getattr(comparison.signal(name), "computable", False)
    }
    series = {k: v for k, v in series.items() if v}
    sigma = comparison.signal("sigma_curve")
    sig_pts = _series(sigma) if sigma is not None and sigma.computable else []
    sig_cand = [
        (float(r["layer"]), float(r["candidate"]))
        for r in (sigma.per_layer if sig_pts else ())
        if _num(r.get("candidate")) is not None
    ]
    title = f"{comparison.suspect.label} vs {comparison.candidate.label}"
    n_panels = max(1, len(series)) + 1
    height = n_panels * PANEL_H + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" '
        f'viewBox="0 0 {W} {height}" font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{PAD_L}" y="18" font-size="12" fill="#444">{escape(title)}</text>',
    ]
    top = 20.0
    if not series:
        p1 = _Panel(top, [], -0.1, 1.0)
        out += p1.frame("Per-layer similarity (suspect vs candidate)", "cosine")
        out.append(
            f'<text x="{p1.x0 + 10}" y="{p1.y0 + 20}" font-size="12">no per-layer '
            "similarity could be computed</text>"
        )
        top += PANEL_H
    for name, pts in series.items():
        out += _stat_panel(top, name, pts, comparison.signal(name))
        top += PANEL_H
    # last panel: sigma curves of both models (context only)
    sv = [v for _a, v, _l, _h in sig_pts] + [v for _a, v in sig_cand]
    p2 = _Panel(top, [p[0] for p in sig_pts], min([-2.0, *sv]), max([2.0, *sv]))
    out += p2.frame("Per-layer σ of q/k/v/o, z-scored (context only)", "z")
    if sig_pts:
        out.append(p2.line([(a, v) for a, v, _l, _h in sig_pts], "#1f77b4"))
        out.append(p2.legend(0, "#1f77b4", "suspect"))
        if sig_cand:
            out.append(p2.line(sig_cand, "#ff7f0e", "5,3"))
            out.append(p2.legend(1, "#ff7f0e", "candidate", "5,3"))
        r = _num(sigma.value)
        if r is not None:  # never a bare r: its null band beside it (lineage.md §5.4)
            out.append(p2.legend(2, "white", f"r = {r:.3f} (context only)"))
            p99 = _num((sigma.details or {}).get("null_p99"))
            if p99 is not None:
                out.append(p2.legend(3, "white", f"null 99th percentile {p99:.3f}"))
    else:
        out.append(
            f'<text x="{p2.x0 + 10}" y="{p2.y0 + 20}" font-size="12">σ-curves not computable</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
