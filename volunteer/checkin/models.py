"""On-site check-in: one row per sign-in/sign-out pair (签到 / 签退) of a volunteer at an activity.

A pair is `in` while the volunteer is at the venue, `out` once signed out (its minutes then go
into the activity's service record through hours.services), or `missed` when the activity's
day ended with it still open: it then waits for a leader to give an end time, and is never
credited or zeroed on its own. At most one `in` pair per volunteer exists at a time; a partial
unique index holds that even when two requests race.

The 6-digit code and the QR token are derived from the secret key, the activity and the
minute (checkin.tokens), so they need no table and a GET of the venue screen writes nothing.
"""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import utcnow

CHECKIN_STATE = {"in": "已签到", "out": "已签退", "missed": "漏签退"}
VIA_LABELS = {"qr": "扫码", "code": "签到码", "sheet": "签到表二维码", "proxy": "代签"}
LOCATION_LABELS = {
    "unavailable": "未获取到位置",
    "inaccurate": "位置精度不足",
    "outside": "位置在范围外",
}


class Checkin(db.Model):
    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_activity", "activity_id", "state", "id"),
        Index("ix_checkins_volunteer", "volunteer_id", "activity_id"),
        Index("ix_checkins_record", "record_id"),
        # One open sign-in per volunteer: the database refuses a second even when two requests
        # race past the service's own check.
        Index("uq_checkins_open", "volunteer_id", unique=True,
              sqlite_where=text("state = 'in'"), postgresql_where=text("state = 'in'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    state: Mapped[str] = mapped_column(String(10), default="in")
    signed_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_out_at: Mapped[datetime | None]
    via: Mapped[str] = mapped_column(String(10), default="qr")  # qr | code | sheet | proxy
    walk_in: Mapped[bool] = mapped_column(default=False)  # not signed up: 未报名
    # 代签: who did it and why, for the sign-in and (separately) the sign-out.
    by_proxy: Mapped[bool] = mapped_column(default=False)
    proxy_reason: Mapped[str | None] = mapped_column(String(200))
    out_by_proxy: Mapped[bool] = mapped_column(default=False)
    out_reason: Mapped[str | None] = mapped_column(String(200))
    in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The browser's long-lived device cookie (survives logout): one device, many people = flag.
    device_id: Mapped[str | None] = mapped_column(String(64), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    location_flag: Mapped[str | None] = mapped_column(String(20))  # LOCATION_LABELS key
    # This pair's credited minutes (clipped, rounded down to the unit) once signed out.
    minutes: Mapped[int | None]
    record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity = relationship("Activity")
    volunteer = relationship("Volunteer")

    @property
    def state_label(self) -> str:
        return CHECKIN_STATE.get(self.state, self.state)

    @property
    def via_label(self) -> str:
        return VIA_LABELS.get(self.via, self.via)

    @property
    def location_label(self) -> str | None:
        return LOCATION_LABELS.get(self.location_flag) if self.location_flag else None
