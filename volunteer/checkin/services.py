"""On-site check-in (CONTRACT.md section 8): sign in, sign out, 代签, 统一签退, missed sign-outs.

Server time only; an activity's day is its calendar day in Beijing time whatever the server's
zone. Signing in opens `minutes_before` (office setting, default 60) before the start, or at the
day's start when the activity has no start time, and closes at the end of the day. A pair's
minutes run from sign-in to sign-out, clipped to the activity's start-end when both are set,
rounded down to the office's unit (1, 15 or 30); the record is the sum of the pairs (24 h at
most), written through hours.services.record_checkin_minutes, so month locks, the one live
record per volunteer and activity, and the audit log hold as everywhere. Services flush, never
commit, and audit every change.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only, noload, selectinload

from ..activities.models import Activity, ActivitySignup
from ..audit.services import record
from ..errors import ServiceError
from ..permissions import within_scope
from ..extensions import db
from ..i18n import marked
from ..hours.services import record_checkin_minutes
from ..settings import get_settings
from ..clock import CHINA_TZ, utcnow
from ..teams.models import TeamMembership
from ..volunteers import lookup
from ..volunteers.models import Volunteer
from .models import Checkin

SETTING_UNIT = "checkin.rounding_unit"
SETTING_AUTO = "checkin.auto_approve"
SETTING_BEFORE = "checkin.minutes_before"
SETTING_DEFAULTS = {SETTING_UNIT: "1", SETTING_AUTO: "0", SETTING_BEFORE: "60"}
SETTING_LABELS = {SETTING_UNIT: "签到时长取整单位", SETTING_AUTO: "签到时长自动确认", SETTING_BEFORE: "提前签到分钟数"}
UNITS = (1, 15, 30)
MAX_MINUTES = 24 * 60
OFFSET = timedelta(hours=8)  # Beijing has no daylight saving time


def checkin_settings() -> dict:
    """{"unit": 1|15|30, "auto_approve": bool, "minutes_before": int}, defaults when unset."""
    raw = get_settings(SETTING_DEFAULTS)
    try:
        unit = int(raw[SETTING_UNIT])
    except ValueError:
        unit = 1
    try:
        before = max(0, min(int(raw[SETTING_BEFORE]), 24 * 60))
    except ValueError:
        before = 60
    return {"unit": unit if unit in UNITS else 1, "auto_approve": raw[SETTING_AUTO] == "1",
            "minutes_before": before}


# ----------------------------------------------------------------------------- time


def today_beijing(now: datetime | None = None) -> date:
    return ((now or utcnow()) + OFFSET).date()


def local_to_utc(day: date, hhmm: str | None) -> datetime:
    """A Beijing wall-clock time on a day as naive UTC ("24:00" style ends are not used)."""
    t = time(0, 0) if not hhmm else time(*map(int, hhmm.split(":")))
    return datetime.combine(day, t) - OFFSET


def window(activity: Activity, minutes_before: int) -> dict:
    """The activity's moments in naive UTC: when signing in opens and closes, start and end."""
    day_start = local_to_utc(activity.service_date, None)
    start = local_to_utc(activity.service_date, activity.start_time) if activity.start_time else None
    end = local_to_utc(activity.service_date, activity.end_time) if activity.end_time else None
    if start and end and end <= start:
        end = None  # a broken span clips nothing rather than everything
    opens = start - timedelta(minutes=minutes_before) if start else day_start
    return {"opens": max(opens, day_start), "closes": day_start + timedelta(days=1), "start": start, "end": end}


