"""The optional sections a certificate may carry (培训记录, 表彰奖励, 服务评价), as snapshot data.

certificates.services freezes what this returns into the certificate's snapshot when it is
issued, so a later void or correction never changes an issued certificate. Only live rows of
the certificate's period count; evaluations only of approved records, as only approved hours
count anywhere.
"""
from __future__ import annotations

from datetime import date

from ..fields import hours_of
from . import queries

SECTIONS = {"training": "培训记录", "commendations": "表彰奖励", "evaluations": "服务评价"}


def certificate_sections(volunteer_id: int, date_from: date, date_to: date, chosen) -> dict:
    """{section: [rows]} for each chosen section (unknown names ignored), oldest first."""
    out = {}
    if "training" in chosen:
        out["training"] = [
            {"date": t.held_on.isoformat(), "title": t.title, "kind": t.kind, "mode": t.mode,
             "organiser": t.organiser or "", "minutes": t.minutes, "hours": hours_of(t.minutes)}
            for _a, t in reversed(queries.trainings_of(volunteer_id, date_from=date_from, date_to=date_to))]
    if "commendations" in chosen:
        out["commendations"] = [
            {"date": c.awarded_on.isoformat(), "title": c.title, "level": c.level, "awarded_by": c.awarded_by or ""}
            for c in reversed(queries.commendations_of(volunteer_id, date_from=date_from, date_to=date_to))]
    if "evaluations" in chosen:
        rows = [e for e in queries.evaluations_of(volunteer_id)
                if e.record.status == "approved" and date_from <= e.record.service_date <= date_to]
        out["evaluations"] = [
            {"date": e.record.service_date.isoformat(), "activity": e.record.activity.title,
             "punctuality": e.punctuality, "attitude": e.attitude, "skill": e.skill, "comment": e.comment or ""}
            for e in sorted(rows, key=lambda e: (e.record.service_date, e.id))]
    return out
