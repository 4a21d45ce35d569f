"""Excel downloads: import templates, and exports of what the lists show under their filters.

Every route checks the role server-side; a leader's downloads hold only the teams they lead
(the services enforce that scope as well). Files are built in an anonymous temporary file and
sent with a Chinese download name (RFC 5987 filename* via send_file); the hours export, which
can hold a million records, is sent while it is written instead (`_stream`).
"""
import tempfile
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, request, send_file, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from ..permissions import role_required, within_scope
from ..database import write_intent
from ..errors import ServiceError
from ..excel import exporters
from ..excel.streaming import stream_workbook
from ..excel.templates import build_template
from ..extensions import db
from ..clock import today_local
from ..activities.models import ACTIVITY_STATUS
from ..hours.models import RECORD_STATUS
from ..hours.months import lock_state
from ..teams.models import ServiceCategory, Team
from ..teams.services import active_categories
from ..views import date_arg, int_arg, month_arg
from ..volunteers import roster
from ..volunteers.models import STATUS_LABELS
from .names import export_name, period_text

bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAMES = {"volunteers": "志愿者导入模板", "teams": "队伍导入模板", "hours": "服务时长导入模板",
                  "training": "培训记录导入模板", "commendations": "表彰记录导入模板", "evaluations": "服务评价导入模板"}


