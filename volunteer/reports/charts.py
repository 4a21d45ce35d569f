"""Server-side SVG charts for the reports page: no JavaScript, no chart library, no CDN.

Each function returns Markup holding one <svg> that scales to its container's width (viewBox,
width 100%, aspect ratio kept). The viewBox is narrow (480 units) so that text stays legible
when a phone shrinks the chart. Every bar carries a <title> (the exact figure on hover or long
press) and the chart an aria-label; the same figures are always in a table beside it.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

WIDTH = 480
FONT = 'font-family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"'
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"


def _fmt(value: float) -> str:
    """12.0 -> '12', 2.5 -> '2.5', 1234.25 -> '1234.25'."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _compact(value: float) -> str:
    """Short figures for labels: 63999.5 -> '6.4万', 1234.56 -> '1234.6', 12 -> '12'."""
    if abs(value) >= 10000:
        return f"{value / 10000:.1f}".rstrip("0").rstrip(".") + "万"
    if abs(value) >= 100:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return _fmt(value)


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """0 and round steps (1, 2, 2.5, 5 x 10^k) reaching at least `maximum`."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1 and float(maximum).is_integer() and maximum >= 1:
        step = 1
    ticks, value = [0.0], 0.0
    while value < maximum - 1e-9:
        value = round(value + step, 10)
        ticks.append(value)
    return ticks


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(height: int, title: str, body: list[str]) -> Markup:
    t = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{t}" {FONT}>'
        f"<title>{t}</title>" + "".join(body) + "</svg>"
    )


def _empty(title: str) -> Markup:
    return _svg(80, title, [f'<text x="{WIDTH / 2}" y="45" text-anchor="middle" font-size="14" fill="{MUTED}">暂无数据</text>'])


def column_chart(points: list[tuple[str, float]], *, title: str, unit: str = "", color: str = "#c0392b",
                 height: int = 240) -> Markup:
    """Vertical columns, one per point (months), with a value axis.

    `points` is [(label, value)]; labels are thinned out when there are many columns.
    """
    if not points or not any(v for _, v in points):
        return _empty(title)
    left, right, top, bottom = 44, 8, 22, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    ticks = nice_ticks(max(v for _, v in points))
    top_value = ticks[-1]
    body = [f'<text x="4" y="12" font-size="12" fill="{MUTED}">{escape(unit)}</text>' if unit else ""]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / top_value
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" fill="{MUTED}">{_compact(tick)}</text>')
    n = len(points)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 40), 1.5)
    every = max(1, math.ceil(n / 12))
    labels = [_compact(v) for _, v in points]
    # Figures above the columns only when they fit (about 6.5 units a character at 11 px).
    show_values = n <= 12 and max(len(t) for t in labels) * 6.5 <= slot
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top_value
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        tip = f"{label}：{_fmt(value)}{unit}"
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}" rx="2">'
                    f"<title>{escape(tip)}</title></rect>")
        if show_values and value:
            body.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                        f'fill="{TEXT}">{labels[i]}</text>')
        if i % every == 0:
            body.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{height - 10}" font-size="12" '
                        f'text-anchor="middle" fill="{TEXT}">{escape(label)}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    return _svg(height, title, body)


def bar_chart(items: list[tuple[str, float]], *, title: str, unit: str = "", color: str = "#c0392b",
              limit: int = 20) -> Markup:
    """Horizontal bars, largest first (categories, teams ranked), at most `limit` of them."""
    items = sorted(((label, value) for label, value in items if value), key=lambda x: -x[1])[:limit]
    if not items:
        return _empty(title)
    row, top, label_w, value_w = 26, 8, 150, 64
    height = top * 2 + row * len(items)
    bar_area = WIDTH - label_w - value_w
    biggest = items[0][1]
    body = []
    for i, (label, value) in enumerate(items):
        y = top + row * i
        w = max(bar_area * value / biggest, 1.5)
        tip = f"{label}：{_fmt(value)}{unit}"
        body.append(f'<text x="{label_w - 8}" y="{y + row / 2 + 4:.1f}" font-size="13" text-anchor="end" '
                    f'fill="{TEXT}">{escape(_short(label, 11))}<title>{escape(label)}</title></text>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{color}" rx="2">'
                    f"<title>{escape(tip)}</title></rect>")
        body.append(f'<text x="{label_w + w + 6:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" fill="{TEXT}">'
                    f"{_compact(value)}</text>")
    return _svg(height, title, body)


def month_label(month: str, same_year: bool) -> str:
    """'2026-03' -> '3月' within one year, else '26-03'."""
    year, m = month.split("-")
    return f"{int(m)}月" if same_year else f"{year[2:]}-{m}"
