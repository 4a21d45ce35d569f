"""Position pages (office only): the list, new and edit."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..forms import choices
from ..permissions import role_required
from ..views import paginate, save
from . import services
from .forms import PositionFilterForm, PositionForm
from .models import POSITION_KINDS, Position

bp = Blueprint("positions", __name__, url_prefix="/positions")

KIND_ORDER = case({k: i for i, k in enumerate(POSITION_KINDS)}, value=Position.kind, else_=len(POSITION_KINDS))


@bp.route("/")
@role_required("office")
def index():
    filters = PositionFilterForm(request.args)
    q = (filters.q.data or "").strip()
    kind = filters.kind.data or ""
    stmt = select(Position).options(selectinload(Position.parent))
    if q:
        stmt = stmt.where(Position.name.contains(q, autoescape=True))
    if kind in POSITION_KINDS:
        stmt = stmt.where(Position.kind == kind)
    stmt = stmt.order_by(Position.is_active.desc(), KIND_ORDER, Position.name, Position.id)
    page = paginate(stmt)
    counts = services.team_counts([p.id for p in page.items])
    args = {k: v for k, v in {"q": q, "kind": kind}.items() if v}
    return render_template("positions/index.html", page=page, counts=counts, filters=filters, args=args)


def _fill_choices(form: PositionForm, position: Position | None = None) -> None:
    current = position.parent_id if position else None
    stmt = select(Position).where((Position.is_active.is_(True)) | (Position.id == (current or -1)))
    if position is not None:
        stmt = stmt.where(Position.id != position.id)
    rows = db.session.scalars(stmt.order_by(KIND_ORDER, Position.name))
    form.parent_id.choices = choices([("", "（无）")] + [(p.id, f"{p.name}（{p.kind_label}）") for p in rows])


def _values(form: PositionForm) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "parent_id": form.parent_id.data,
            "address": form.address.data, "is_active": bool(form.is_active.data)}


@bp.route("/new", methods=["GET", "POST"])
@role_required("office")
def create():
    form = PositionForm()
    _fill_choices(form)
    if form.validate_on_submit():
        saved = save(form, lambda: services.create_position(current_user, _values(form)).name,
                     default_field="name", duplicate=f"阵地“{(form.name.data or '').strip()}”已存在。")
        if saved:
            flash(f"已新建阵地“{saved.value}”。", "success")
            return redirect(url_for("positions.index"))
    return render_template("positions/form.html", form=form, position=None)


@bp.route("/<int:position_id>/edit", methods=["GET", "POST"])
@role_required("office")
def edit(position_id):
    position = db.session.get(Position, position_id) or abort(404)
    form = PositionForm(obj=position)
    _fill_choices(form, position)
    if form.validate_on_submit():
        if save(form, lambda: services.update_position(current_user, position, _values(form)),
                default_field="name", duplicate=f"阵地“{(form.name.data or '').strip()}”已存在。"):
            flash("阵地信息已保存。", "success")
            return redirect(url_for("positions.index"))
    position = db.session.get(Position, position_id)
    return render_template("positions/form.html", form=form, position=position)
