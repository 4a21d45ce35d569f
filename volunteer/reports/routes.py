"""Reports (统计): the dashboard, the full volunteer ranking and the star-level 公示 list.

Office sees the whole town; a leader the same pages scoped to the teams they lead (a team
outside that scope answers 404); volunteers get 403. All figures come from reports.services.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..permissions import role_required, within_scope
from ..extensions import db
from ..figures import cached, ids_key
from ..clock import today_local
from ..hours.months import lock_state
from ..periods import month_text, period_for
from ..teams.models import ServiceCategory, Team
from ..views import ListPage, page_arg
from . import charts, services
from .forms import MONTH_CHOICES, ReportFilterForm

bp = Blueprint("reports", __name__, url_prefix="/reports")


@dataclass
class Filters:
    form: ReportFilterForm
    date_from: object
    date_to: object
    team_ids: list[int] | None
    category_ids: list[int] | None
    period_label: str
    scope_label: str
    args: dict  # the query string to carry to the other report pages
    year: int | None = None  # the period as a year (and month), None for a range of dates
    month: int | None = None
    lock: dict | None = None  # hours.months.lock_state of the period: 未锁账 and its pending count


def _allowed_teams():
    stmt = select(Team.id, Team.name).order_by(Team.is_active.desc(), Team.name)
    stmt = within_scope(stmt, Team.id, current_user)
    return db.session.execute(stmt).all()


def _filters() -> Filters:
    """Parse the query string into a period and a scope, refusing teams outside the user's."""
    today = today_local()
    teams = _allowed_teams()
    categories = db.session.execute(select(ServiceCategory.id, ServiceCategory.name)
                                    .order_by(ServiceCategory.sort_order, ServiceCategory.name)).all()
    raw_team = request.args.get("team_id", "")
    if raw_team not in ("", "0"):
        if not raw_team.isdigit() or int(raw_team) not in {t.id for t in teams}:
            abort(404)
    raw_cat = request.args.get("category_id", "")
    if raw_cat not in ("", "0") and (not raw_cat.isdigit() or int(raw_cat) not in {c.id for c in categories}):
        abort(404)

    form = ReportFilterForm(formdata=request.args or None)
    years = services.year_choices(today)
    form.year.choices = [(y, f"{y}年") for y in years]
    form.month.choices = MONTH_CHOICES
    form.team_id.choices = [(0, "全部队伍" if current_user.role == "office" else "我带领的全部队伍")] + \
        [(t.id, t.name) for t in teams]
    form.category_id.choices = [(0, "全部类别")] + [(c.id, c.name) for c in categories]
    if not request.args.get("year"):
        form.year.data = today.year
    if request.args:
        form.validate()
    for name, default in (("year", today.year), ("month", 0)):
        if getattr(form, name).errors:  # a year or month not on offer: quietly the default
            getattr(form, name).data, getattr(form, name).errors = default, []
    valid = not any(field.errors for field in form)

    year = month = None
    if valid and form.date_from.data and form.date_to.data:
        date_from, date_to = form.date_from.data, form.date_to.data
        period_label = f"{date_from} 至 {date_to}"
    else:
        year = form.year.data if form.year.data in years else today.year
        month = form.month.data if form.month.data in range(1, 13) else 0
        date_from, date_to = period_for(year, month or None)
        period_label = f"{year}年{month}月" if month else f"{year}年"

    team_names = dict((t.id, t.name) for t in teams)
    team_id = form.team_id.data if form.team_id.data in team_names else 0
    if team_id:
        team_ids, scope_label = [team_id], team_names[team_id]
    elif current_user.role == "office":
        team_ids, scope_label = None, "全镇"
    else:
        team_ids, scope_label = sorted(current_user.led_team_ids), "我带领的队伍"
    category_id = form.category_id.data if form.category_id.data in dict(categories) else 0
    category_ids = [category_id] if category_id else None
    if category_id:
        scope_label += " · " + dict(categories)[category_id]
    args = {k: v for k, v in request.args.items() if k in form.data and v not in ("", "0")}
    return Filters(form, date_from, date_to, team_ids, category_ids, period_label, scope_label, args,
                   year, month or None, lock_state(month_text(date_from), month_text(date_to), team_ids))


