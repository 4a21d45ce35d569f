"""Shared hostile inputs and workbook builders."""
import io
from datetime import date

from hypothesis import strategies as st
from openpyxl import Workbook

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;"

NASTY = [
    "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", XSS, "<img src=x onerror=alert(1)>",
    "a\x00b", "\x00", "\u202eevil\u202c", "\u200f\u200e", "👩‍👩‍👧‍👦🎉", "\ufeff", "\u3000\u3000",
    "x" * 5000, "\r\n\t", "' OR 1=1 --", "../../etc/passwd", "\\\\server\\share", "ＡＢＣ１２３",
    "1E+17", "110105194912310021", "13912345678", "", " ", "None", "\x1b[31m", "\ud7ff", "𝕏",
]

# Text that openpyxl can store (no control chars it rejects) and generic text.
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300),
)
raw_value = st.one_of(nasty_text, st.none(), st.integers(min_value=-10**20, max_value=10**20),
                      st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                      st.dates(min_value=date(1, 1, 1)))


def xlsx(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cell_safe(value):
    """openpyxl refuses illegal XML characters; strip them (the value is still hostile)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value
