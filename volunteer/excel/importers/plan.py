"""What an import will write, row by row, for the web preview (CONTRACT section 12).

The importers decide each row (add, update, unchanged); these helpers turn the first rows of
each decision into plain, JSON-able entries that the preview lists, so the office sees exactly
what confirming writes.  What a role may see applies here, since the entries are stored with
the pending import: ID numbers through ``privacy.id_for`` (the office's mask, or the last 4),
and a birth date is never shown beside a mask (a change of it says only that it changes).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ...privacy import id_for
from ...volunteers.validators import COLUMN_NAMES
from .common import ImportReport, hours_text

HIDDEN = "（不显示）"  # a birth date beside the office's mask would be the full ID number
TEAM_LABELS = {"kind": "队伍类型", "position_id": "所属阵地", "leader_name": "队长姓名", "leader_phone": "队长手机",
               "category": "服务类别", "founded_on": "成立日期", "description": "简介"}


def shown(value: Any) -> str:
    """A value as the preview prints it ('' for nothing)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "、".join(shown(v) for v in value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def volunteer_created(report: ImportReport, actor, number: int, cleaned: dict) -> None:
    if report.plans("create"):
        report.plan["create"].append({"row": number, "name": cleaned["name"], "id": id_for(actor, cleaned["id_number"]),
                                      "phone": shown(cleaned.get("phone")), "teams": shown(cleaned.get("teams"))})


def volunteer_updated(report: ImportReport, actor, number: int, current: dict, changes: dict,
                      teams_added: list[str]) -> None:
    if not report.plans("update"):
        return
    fields = [] if current.get("verified", True) else [["身份", "未核实（自助注册）", "已核实"]]
    for key, after in changes.items():
        before = current.get(key)
        if key == "birth_date":
            fields.append([COLUMN_NAMES[key], HIDDEN if before else "", HIDDEN])
        else:
            fields.append([COLUMN_NAMES[key], shown(before), shown(after)])
    if teams_added:
        fields.append([COLUMN_NAMES["teams"], "", "加入 " + shown(teams_added)])
    report.plan["update"].append({"row": number, "name": current["name"], "id": id_for(actor, current["id_number"]),
                                  "changes": fields})


def team_created(report: ImportReport, number: int, values: dict) -> None:
    if report.plans("create"):
        report.plan["create"].append({"row": number, "name": values.get("name"), "kind": values.get("kind"),
                                      "position": values.get("position") or "", "leader": values.get("leader_name") or ""})


def team_updated(report: ImportReport, number: int, team, changes: dict, values: dict) -> None:
    if not report.plans("update"):
        return
    fields = []
    for key, after in changes.items():
        if key == "position_id":
            before, after = (team.position.name if team.position else ""), values.get("position")
        else:
            before = getattr(team, key)
        fields.append([TEAM_LABELS.get(key, key), shown(before), shown(after)])
    report.plan["update"].append({"row": number, "name": team.name, "changes": fields})


def hours_created(report: ImportReport, actor, r) -> None:
    """A service record to add (row ``r`` of the hours importer)."""
    if report.plans("create"):
        report.plan["create"].append({"row": r.number, "name": r.name, "id": id_for(actor, r.id_number) if r.id_number
                                      else "", "team": r.team, "activity": r.title, "date": shown(r.service_date),
                                      "hours": hours_text(r.minutes)})


def hours_activities(report: ImportReport, activities: dict, team_names: dict[int, str]) -> None:
    """The activities the import will create, each with the records it will hold."""
    for (team_id, title, day), act in activities.items():
        if act.id is None and act.accepted and report.plans("activities"):
            report.plan["activities"].append({"team": team_names.get(team_id, ""), "title": title, "date": shown(day),
                                              "category": act.category or "", "time": _times(act.start, act.end),
                                              "records": act.accepted})


def _times(start: time | None, end: time | None) -> str:
    return f"{shown(start)}–{shown(end)}" if start or end else ""