def _send(build, name: str):
    """Run ``build(fileobj)`` into a temporary file and send it as an attachment called ``name``."""
    tmp = tempfile.TemporaryFile()
    try:
        build(tmp)
    except ServiceError:
        tmp.close()
        db.session.rollback()
        abort(400)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    response = send_file(tmp, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name,
                         max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stream(sheets, name: str):
    """Send the workbook of ``sheets`` while it is written (excel/streaming.py): a year of hours
    (a million records, ~90 s to build) begins to download within a second, the browser's
    download bar counts it, and memory stays flat. The rows are read in this request's
    transaction until the last byte is sent."""
    response = Response(stream_with_context(stream_workbook(sheets)), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy in front passes it on as it comes
    return response


def _attachment(name: str) -> str:
    """send_file's Content-Disposition for a Chinese name: an ASCII fallback and RFC 5987 filename*."""
    ascii_name = name.encode("ascii", "ignore").decode() or "export.xlsx"
    if ascii_name.startswith("."):
        ascii_name = "export" + ascii_name
    return f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(name, safe='')}"


def _is_office() -> bool:
    return current_user.role == "office"


def _visible_teams() -> list[tuple[int, str]]:
    """(id, name) of the active teams this user works with (a leader: the led ones)."""
    stmt = select(Team.id, Team.name).where(Team.is_active.is_(True)).order_by(Team.name)
    stmt = within_scope(stmt, Team.id, current_user)
    return [(tid, name) for tid, name in db.session.execute(stmt)]


def _team_name(team_id) -> str | None:
    """The name of a filter's team, only when this user may see it."""
    return dict(_visible_teams()).get(team_id) if team_id is not None else None


def _roster_name(kind: str, filters: dict) -> str:
    """The roster's download name: its filters, and the day (a roster is a snapshot)."""
    return export_name(kind, period_text(today=today_local()), STATUS_LABELS.get(filters["status"]),
                       _team_name(filters["team_id"]), filters["political_status"],
                       roster.AGE_GROUP_LABELS.get(filters["age_group"]),
                       f"含{filters['q']}" if filters["q"] else None)


def _date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query argument; a malformed or out-of-range one is dropped (views.date_arg)."""
    return date_arg(name)


def _month_arg() -> str:
    return month_arg() or ""


# --- templates -----------------------------------------------------------------------------------

@bp.route("/templates/<kind>")
@role_required("office", "leader")
def template(kind):
    if kind not in TEMPLATE_NAMES:
        abort(404)
    teams = [name for _, name in _visible_teams()]
    categories = [c.name for c in active_categories()]
    return _send(lambda f: build_template(kind, f, team_names=teams, categories=categories),
                 f"{TEMPLATE_NAMES[kind]}.xlsx")


# --- exports of the lists ------------------------------------------------------------------------

@bp.route("/volunteers")
@role_required("office", "leader")
def volunteers():
    """The roster as /volunteers/ shows it under the same query arguments: ID numbers masked
    for the user's role, birth dates left out. A `full_id` argument is ignored: a link that any
    site can embed must never export full numbers, nor write to the audit log."""
    filters = roster.visible_filters(current_user, request.args)  # the list's own filter parsing
    actor = current_user._get_current_object()
    return _send(lambda f: exporters.export_volunteers(actor, f, filters=filters, today=today_local()),
                 _roster_name("志愿者花名册", filters))


@bp.route("/volunteers/full-id", methods=["POST"])
@role_required("office")
def volunteers_full_id():
    """The office's full-ID roster (with birth dates) under the list's filters, sent as form
    fields: a POST with CSRF (checked app-wide), written to the audit log with the count."""
    filters = roster.visible_filters(current_user, request.form)
    # The audit entry is a write: end the read transaction and start a writing one, so
    # SQLite never has to upgrade a stale read snapshot at commit.
    db.session.commit()
    write_intent.set(True)
    actor = current_user._get_current_object()

    def build(f):
        exporters.export_volunteers(actor, f, full_id=True, filters=filters, today=today_local())
        db.session.commit()

    return _send(build, _roster_name("志愿者花名册（完整证件号）", filters))


@bp.route("/hours")
@role_required("office", "leader")
def hours():
    """Service records (every status unless ?status=), filtered by team_id, category_id, month,
    from, to: the approvals queue's filters, and the reports page's period and scope."""
    filters = {"team_id": int_arg("team_id"), "month": _month_arg(),
               "category_id": int_arg("category_id"), "status": request.args.get("status", "")}
    start, end = _date_arg("from"), _date_arg("to")
    if start and end and start > end:
        start, end = end, start
    actor = current_user._get_current_object()
    category = db.session.get(ServiceCategory, filters["category_id"]) if filters["category_id"] else None
    name = export_name("服务时长", period_text(month=filters["month"], date_from=start, date_to=end, today=today_local()),
                       RECORD_STATUS.get(filters["status"]), _team_name(filters["team_id"]),
                       category.name if category else None)
    spec, _count = exporters.hours_sheet(actor, date_from=start, date_to=end, filters=filters)
    return _stream([spec], name)


@bp.route("/activities")
@role_required("office", "leader")
def activities():
    """The activities list (team_id, status, month), as /activities/ shows it."""
    filters = {"team_id": int_arg("team_id"), "month": _month_arg(),
               "status": request.args.get("status", "")}
    actor = current_user._get_current_object()
    name = export_name("活动列表", period_text(month=filters["month"], today=today_local()),
                       ACTIVITY_STATUS.get(filters["status"]), _team_name(filters["team_id"]))
    return _send(lambda f: exporters.export_activities(actor, f, filters=filters), name)


@bp.route("/summary")
@role_required("office")
def summary():
    """The office's statistics workbook for ?year= (default this year) and optional &month=."""
    year = int_arg("year") or today_local().year
    month = int_arg("month")
    if month is not None and not 1 <= month <= 12:
        month = None
    if not 1900 <= year <= 9999:
        abort(400)
    first, last = (f"{year}-{month:02d}",) * 2 if month else (f"{year}-01", f"{year}-12")
    state = lock_state(first, last)
    name = export_name("统计报表", first if month else f"{year}年", "已锁账" if state["locked"] else "未锁账")
    return _send(lambda f: exporters.export_summary(f, year=year, month=month, note=lock_note(state)), name)


def lock_note(state: dict) -> str | None:
    """The workbook's warning for a period not yet closed (None when every month is locked)."""
    if state["locked"]:
        return None
    return (f"未锁账：{'、'.join(state['unlocked'])} 尚未锁账，还有 {state['pending']} 条待审核记录，"
            "数字可能还会变化。")


@bp.route("/stars")
@role_required("office")
def star_promotions():
    """The star-level public list (公示) of volunteers who reached a new level in ?from=&to=."""
    today = today_local()
    start = _date_arg("from") or date(today.year, 1, 1)
    end = _date_arg("to") or today
    if start > end:
        start, end = end, start
    name = f"星级志愿者公示_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return _send(lambda f: exporters.export_star_promotions(f, date_from=start, date_to=end), name)
