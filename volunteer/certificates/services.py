"""Service certificates (志愿服务记录证明): issue, revoke, verify.

What a certificate states is frozen when it is issued: a JSON snapshot (volunteer, masked ID,
approved hours in total, by category and record by record, issuer details, dates) and the
SHA-256 of its canonical JSON. Pages render the snapshot, never live data, so later
corrections never change an issued certificate; the hash shows the stored snapshot is intact.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date

from sqlalchemy import func, select

from ..activities.models import Activity
from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..hours.models import ServiceRecord
from ..merits.certificate import SECTIONS, certificate_sections
from ..settings import get_settings, save_settings
from ..clock import today_local, utcnow
from ..fields import hours_of
from ..teams.models import ServiceCategory, Team
from ..privacy import mask_id
from .models import Certificate

SNAPSHOT_VERSION = 1

# Issuer details on every certificate, editable by the office (Setting rows).
ISSUER_DEFAULTS = {
    "certificate.issuer": "虹桥镇新时代文明实践分中心",
    "certificate.person_in_charge": "",
    "certificate.handler": "",
    "certificate.contact": "",
    "certificate.number_prefix": "HQ",
    "certificate.verify_base_url": "",
}
ISSUER_LABELS = {
    "certificate.issuer": "出具单位",
    "certificate.person_in_charge": "负责人",
    "certificate.handler": "经办人",
    "certificate.contact": "联系电话",
    "certificate.number_prefix": "证明编号前缀",
    "certificate.verify_base_url": "核验网址前缀",
}
PREFIX_RE = re.compile(r"^[A-Z0-9]{1,10}$")
UNCATEGORISED = "未分类"


def issuer_settings() -> dict[str, str]:
    return get_settings(ISSUER_DEFAULTS)


def save_issuer_settings(actor, values: dict[str, str]) -> bool:
    """Validate and store the issuer settings (office only); returns whether anything changed."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以修改证明设置。")
    clean = {k: (values.get(k) or "").strip() for k in ISSUER_DEFAULTS}
    if not clean["certificate.issuer"]:
        raise ServiceError("出具单位不能为空。", "issuer")
    clean["certificate.number_prefix"] = clean["certificate.number_prefix"].upper() or "HQ"
    if not PREFIX_RE.match(clean["certificate.number_prefix"]):
        raise ServiceError("证明编号前缀只能是 1–10 位大写字母或数字。", "number_prefix")
    base = clean["certificate.verify_base_url"].rstrip("/")
    if base and not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", base):
        raise ServiceError("核验网址前缀应以 http:// 或 https:// 开头，例如 https://zyfw.example.cn。",
                           "verify_base_url")
    clean["certificate.verify_base_url"] = base
    return save_settings(actor, clean, ISSUER_LABELS)


# --------------------------------------------------------------------- snapshot


