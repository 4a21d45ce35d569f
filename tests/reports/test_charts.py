"""The server-side SVG charts: plain markup, escaped labels, sensible axes."""
from volunteer.reports import charts


def test_nice_ticks():
    assert charts.nice_ticks(6) == [0, 2, 4, 6]
    assert charts.nice_ticks(70281) == [0, 20000, 40000, 60000, 80000]
    assert charts.nice_ticks(0.5)[-1] >= 0.5
    assert charts.nice_ticks(0) == [0, 1]


def test_column_chart_is_escaped_svg_with_titles():
    svg = str(charts.column_chart([("1月", 1.5), ("<b>", 6)], title="服务时长", unit="小时"))
    assert svg.startswith("<svg") and svg.endswith("</svg>") and 'role="img"' in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert svg.count("<rect") == 2 and "1月：1.5小时" in svg
    assert "<script" not in svg


def test_big_figures_are_compact_and_only_shown_when_they_fit():
    svg = str(charts.column_chart([(f"{m}月", 63999.5) for m in range(1, 13)], title="t"))
    assert "6.4万" in svg and ">63999.5<" not in svg and "63999.5" in svg  # exact figure kept in the tooltip


def test_empty_and_bar_limit():
    assert "暂无数据" in str(charts.column_chart([("1月", 0)], title="t"))
    assert "暂无数据" in str(charts.bar_chart([], title="t"))
    svg = str(charts.bar_chart([(f"队伍{i}", i + 1) for i in range(30)], title="t", limit=20))
    assert svg.count("<rect") == 20 and "队伍29" in svg and "队伍9<" not in svg
    assert "…" in str(charts.bar_chart([("一个名字非常非常长的志愿服务队", 3)], title="t"))


def test_month_labels():
    assert charts.month_label("2026-03", True) == "3月" and charts.month_label("2026-03", False) == "26-03"
