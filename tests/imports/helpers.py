"""Helpers shared by the import tests (tests/excel/test_import_*.py and tests/imports/)."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
from stdnum.iso7064 import mod_11_2

from volunteer.extensions import db
from volunteer.teams.models import Team

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 24)
SAMPLE_TEAMS = list(EXPECTED["teams"]["kinds"])


def id_number(birth: date = date(1990, 1, 5), serial: int = 123, area: str = "310104") -> str:
    """A valid resident ID number (GB 11643 check digit)."""
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + mod_11_2.calc_check_digit(body)


def years_ago(today: date, years: int, days: int = 0) -> date:
    """The date `years` years (and `days` days) before today (29 February -> 28)."""
    day = today.replace(year=today.year - years, day=min(today.day, 28))
    return date.fromordinal(day.toordinal() - days)


def workbook_bytes(sheets: dict[str, list[list]], setup=None) -> bytes:
    """An .xlsx from rows (None leaves a cell empty); text starting with '=' stays text."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(row=r, column=c, value=value)
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"
    if setup:
        setup(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(path: Path, sheets: dict[str, list[list]], setup=None) -> Path:
    path.write_bytes(workbook_bytes(sheets, setup))
    return path


def make_teams(*names: str, kind: str = "居委") -> dict[str, Team]:
    teams = {}
    for name in names:
        team = Team(name=name, kind=kind)
        db.session.add(team)
        teams[name] = team
    db.session.flush()
    return teams


def read_rows(data: bytes, sheet: int = 0) -> list[list]:
    """All rows of a workbook's sheet (values), for checking files the app wrote."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[sheet]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def errors_by_row(report: dict) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in report["errors"]:
        out.setdefault(e["row"], []).append((e["column"], e["message"]))
    return out


def warnings_by_row(report: dict) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in report["warnings"]:
        out.setdefault(e["row"], []).append((e["column"], e["message"]))
    return out
