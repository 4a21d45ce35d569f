"""Shared helpers for models: the one clock, in naive UTC (shown in Beijing time by a filter)."""
from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today_local() -> date:
    """Today's date in Beijing time: ages, registration dates and 'future' checks use it."""
    return datetime.now(CHINA_TZ).date()
