"""Check-in's rules in the exception queue (beside integrity/rules.py; integrity.services runs both).

Each rule is one SQL query, driven from the check-in pairs (far fewer than the records), giving
the queue's columns: rule, record_id, service_date, detail_num, detail_ref.

* checkin_device: one browser device (the long-lived cookie) signed in several people for one
  activity; 代签 is left out (the leader's tablet signs in many by design, with reasons).
* checkin_place: a doubtful place: a 代签 outside the radius, a volunteer's location unavailable
  or less accurate than the radius, a sign-in through the printed sheet's QR without a location.
* checkin_edited: a check-in record whose minutes differ from what its pairs gave (someone
  changed it afterwards).
"""
from sqlalchemy import Integer, and_, case, cast, func, null, select
from sqlalchemy.orm import aliased

from ..fields import hours_of
from ..hours.models import ServiceRecord
from ..integrity.rules import live, not_reviewed, rule_name
from .models import LOCATION_LABELS, Checkin

RULES = {
    "checkin_device": "同一设备为多人签到",
    "checkin_place": "签到位置存疑",
    "checkin_edited": "签到时长被改动",
}
RULE_HELP = {
    "checkin_device": "同一台手机（浏览器）在同一活动中为不同的人签到（代签除外）。",
    "checkin_place": "代签时位置在范围外；或签到时未获取到位置、位置精度不足；或通过签到表二维码签到却没有位置。",
    "checkin_edited": "由现场签到生成的时长记录，之后被改成了与签到、签退时间不符的时长。",
}
PLACE_KINDS = {1: LOCATION_LABELS["unavailable"], 2: LOCATION_LABELS["inaccurate"],
               3: "代签位置在范围外", 4: "通过签到表二维码签到，未获取到位置"}


def rule_device(date_from, date_to, record_id=None):
    c1, c2 = aliased(Checkin), aliased(Checkin)
    shared = (select(c1.record_id, func.count(func.distinct(c2.volunteer_id)).label("people"))
              .join(c2, and_(c2.activity_id == c1.activity_id, c2.device_id == c1.device_id,
                             c2.volunteer_id != c1.volunteer_id, c2.by_proxy.is_(False)))
              .where(c1.record_id.is_not(None), c1.device_id.is_not(None), c1.by_proxy.is_(False))
              .group_by(c1.record_id).subquery("shared_device"))
    r = aliased(ServiceRecord)
    stmt = (select(rule_name("checkin_device"), r.id.label("record_id"), r.service_date.label("service_date"),
                   (shared.c.people + 1).label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(shared, shared.c.record_id == r.id)
            .where(*live(r, date_from, date_to), not_reviewed("checkin_device", r.id)))
    return stmt.where(r.id == record_id) if record_id is not None else stmt


def rule_place(date_from, date_to, record_id=None):
    c = aliased(Checkin)
    kind = case((c.location_flag == "outside", 3), (c.via == "sheet", 4),
                (c.location_flag == "inaccurate", 2), else_=1)
    doubtful = (select(c.record_id, func.max(kind).label("kind"))
                .where(c.record_id.is_not(None), c.location_flag.is_not(None))
                .group_by(c.record_id).subquery("doubtful_place"))
    r = aliased(ServiceRecord)
    stmt = (select(rule_name("checkin_place"), r.id.label("record_id"), r.service_date.label("service_date"),
                   doubtful.c.kind.label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(doubtful, doubtful.c.record_id == r.id)
            .where(*live(r, date_from, date_to), not_reviewed("checkin_place", r.id)))
    return stmt.where(r.id == record_id) if record_id is not None else stmt


def rule_edited(date_from, date_to, record_id=None):
    c = aliased(Checkin)
    total = func.sum(c.minutes)
    given = (select(c.record_id, case((total > 24 * 60, 24 * 60), else_=total).label("minutes"))
             .where(c.record_id.is_not(None), c.state == "out").group_by(c.record_id).subquery("checkin_given"))
    r = aliased(ServiceRecord)
    stmt = (select(rule_name("checkin_edited"), r.id.label("record_id"), r.service_date.label("service_date"),
                   cast(given.c.minutes, Integer).label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(given, given.c.record_id == r.id)
            .where(*live(r, date_from, date_to), r.minutes != given.c.minutes, not_reviewed("checkin_edited", r.id)))
    return stmt.where(r.id == record_id) if record_id is not None else stmt


RULE_QUERIES = {"checkin_device": rule_device, "checkin_place": rule_place, "checkin_edited": rule_edited}


def detail(row, rec) -> str:
    """Chinese text saying why a record is in the queue for a check-in rule."""
    if row.rule == "checkin_device":
        return f"同一设备在「{rec.activity.title}」为 {row.detail_num or 2} 人签到"
    if row.rule == "checkin_place":
        return PLACE_KINDS.get(row.detail_num, "签到位置存疑")
    return f"签到、签退计得 {hours_of(row.detail_num):g} 小时，记录现为 {hours_of(rec.minutes):g} 小时"
