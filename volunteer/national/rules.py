"""What the national hours form refuses (CONTRACT section 10): the one home of those rules.

全国志愿服务信息系统 takes a service record as a start and an end date-time on one day, with a
duration above zero, not in the future, and not overlapping another record of the same person.
A record here takes its activity's date and times (records carry minutes, not times), so:

* ``span(day, start, end)`` gives the full date-times, or the reason there are none;
* ``refusal(...)`` the reason a record would be refused on its own (None when it would pass);
* ``Overlaps`` keeps the intervals accepted so far for one volunteer and names the record a
  new one collides with.  The national system keeps what it received first, so records
  already delivered unchanged are placed before new ones (``national.pack`` does that).
"""
from __future__ import annotations

from datetime import date, datetime, time

REASONS = {
    "no_times": "活动没有开始和结束时间（全国系统要求填写开始、结束时间）",
    "two_days": "开始和结束不在同一天（结束时间不晚于开始时间）",
    "future": "服务时间在将来（全国系统不接受尚未结束的服务）",
    "zero": "时长为 0",
    "overlap": "与该志愿者的另一条记录时间重叠",
}


def _clock(text: str | None) -> time | None:
    """'HH:MM' -> time; None for empty or malformed text (then the record has no times)."""
    if not text:
        return None
    try:
        hours, minutes = (int(part) for part in text.strip().split(":")[:2])
        return time(hours, minutes)
    except (TypeError, ValueError):
        return None


def span(day: date, start: str | None, end: str | None) -> tuple[datetime | None, datetime | None, str | None]:
    """(start_at, end_at, reason): the activity's times on its day, Beijing wall-clock.

    Both times are needed; an end not after the start means the service ran past midnight,
    which the national form (one day per record) cannot take.
    """
    begin, finish = _clock(start), _clock(end)
    if begin is None or finish is None:
        return None, None, "no_times"
    start_at, end_at = datetime.combine(day, begin), datetime.combine(day, finish)
    if end_at <= start_at:
        return start_at, end_at, "two_days"
    return start_at, end_at, None


def refusal(start_at: datetime | None, end_at: datetime | None, span_reason: str | None, minutes: int,
            now_local: datetime) -> str | None:
    """The key in REASONS a record is refused for on its own, or None.  ``now_local`` is the
    Beijing wall-clock now (naive, like the times)."""
    if span_reason:
        return span_reason
    if end_at > now_local:
        return "future"
    if not minutes or minutes <= 0:
        return "zero"
    return None


class Overlaps:
    """The intervals already accepted for one volunteer (a handful: one person's records)."""

    def __init__(self) -> None:
        self.accepted: list[tuple[datetime, datetime, object]] = []

    def clash(self, start_at: datetime, end_at: datetime):
        """(what was accepted, its start, its end) of a record overlapping [start_at, end_at), or None."""
        for other_start, other_end, what in self.accepted:
            if start_at < other_end and other_start < end_at:
                return what, other_start, other_end
        return None

    def accept(self, start_at: datetime, end_at: datetime, what) -> None:
        self.accepted.append((start_at, end_at, what))


def reason_text(key: str, clash_label: str | None = None) -> str:
    """The Chinese reason written in 不能导出."""
    text = REASONS[key]
    return f"{text}：{clash_label}" if clash_label else text