def _export_links(f: Filters, *, stars: bool = False) -> list[tuple[str, str]]:
    """(label, URL) of the downloads that match what the report page shows."""
    period = {"from": f.date_from.isoformat(), "to": f.date_to.isoformat()}
    if stars:  # the public list is the office's, town-wide
        return [("导出公示名单", url_for("exports.star_promotions", **period))] \
            if current_user.role == "office" else []
    # A team or a category chosen on the page is the only one in team_ids / category_ids; a
    # leader's unfiltered page is every team they lead, which the export scopes to by itself.
    links = [("导出本期服务记录明细", url_for(
        "exports.hours", status="approved", **period, team_id=f.team_ids[0] if f.form.team_id.data else None,
        category_id=f.category_ids[0] if f.category_ids else None))]
    if current_user.role == "office" and f.year and f.team_ids is None and f.category_ids is None:
        period = f"{f.year}年{f.month}月" if f.month else f"{f.year}年"
        links.append((f"导出{period}统计报表", url_for("exports.summary", year=f.year, month=f.month)))
    return links


def _charts(data, f: Filters) -> dict:
    series = data["month_series"]
    same_year = f.date_from.year == f.date_to.year
    label = lambda m: charts.month_label(m, same_year)  # noqa: E731
    return {
        "hours_by_month": charts.column_chart([(label(p["month"]), p["hours"]) for p in series],
                                              title="服务时长（按月）", unit="小时"),
        "registrations_by_month": charts.column_chart(
            [(label(p["month"]), p["new_volunteers"]) for p in series], title="新注册志愿者（按月）", unit="人",
            color="#0d6efd"),
        "hours_by_category": charts.bar_chart([(r["name"], r["hours"]) for r in data["by_category"]],
                                              title="服务时长（按类别）", unit="小时", color="#d35400"),
        "hours_by_team": charts.bar_chart([(r["name"], r["hours"]) for r in data["by_team"]],
                                          title="服务时长（按队伍排名）", unit="小时", color="#8e44ad"),
    }


@bp.route("/")
@role_required("office", "leader")
def index():
    f = _filters()
    # Year-long aggregates: computed once per change of the data (volunteer/figures.py).
    scope = (f.date_from, f.date_to, ids_key(f.team_ids), ids_key(f.category_ids))
    data = cached("reports.dashboard", scope,
                  lambda: services.dashboard(f.date_from, f.date_to, f.team_ids, f.category_ids))
    inactive = cached("reports.inactive_teams", (ids_key(f.team_ids), today_local()),
                      lambda: services.inactive_teams(f.team_ids))
    return render_template("reports/index.html", f=f, data=data, charts=_charts(data, f), inactive=inactive,
                           export_links=_export_links(f))


@bp.route("/ranking")
@role_required("office", "leader")
def ranking():
    f = _filters()
    per_page = current_app.config["PAGE_SIZE"]
    page_no = page_arg()
    scope = (f.date_from, f.date_to, ids_key(f.team_ids), ids_key(f.category_ids), page_no, per_page)
    rows, total = cached("reports.ranking", scope, lambda: services.ranking_page(
        f.date_from, f.date_to, f.team_ids, f.category_ids, limit=per_page, offset=(page_no - 1) * per_page))
    return render_template("reports/ranking.html", f=f, page=ListPage(rows, page_no, per_page, total),
                           export_links=_export_links(f))


@bp.route("/stars")
@role_required("office", "leader")
def stars():
    f = _filters()
    per_page = current_app.config["PAGE_SIZE"]
    page_no = page_arg()
    scope = (f.date_from, f.date_to, ids_key(f.team_ids), page_no, per_page)
    rows, total = cached("reports.stars", scope, lambda: services.star_page(
        f.date_from, f.date_to, f.team_ids, limit=per_page, offset=(page_no - 1) * per_page))
    return render_template("reports/stars.html", f=f, export_links=_export_links(f, stars=True),
                           page=ListPage(rows, page_no, per_page, total))
