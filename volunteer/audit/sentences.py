"""The audit log as sentences a clerk can read: who did what to which record (by name), and
what changed (before → after), in Chinese. One renderer per action kind; every other action
gets the fallback sentence built from its verb, object and summary. Never a raw action code
or JSON.

Names are read for a whole page at once (`Names.load`: one query per object type), so a page
of 50 entries costs a handful of queries, not one per entry.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..activities.models import ACTIVITY_STATUS, Activity
from ..auth.models import User
from ..extensions import db
from ..fields import hours_of
from ..hours.models import RECORD_STATUS, ServiceRecord
from ..positions.models import Position
from ..teams.models import ServiceCategory, Team
from ..volunteers.models import STATUS_LABELS, Volunteer
from .models import AuditLog
from .queries import FIELD_LABELS, OBJECT_TYPES, _text

# The last part of an action code -> the verb of its sentence.
VERBS = {
    "create": "新建了", "update": "修改了", "status": "更改了状态：", "enable": "启用/停用了", "delete": "删除了",
    "lock": "锁定了", "issue": "出具了", "revoke": "撤销了", "reorder": "调整了顺序：", "password": "重设了密码：",
    "teams": "调整了负责队伍：", "leaders": "调整了队长：", "add_member": "添加了成员：", "invite": "发出了邀请：",
    "view_id": "查看了完整证件号：", "export_full_id": "导出了完整证件号花名册", "verify": "核验了",
    "signup": "报名了", "signup_cancel": "取消了报名：", "signup_leave": "登记了请假：", "signup_promote": "递补了报名：",
}
_MODELS = {"team": (Team, Team.name), "volunteer": (Volunteer, Volunteer.name), "activity": (Activity, Activity.title),
           "user": (User, User.username), "position": (Position, Position.name),
           "service_category": (ServiceCategory, ServiceCategory.name)}
_STATUS_WORDS = {**RECORD_STATUS, **ACTIVITY_STATUS, **STATUS_LABELS}


class Names:
    """Names of the objects a page of entries mentions, read in one query per type."""

    def __init__(self):
        self.by_type: dict[str, dict[int, str]] = defaultdict(dict)
        self.records: dict[int, tuple[str, str, int]] = {}  # id -> (volunteer, activity, minutes)
        self.actors: dict[int, str] = {}

    @classmethod
    def load(cls, entries: list[AuditLog]) -> "Names":
        names, wanted = cls(), defaultdict(set)
        for e in entries:
            if (e.object_id or "").isdigit():
                wanted[e.object_type].add(int(e.object_id))
            changes = e.changes if isinstance(e.changes, dict) else {}
            if e.action == "hours.log":
                for key in ("created", "updated"):
                    wanted["volunteer"].update(int(k) for k in (changes.get(key) or {}) if str(k).isdigit())
            if e.action in ("hours.approve", "integrity.confirm_many"):
                wanted["service_record"].update(i for i in (changes.get("records") or [])[:10] if isinstance(i, int))
        for kind, (model, column) in _MODELS.items():
            if wanted[kind]:
                names.by_type[kind] = dict(db.session.execute(select(model.id, column).where(model.id.in_(wanted[kind]))).all())
        if wanted["service_record"]:
            rows = db.session.execute(
                select(ServiceRecord.id, Volunteer.name, Activity.title, ServiceRecord.minutes)
                .join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
                .join(Activity, Activity.id == ServiceRecord.activity_id)
                .where(ServiceRecord.id.in_(wanted["service_record"])))
            names.records = {rid: (v, a, m) for rid, v, a, m in rows}
        actor_ids = {e.actor_id for e in entries if e.actor_id}
        if actor_ids:
            names.actors = {uid: display or username for uid, display, username in db.session.execute(
                select(User.id, User.display_name, User.username).where(User.id.in_(actor_ids)))}
        return names

    def of(self, kind: str, object_id) -> str | None:
        return self.by_type.get(kind, {}).get(int(object_id)) if str(object_id or "").isdigit() else None


def _who(e: AuditLog, names: Names) -> str:
    if e.actor_id and e.actor_id in names.actors:
        return names.actors[e.actor_id]
    return {"cli": "命令行", "system": "系统"}.get(e.actor_name, e.actor_name or "系统")


def _value(key: str, value) -> str:
    """A value as a clerk reads it: statuses in words, minutes as hours."""
    if key == "minutes" and isinstance(value, int):
        return f"{hours_of(value):g} 小时"
    if key == "status" and isinstance(value, str):
        return _STATUS_WORDS.get(value, value)
    if isinstance(value, dict):
        return "；".join(f"{FIELD_LABELS.get(k, k)}：{_value(k, v)}" for k, v in value.items())
    return _text(key, value)


def _record_phrase(names: Names, record_id) -> str:
    rec = names.records.get(int(record_id)) if str(record_id or "").isdigit() else None
    return f"{rec[0]} 在「{rec[1]}」的时长记录" if rec else f"时长记录 #{record_id}"


def _hours_log(e, names, changes) -> str:
    title = names.of("activity", e.object_id) or f"#{e.object_id}"
    vol = lambda vid: names.of("volunteer", vid) or f"志愿者 #{vid}"  # noqa: E731
    created = [f"{vol(v)} {_value('minutes', m)}" for v, m in (changes.get("created") or {}).items()]
    updated = [f"{vol(v)} {_value('minutes', c.get('before'))} → {_value('minutes', c.get('after'))}"
               for v, c in (changes.get("updated") or {}).items() if isinstance(c, dict)]
    parts = ([f"新增 {len(created)} 条（{'、'.join(created[:10])}{' 等' if len(created) > 10 else ''}）"] if created else []) + \
        ([f"修改 {len(updated)} 条（{'、'.join(updated[:10])}{' 等' if len(updated) > 10 else ''}）"] if updated else [])
    return f"为活动「{title}」登记时长" + ("：" + "，".join(parts) if parts else "")


def _hours_approve(e, names, changes) -> str:
    ids = changes.get("records") or []
    shown = [_record_phrase(names, i) for i in ids[:10]]
    return f"审核通过 {len(ids)} 条时长记录" + (f"：{'、'.join(shown)}{' 等' if len(ids) > 10 else ''}" if shown else "")


def _hours_void(e, names, changes) -> str:
    reason = (changes.get("after") or {}).get("reason") or changes.get("reason")
    return f"作废了{_record_phrase(names, e.object_id)}" + (f"，原因：{reason}" if reason else "")


def _hours_correct(e, names, changes) -> str:
    before, after = (changes.get("before") or {}).get("minutes"), (changes.get("after") or {}).get("minutes")
    reason = changes.get("reason")
    return (f"将{_record_phrase(names, e.object_id)}由 {_value('minutes', before)} 更正为 {_value('minutes', after)}"
            + (f"，原因：{reason}" if reason else ""))


def _confirm_many(e, names, changes) -> str:
    ids = changes.get("records") or []
    shown = [_record_phrase(names, i) for i in ids[:10]]
    return (f"在异常核查中批量确认 {len(ids)} 条无误：{'、'.join(shown)}{' 等' if len(ids) > 10 else ''}"
            + (f"，原因：{changes.get('reason')}" if changes.get("reason") else ""))


def _month_lock(e, names, changes) -> str:
    return f"锁定了 {e.object_id} 的账（月末结账）"


RENDERERS = {"hours.log": _hours_log, "hours.approve": _hours_approve, "hours.void": _hours_void,
             "hours.correct": _hours_correct, "month.lock": _month_lock,
             "integrity.confirm_many": _confirm_many}


def _fallback(e: AuditLog, names: Names, changes: dict) -> str:
    kind = OBJECT_TYPES.get(e.object_type, "记录")
    name = names.of(e.object_type, e.object_id)
    target = f"{kind}「{name}」" if name else (f"{kind} #{e.object_id}" if e.object_id else kind)
    verb = VERBS.get((e.action or "").rsplit(".", 1)[-1])
    if verb is None:
        return f"{e.summary or '进行了操作'}（{target}）"
    return f"{verb}{target}" + (f"：{e.summary}" if e.summary and e.summary not in verb else "")


def sentence(e: AuditLog, names: Names) -> str:
    """'张科员 审核通过 3 条时长记录：张三 在「植树」的时长记录、…' — who, then what."""
    changes = e.changes if isinstance(e.changes, dict) else {}
    render = RENDERERS.get(e.action, _fallback)
    return f"{_who(e, names)} {render(e, names, changes)}"


def changes_in_words(e: AuditLog) -> list[tuple[str, str, str]]:
    """(field, before, after) of a before/after entry, values in words (statuses, hours)."""
    changes = e.changes if isinstance(e.changes, dict) else {}
    before = changes.get("before") if isinstance(changes.get("before"), dict) else {}
    after = changes.get("after") if isinstance(changes.get("after"), dict) else {}
    keys = list(after) + [k for k in before if k not in after]
    return [(FIELD_LABELS.get(k, k), _value(k, before[k]) if k in before else "（无）",
             _value(k, after[k]) if k in after else "（无）") for k in keys]


def extras(e: AuditLog) -> list[tuple[str, str]]:
    """The entry's other details (not before/after, not what the sentence already said)."""
    changes = e.changes if isinstance(e.changes, dict) else {}
    said = {"before", "after", "records", "created", "updated", "reason", "items"} if e.action in RENDERERS else {"before", "after"}
    return [(FIELD_LABELS.get(k, k), _value(k, v)) for k, v in changes.items() if k not in said]
