"""Practice positions: the sub-centre (中心), its stations (站) and points (点)."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

POSITION_KINDS = {"center": "分中心", "station": "站", "point": "点"}


class Position(db.Model):
    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="station")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"))
    address: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["Position | None"] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        return POSITION_KINDS.get(self.kind, self.kind)
