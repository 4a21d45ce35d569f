"""Download names that say what a file holds: kind, period, status and every other filter
(`服务时长_2026-11_待审核.xlsx`), so two different exports never share a name. A file whose
period is open-ended is a snapshot, so its name carries the day it was taken (截至YYYYMMDD)."""
from __future__ import annotations

import re
from datetime import date

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def period_text(*, month: str | None = None, date_from: date | None = None, date_to: date | None = None,
                today: date) -> str:
    """'2026-11', '2026-11-01至2026-11-30', '2026-11-01起', '至2026-11-30' or '截至20261206'."""
    parts = [month] if month else []
    if date_from and date_to:
        parts.append(f"{date_from:%Y-%m-%d}至{date_to:%Y-%m-%d}")
    elif date_from:
        parts.append(f"{date_from:%Y-%m-%d}起")
    elif date_to:
        parts.append(f"至{date_to:%Y-%m-%d}")
    return "_".join(parts) or f"截至{today:%Y%m%d}"


def export_name(kind: str, period: str, status: str | None, *qualifiers: str | None) -> str:
    """'<kind>_<period>_<status or 全部状态>[_<qualifier>...].xlsx', each part made safe for a
    file name (no path separators or spaces); empty qualifiers are left out."""
    parts = [kind, period, status or "全部状态", *[q for q in qualifiers if q]]
    return "_".join(_UNSAFE.sub("-", p).strip("-") for p in parts) + ".xlsx"
