"""Fixtures for the Excel layer tests: the shared samples and workbook factories."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.imports.helpers import workbook_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def make_xlsx(tmp_path):
    """Build an .xlsx with openpyxl: ``make_xlsx({"title": rows, ...}, setup=fn)``.

    ``rows`` is a list of row lists written from A1 (``None`` leaves a cell
    empty); ``setup(workbook)`` may then style/merge/hide.  Returns the path.
    """
    counter = iter(range(1000))

    def make(sheets: dict[str, list[list]], setup=None) -> Path:
        path = tmp_path / f"book{next(counter)}.xlsx"
        path.write_bytes(workbook_bytes(sheets, setup))
        return path

    return make


@pytest.fixture
def replace_member():
    """Copy an .xlsx (bytes), replacing or adding members: ``fn(data, {name: bytes})``."""

    def replace(data: bytes, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
            for info in src.infolist():
                if info.filename not in members:
                    dst.writestr(info.filename, src.read(info.filename))
            for name, payload in members.items():
                dst.writestr(name, payload)
        return out.getvalue()

    return replace
