"""The pack written by the fast sheet path (excel/side_by_side.py) has the cells, types and formats
the XlsxWriter path (writer.write_workbook) gives the same rows: one pack run, its rows tee'd."""
import io
from datetime import date, datetime

import openpyxl

from tests.factories import make_activity, make_record, make_user, make_volunteer
from volunteer.excel import side_by_side
from volunteer.excel.writer import SheetSpec, write_workbook
from volunteer.extensions import db
from volunteer.hours.services import correct_record
from volunteer.national import pack
from volunteer.national.pack import create_batch

PAST = date(2025, 6, 1)
NOW = datetime(2025, 7, 1, 12, 0)


class _Tee(side_by_side.open_sheets):
    """The pack's own writer, also keeping every row for the reference workbook."""
    made: list = []  # each pack's book, in order

    def __enter__(self):
        book = super().__enter__()
        self.kept = [(spec, []) for spec in self.specs]
        for sheet, (_spec, rows) in zip(self.sheets, self.kept):
            self._keep(sheet, rows)
        _Tee.made.append(self)
        return book

    def _keep(self, sheet, rows):
        append = sheet.append
        sheet.append = lambda values: (rows.append(list(values)), append(values))

    def add(self, spec):
        sheet = super().add(spec)
        self.kept.append((spec, []))
        self._keep(sheet, self.kept[-1][1])
        return sheet


def _cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [(ws.title, ws.freeze_panes, ws.auto_filter.ref,
             {k: round(d.width, 2) for k, d in ws.column_dimensions.items()},
             [[(c.value, c.data_type, c.number_format, c.font.b) for c in r] for r in ws.iter_rows()])
            for ws in wb.worksheets]


def test_pack_cells_equal_the_xlsxwriter_path(app, tmp_path, monkeypatch):
    monkeypatch.setattr(pack, "open_sheets", _Tee)
    monkeypatch.setattr(_Tee, "made", [])
    office = make_user("office")
    person = make_volunteer(name="张三", skills="驾驶、摄影", national_no="0012345")
    make_volunteer(name="无记录")
    activity = make_activity(title="社区清洁", service_date=PAST, start_time="09:00", end_time="11:30")
    corrected = make_record(activity, person, minutes=150, note="=1+2")
    make_record(make_activity(title="重叠", service_date=PAST, start_time="10:00", end_time="12:00"), person,
                minutes=60)  # overlaps the first: 不能导出
    make_record(make_activity(title="夜", service_date=PAST, start_time="22:00", end_time="02:00"), minutes=30)
    with open(tmp_path / "1.xlsx", "w+b") as f:
        create_batch(None, f, now_local=NOW)
    correct_record(office, corrected, 120, "多记了半小时")
    db.session.commit()
    with open(tmp_path / "2.xlsx", "w+b") as f:
        batch = create_batch(None, f, since_last=True, now_local=NOW)
    db.session.commit()

    for n, tee in enumerate(_Tee.made, 1):
        reference = io.BytesIO()
        write_workbook(reference, [SheetSpec(s.title, s.header, rows, s.text_columns, s.widths)
                                   for s, rows in tee.kept])
        made = _cells((tmp_path / f"{n}.xlsx").read_bytes())
        assert made == _cells(reference.getvalue())
        assert [sheet[0] for sheet in made][:3] == ["志愿者", "服务时长", "不能导出"]
    assert [sheet[0] for sheet in made] == ["志愿者", "服务时长", "不能导出", "变更"] and batch.changes == 1
    hours = made[1][4]
    assert hours[1][1] == (person.id_number, "s", "@", False) and hours[1][5][1:3] == ("d", "yyyy-mm-dd hh:mm")
    assert hours[1][7] == (2, "n", "General", False)
