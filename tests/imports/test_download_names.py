"""A Chinese download name keeps a readable plain filename= fallback (CONTRACT section 4)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from volunteer.web import readable_download_name


def disposition(name: str) -> str:
    response = Response(b"x")
    response.headers.set("Content-Disposition", "attachment", filename=name.encode("ascii", "ignore").decode() or "x",
                         **{"filename*": "UTF-8''" + quote(name)})
    return readable_download_name(response).headers["Content-Disposition"]


def test_chinese_name_gets_pinyin_fallback_and_keeps_filename_star():
    header = disposition("志愿者花名册_错误行.xlsx")
    assert 'filename="ZhiYuanZheHuaMingCe_CuoWuXing.xlsx"' in header
    assert "filename*=UTF-8''" + quote("志愿者花名册_错误行.xlsx") in header


def test_template_download_from_the_app(client, login_as):
    login_as("office")
    response = client.get("/imports/")
    links = [l for l in response.get_data(as_text=True).split('"') if "template" in l and l.startswith("/")]
    if links:
        header = client.get(links[0]).headers.get("Content-Disposition", "")
        plain = header.split("filename=", 1)[1].split(";")[0].strip('"')
        assert plain.endswith(".xlsx") and len(plain) > len(".xlsx") + 3 and plain.isascii()