def canonical_json(snapshot: dict) -> str:
    """The snapshot as canonical JSON: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def snapshot_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


def hash_matches(cert: Certificate) -> bool:
    """Whether the stored snapshot still hashes to the stored hash (nothing altered since)."""
    return secrets.compare_digest(snapshot_hash(cert.snapshot), cert.snapshot_hash or "")


def approved_records(volunteer_id: int, date_from: date, date_to: date):
    """The volunteer's approved records of the period with activity, team and category names:
    one indexed query (ix_records_volunteer_cover, then primary keys)."""
    return db.session.execute(
        select(ServiceRecord.id, ServiceRecord.service_date, ServiceRecord.minutes, Activity.title, Team.name,
               ServiceCategory.name)
        .join(Activity, Activity.id == ServiceRecord.activity_id)
        .join(Team, Team.id == ServiceRecord.team_id)
        .outerjoin(ServiceCategory, ServiceCategory.id == ServiceRecord.category_id)
        .where(ServiceRecord.volunteer_id == volunteer_id, ServiceRecord.status == "approved",
               ServiceRecord.service_date >= date_from, ServiceRecord.service_date <= date_to)
        .order_by(ServiceRecord.service_date, ServiceRecord.id)).all()


def period_minutes(volunteer_id: int, date_from: date, date_to: date) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(ServiceRecord.minutes), 0)).where(
        ServiceRecord.volunteer_id == volunteer_id, ServiceRecord.status == "approved",
        ServiceRecord.service_date >= date_from, ServiceRecord.service_date <= date_to)) or 0)


def build_snapshot(volunteer, date_from: date, date_to: date, *, number: str, issued_on: date,
                   issuer: dict[str, str], sections=()) -> dict:
    """What the certificate states, as plain JSON data. Hours are kept as minutes (exact) and
    as hours to two decimals (fields.hours_of, as everywhere else). `sections` names the
    optional parts chosen when issuing (merits.certificate.SECTIONS); each chosen one is a
    key of the snapshot, even when empty, so the paper says "无" rather than leaving it out."""
    rows = approved_records(volunteer.id, date_from, date_to)
    by_category: dict[str, dict] = {}
    for _id, _day, minutes, _title, _team, category in rows:
        item = by_category.setdefault(category or UNCATEGORISED, {"name": category or UNCATEGORISED,
                                                                  "records": 0, "minutes": 0})
        item["records"] += 1
        item["minutes"] += minutes
    categories = sorted(by_category.values(), key=lambda c: (-c["minutes"], c["name"]))
    for c in categories:
        c["hours"] = hours_of(c["minutes"])
    total = sum(r[2] for r in rows)
    return {
        "version": SNAPSHOT_VERSION,
        "number": number,
        "volunteer": {
            "name": volunteer.name,
            "id_type": volunteer.id_type,
            "id_masked": mask_id(volunteer.id_number),
            "volunteer_no": volunteer.volunteer_no,
        },
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "total_minutes": total,
        "total_hours": hours_of(total),
        "record_count": len(rows),
        "by_category": categories,
        "records": [{"date": day.isoformat(), "activity": title, "team": team, "category": category or UNCATEGORISED,
                     "minutes": minutes, "hours": hours_of(minutes)}
                    for _id, day, minutes, title, team, category in rows],
        "issuer": {
            "organisation": issuer["certificate.issuer"],
            "person_in_charge": issuer["certificate.person_in_charge"],
            "handler": issuer["certificate.handler"],
            "contact": issuer["certificate.contact"],
        },
        "issued_on": issued_on.isoformat(),
        **certificate_sections(volunteer.id, date_from, date_to, sections),
    }


# ----------------------------------------------------------------------- issuing


def next_number(prefix: str, year: int) -> str:
    """The next human number for the year, e.g. HQ-2026-000123 (unique index on number)."""
    head = f"{prefix}-{year}-"
    last = db.session.scalar(select(Certificate.number).where(Certificate.number.like(head + "%"))
                             .order_by(Certificate.number.desc()).limit(1))
    seq = int(last[len(head):]) + 1 if last and last[len(head):].isdigit() else 1
    return f"{head}{seq:06d}"


def can_issue_for(user, volunteer_id: int) -> bool:
    """Office: anyone; any other login: only the volunteer record it is linked to."""
    if user is None:
        return True
    return user.role == "office" or user.volunteer_id == volunteer_id


def issue_certificate(actor, volunteer, date_from: date, date_to: date, *, today: date | None = None,
                      sections=()) -> Certificate:
    """Freeze and store a certificate of the volunteer's approved hours in the period, with
    the optional sections chosen (training, commendations, evaluations of the period)."""
    today = today or today_local()
    if not can_issue_for(actor, volunteer.id):
        raise ServiceError("只能为本人开具证明。")
    if not volunteer.verified:  # a self-registered ID nobody has seen in person (joining)
        raise ServiceError("该志愿者的身份尚未核实，暂不能开具证明。请在参加活动时请队长或分中心办公室当面核实身份。")
    if date_from is None or date_to is None:
        raise ServiceError("请填写证明期间。", "period_from")
    if date_from > date_to:
        raise ServiceError("截止日期不能早于起始日期。", "period_to")
    if date_to > today:
        raise ServiceError("证明期间不能晚于今天。", "period_to")
    if not period_minutes(volunteer.id, date_from, date_to):
        raise ServiceError("该期间没有已确认的服务时长，无法开具证明。", "period_from")
    issuer = issuer_settings()
    # 经办人 comes from the certificate settings only, never the login's name: the account that
    # clicked is in the register (issued_by), the paper names the person the office designates.
    number = next_number(issuer["certificate.number_prefix"] or "HQ", today.year)
    snapshot = build_snapshot(volunteer, date_from, date_to, number=number, issued_on=today, issuer=issuer,
                              sections=sections)
    cert = Certificate(number=number, code=secrets.token_urlsafe(24), volunteer_id=volunteer.id,
                       period_from=date_from, period_to=date_to, snapshot=snapshot,
                       snapshot_hash=snapshot_hash(snapshot), issued_by_id=getattr(actor, "id", None))
    db.session.add(cert)
    db.session.flush()
    record(actor, "certificate.issue", "certificate", cert.id, f"开具志愿服务记录证明 {number}（{volunteer.name}）",
           after={"number": number, "volunteer_id": volunteer.id, "period_from": date_from, "period_to": date_to,
                  "total_minutes": snapshot["total_minutes"], "snapshot_hash": cert.snapshot_hash,
                  "sections": [k for k in SECTIONS if k in snapshot]})
    return cert


def revoke_certificate(actor, cert: Certificate, reason: str) -> None:
    """Revoke (office only, with a reason): the verify page says so from then on."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以撤销证明。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("撤销必须填写原因。", "reason")
    if cert.revoked_at is not None:
        raise ServiceError("该证明已经撤销。")
    cert.revoked_at, cert.revoked_reason, cert.revoked_by_id = utcnow(), reason[:200], getattr(actor, "id", None)
    db.session.flush()
    record(actor, "certificate.revoke", "certificate", cert.id, f"撤销证明 {cert.number}：{reason}",
           before={"revoked": False}, after={"revoked": True, "reason": reason})


def find_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG (segno), sized by CSS (class "qr")."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=4, border=4, omitsize=True, svgclass="qr",
                                                  title="核验二维码")