def pair_minutes(activity: Activity, signed_in: datetime, signed_out: datetime, unit: int) -> int:
    """Minutes credited for one pair: clipped to the activity, rounded down to the unit."""
    w = window(activity, 0)
    lo = max(signed_in, w["start"] or w["opens"])
    hi = min(signed_out, w["end"] or w["closes"])
    if hi <= lo:
        return 0
    minutes = int((hi - lo).total_seconds() // 60)
    return min(minutes // unit * unit, MAX_MINUTES)


# ------------------------------------------------------------------------ place check


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def has_place_check(activity: Activity) -> bool:
    return activity.latitude is not None and activity.longitude is not None and bool(activity.radius_m)


def parse_location(lat, lng, acc) -> dict | None:
    """{"lat", "lng", "acc"} from submitted text, or None when missing or out of range."""
    try:
        lat, lng = float(lat), float(lng)
        acc = float(acc) if acc not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if acc is not None and not (math.isfinite(acc) and acc >= 0):
        acc = None
    return {"lat": lat, "lng": lng, "acc": acc}


def _place(activity: Activity, location: dict | None, *, proxy: bool, via: str) -> dict:
    """Location columns and flag for a sign-in; refuses a volunteer outside the radius."""
    out = {"latitude": None, "longitude": None, "accuracy_m": None, "distance_m": None, "location_flag": None}
    if location:
        out.update(latitude=location["lat"], longitude=location["lng"], accuracy_m=location["acc"])
    if has_place_check(activity):
        if location is None:
            out["location_flag"] = None if proxy else "unavailable"
        else:
            dist = distance_m(activity.latitude, activity.longitude, location["lat"], location["lng"])
            out["distance_m"] = round(dist, 1)
            if dist > activity.radius_m:
                if not proxy:
                    raise ServiceError(_("您不在活动地点附近（约 %(distance)s 米，范围 %(radius)s 米），"
                                         "无法签到。如确在现场，请找队长代签。",
                                         distance=format(dist, ",.0f"), radius=activity.radius_m))
                out["location_flag"] = "outside"
            elif not proxy and (location["acc"] is None or location["acc"] > activity.radius_m):
                out["location_flag"] = "inaccurate"
    elif via == "sheet" and location is None:
        # The printed sheet's QR is valid all day and can be photographed and passed on.
        out["location_flag"] = "unavailable"
    return out


# ----------------------------------------------------------------------- sign in/out


def open_checkin(volunteer_id: int) -> Checkin | None:
    """The volunteer's open sign-in, if any."""
    return db.session.scalar(select(Checkin).where(Checkin.volunteer_id == volunteer_id, Checkin.state == "in")
                             .options(selectinload(Checkin.activity)))


def _mark_missed(volunteer_id: int, now: datetime) -> None:
    """Open sign-ins whose activity's day is over become missed sign-outs (the leader's queue)."""
    today = today_beijing(now)
    stale = select(Activity.id).where(Activity.service_date < today)
    db.session.execute(update(Checkin).where(Checkin.volunteer_id == volunteer_id, Checkin.state == "in",
                                             Checkin.activity_id.in_(stale)).values(state="missed"))


def sign_in(actor, activity: Activity, volunteer: Volunteer, *, via: str, device_id: str | None = None,
            location: dict | None = None, proxy_reason: str | None = None, now: datetime | None = None) -> tuple[Checkin, bool]:
    """Open a pair for the volunteer. Returns (pair, created): signing in twice gives back the
    open pair (a double tap, or two racing requests), not a second one."""
    now = now or utcnow()
    proxy = via == "proxy"
    if proxy:
        proxy_reason = (proxy_reason or "").strip()
        if not proxy_reason:
            raise ServiceError(_("代签必须填写原因。"), "reason")
    if volunteer.status != "active":
        raise ServiceError(_("该志愿者已注销，不能签到。"))
    settings = checkin_settings()
    w = window(activity, settings["minutes_before"])
    if now < w["opens"]:
        opens = (w["opens"] + OFFSET).strftime("%H:%M")
        raise ServiceError(_("签到尚未开始，%(day)s %(time)s 起可以签到。", day=activity.service_date, time=opens))
    if now >= w["closes"]:
        raise ServiceError(_("活动当天已结束，不能再签到。"))
    _mark_missed(volunteer.id, now)
    current = open_checkin(volunteer.id)
    if current is not None:
        if current.activity_id == activity.id:
            return current, False
        raise ServiceError(marked(_("您还在「%(title)s」签到中，请先签退。"), title=current.activity.title))
    place = _place(activity, location, proxy=proxy, via=via)
    signed_up = db.session.scalar(select(ActivitySignup.id).where(  # 候补 / cancelled: a walk-in
        ActivitySignup.activity_id == activity.id, ActivitySignup.volunteer_id == volunteer.id,
        ActivitySignup.status == "confirmed")) is not None
    pair = Checkin(activity_id=activity.id, volunteer_id=volunteer.id, state="in", signed_in_at=now, via=via,
                   walk_in=not signed_up, by_proxy=proxy, proxy_reason=proxy_reason[:200] if proxy else None,
                   in_by_id=getattr(actor, "id", None), device_id=None if proxy else device_id, **place)
    try:
        with db.session.begin_nested():
            db.session.add(pair)
            db.session.flush()
    except IntegrityError:
        # Another request signed this volunteer in between our check and our insert.
        current = open_checkin(volunteer.id)
        if current is not None and current.activity_id == activity.id:
            return current, False
        raise ServiceError(_("您已在其他活动签到，请先签退。")) from None
    what = "代签到" if proxy else "签到"
    record(actor, "checkin.sign_in", "activity", activity.id, f"{what}：{volunteer.name}（{activity.title}）",
           after={"checkin": pair.id, "volunteer_id": volunteer.id, "via": via, "walk_in": pair.walk_in,
                  "location_flag": pair.location_flag, "reason": pair.proxy_reason})
    return pair, True


def _credit(actor, activity: Activity, volunteer_id: int) -> None:
    """Write the sum of the volunteer's signed-out pairs on the activity into their record."""
    pairs = db.session.scalars(select(Checkin).where(
        Checkin.activity_id == activity.id, Checkin.volunteer_id == volunteer_id, Checkin.state == "out")).all()
    total = min(sum(p.minutes or 0 for p in pairs), MAX_MINUTES)
    linked = [p for p in pairs if p.record_id is not None]
    previous = min(sum(p.minutes or 0 for p in linked), MAX_MINUTES) if linked else None
    proxied = any(p.by_proxy or (p.out_by_proxy and p.out_reason != "统一签退") for p in pairs)
    rec = record_checkin_minutes(actor, activity, volunteer_id, total, approve=checkin_settings()["auto_approve"],
                                 previous=previous, note="现场签到（代签）" if proxied else "现场签到")
    if rec is not None and proxied and rec.note == "现场签到":
        rec.note = "现场签到（代签）"  # a later pair was a 代签: marked on the record too
    for p in pairs:
        if rec is not None:
            p.record_id = rec.id
        elif p.record_id is None and total > 0:
            p.note = "已有登记的时长，由队长核定"


def sign_out(actor, pair: Checkin, *, at: datetime | None = None, proxy_reason: str | None = None,
             now: datetime | None = None) -> Checkin:
    """Close a pair. Always accepted; after the activity's day it waits for the leader."""
    now = now or utcnow()
    if pair.state != "in":
        return pair
    proxy = proxy_reason is not None
    if proxy and not proxy_reason.strip():
        raise ServiceError(_("代签必须填写原因。"), "reason")
    activity = pair.activity
    closes = window(activity, 0)["closes"]
    out_at = at or now
    if out_at >= closes and at is None:
        # Signing out the next day says nothing about when the volunteer left.
        pair.state = "missed"
        pair.note = f"本人于 {(now + OFFSET):%m-%d %H:%M} 签退，活动当天已结束，待队长补填签退时间"
        record(actor, "checkin.sign_out", "activity", activity.id, f"签退（活动当天已结束）：{pair.volunteer.name}",
               after={"checkin": pair.id, "state": "missed"})
        return pair
    out_at = max(out_at, pair.signed_in_at)
    pair.state, pair.signed_out_at = "out", out_at
    pair.out_by_id, pair.out_by_proxy = getattr(actor, "id", None), proxy
    pair.out_reason = proxy_reason.strip()[:200] if proxy else None
    pair.minutes = pair_minutes(activity, pair.signed_in_at, out_at, checkin_settings()["unit"])
    db.session.flush()
    _credit(actor, activity, pair.volunteer_id)
    what = "代签退" if proxy else "签退"
    record(actor, "checkin.sign_out", "activity", activity.id, f"{what}：{pair.volunteer.name}（{activity.title}）",
           after={"checkin": pair.id, "minutes": pair.minutes, "reason": pair.out_reason})
    return pair


def sign_out_all(actor, activity: Activity, at: datetime, now: datetime | None = None) -> int:
    """统一签退: everyone still signed in to the activity, at one chosen time (not in the future,
    not after the day). One audit entry lists every pair."""
    now = now or utcnow()
    if at > now:
        raise ServiceError(_("统一签退时间不能晚于现在。"), "at")
    if at >= window(activity, 0)["closes"] or at < local_to_utc(activity.service_date, None):
        raise ServiceError(_("统一签退时间必须在活动当天。"), "at")
    pairs = db.session.scalars(select(Checkin).where(Checkin.activity_id == activity.id, Checkin.state.in_(("in", "missed")))
                               .options(selectinload(Checkin.volunteer))).all()
    unit = checkin_settings()["unit"]
    for pair in pairs:
        pair.state, pair.signed_out_at = "out", max(at, pair.signed_in_at)
        pair.out_by_id, pair.out_by_proxy, pair.out_reason = getattr(actor, "id", None), True, "统一签退"
        pair.minutes = pair_minutes(activity, pair.signed_in_at, pair.signed_out_at, unit)
    db.session.flush()
    for volunteer_id in sorted({p.volunteer_id for p in pairs}):
        _credit(actor, activity, volunteer_id)
    if pairs:
        record(actor, "checkin.sign_out_all", "activity", activity.id,
               f"统一签退 {len(pairs)} 人（{activity.title}）", at=at, checkins=[p.id for p in pairs])
    return len(pairs)


def settle_missed(actor, pair: Checkin, at: datetime, now: datetime | None = None) -> Checkin:
    """A leader gives the end time of a missed sign-out; then it is credited like any pair."""
    now = now or utcnow()
    if pair.state not in ("in", "missed"):
        raise ServiceError(_("该签到已签退。"))
    activity = pair.activity
    if at <= pair.signed_in_at:
        raise ServiceError(_("签退时间必须晚于签到时间。"), "at")
    if at > now or at >= window(activity, 0)["closes"]:
        raise ServiceError(_("签退时间必须在活动当天，且不晚于现在。"), "at")
    before = pair.state
    pair.state, pair.signed_out_at = "out", at
    pair.out_by_id, pair.out_by_proxy, pair.out_reason = getattr(actor, "id", None), True, "补填签退时间"
    pair.minutes = pair_minutes(activity, pair.signed_in_at, at, checkin_settings()["unit"])
    db.session.flush()
    _credit(actor, activity, pair.volunteer_id)
    record(actor, "checkin.settle", "activity", activity.id, f"补填签退：{pair.volunteer.name}（{activity.title}）",
           before={"checkin": pair.id, "state": before}, after={"signed_out_at": at, "minutes": pair.minutes})
    return pair


# -------------------------------------------------------------------------- queries


def find_people(activity: Activity, name: str, last4: str) -> list[Volunteer]:
    """代签 look-up: name plus the last 4 of the mobile or ID number, among the activity's
    sign-ups and its team's members (nobody else can be found here)."""
    name, last4 = (name or "").strip(), (last4 or "").strip().upper()
    if not name or len(last4) != 4:
        raise ServiceError(_("请填写姓名和手机号或证件号码的后 4 位。"), "name")
    members = select(TeamMembership.volunteer_id).where(TeamMembership.team_id == activity.team_id)
    signups = select(ActivitySignup.volunteer_id).where(ActivitySignup.activity_id == activity.id,
                                                        ActivitySignup.status == "confirmed")
    return db.session.scalars(select(Volunteer).where(
        Volunteer.name == name, Volunteer.status == "active",
        or_(*lookup.last4_conditions(last4)),
        or_(Volunteer.id.in_(members), Volunteer.id.in_(signups))).order_by(Volunteer.id).limit(10)).all()


def live_list(activity: Activity, limit: int | None = None) -> list[Checkin]:
    """The activity's pairs, newest first, with each volunteer's name only (the venue screen
    reloads every 20 s on several tablets: no team memberships, no other columns)."""
    stmt = (select(Checkin).where(Checkin.activity_id == activity.id)
            .options(joinedload(Checkin.volunteer).options(load_only(Volunteer.name), noload(Volunteer.memberships)))
            .order_by(Checkin.signed_in_at.desc(), Checkin.id.desc()))
    return db.session.scalars(stmt.limit(limit) if limit else stmt).all()


def counts(activity: Activity) -> dict:
    """People signed in now and signed out (distinct volunteers), one GROUP BY."""
    rows = dict(db.session.execute(select(Checkin.state, func.count(func.distinct(Checkin.volunteer_id)))
                                   .where(Checkin.activity_id == activity.id).group_by(Checkin.state)).all())
    return {"in": rows.get("in", 0), "out": rows.get("out", 0), "missed": rows.get("missed", 0)}


def missed_queue(user, now: datetime | None = None, limit: int = 200) -> list[Checkin]:
    """Open sign-ins of days that are over, in the activities the user manages (the leader's
    queue of missed sign-outs), oldest first."""
    today = today_beijing(now)
    stmt = (select(Checkin).join(Activity, Activity.id == Checkin.activity_id)
            .where(Checkin.state.in_(("in", "missed")), Activity.service_date < today)
            .options(selectinload(Checkin.volunteer), selectinload(Checkin.activity))
            .order_by(Activity.service_date, Checkin.id).limit(limit))
    stmt = within_scope(stmt, Activity.team_id, user)
    return db.session.scalars(stmt).all()


def my_pairs(volunteer_id: int, now: datetime | None = None) -> list[Checkin]:
    """The volunteer's pairs on activities of today (Beijing), newest first."""
    today = today_beijing(now)
    return db.session.scalars(select(Checkin).join(Activity, Activity.id == Checkin.activity_id)
                              .where(Checkin.volunteer_id == volunteer_id, Activity.service_date == today)
                              .options(selectinload(Checkin.activity))
                              .order_by(Checkin.signed_in_at.desc(), Checkin.id.desc()).limit(20)).all()
