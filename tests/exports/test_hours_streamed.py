"""The hours export is sent while it is written (issue 18): the response is a stream, its name
the same Chinese one, and its workbook the one `export hours` writes for the same records."""
import io
from urllib.parse import quote

import openpyxl

from tests import factories as f
from volunteer.excel import exporters
from volunteer.extensions import db


def _values(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def test_the_download_streams_the_file_the_command_writes(client, login_as):
    team = f.make_team("虹桥居委志愿服务队")
    activity = f.make_activity(team, "清洁家园 & <绿化>", start_time="09:00", end_time="11:30")
    for i in range(30):
        f.make_record(activity, f.make_volunteer(f"志愿者{i:02d}", teams=[team]), minutes=30 + i,
                      status="pending" if i % 3 else "approved")
    db.session.commit()
    login_as("office")
    response = client.get("/exports/hours?month=2026-03", buffered=False)
    assert response.is_streamed and response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" + quote("服务时长_2026-03") in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    streamed = b"".join(response.response)
    response.close()
    written = io.BytesIO()
    assert exporters.export_hours(None, written, filters={"month": "2026-03"}) == 30
    assert _values(streamed) == _values(written.getvalue())
    assert len(_values(streamed)["服务时长"]) == 31
