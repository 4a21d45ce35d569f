"""Reading the audit log for the viewer: filters, keyset pages (newest first), and the
before/after changes as rows a template can show."""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..clock import CHINA_TZ
from ..privacy import mask_id
from .models import AuditLog

OBJECT_TYPES = {
    "volunteer": "志愿者", "team": "队伍", "user": "账号", "position": "阵地", "service_category": "服务类别",
    "activity": "活动", "service_record": "服务记录", "certificate": "证明", "import": "导入", "export": "导出",
    "month_lock": "月度锁账", "setting": "设置", "integrity": "异常核查", "import_batch": "导入批次",
    "database": "数据库", "training": "培训", "commendation": "表彰", "evaluation": "服务评价",
}

# Field names seen in before/after snapshots -> Chinese labels (unknown names are shown as is).
FIELD_LABELS = {
    "name": "名称", "kind": "类型", "position_id": "所属阵地ID", "leader_name": "队长姓名", "leader_phone": "队长手机",
    "category": "服务类别", "founded_on": "成立日期", "description": "简介", "is_active": "在用", "leaders": "队长账号",
    "parent_id": "上级阵地ID", "address": "地址", "sort_order": "排序号", "username": "用户名", "role": "角色",
    "teams": "队伍", "volunteer_id": "志愿者ID", "is_enabled": "启用", "gender": "性别", "id_type": "证件类型",
    "id_number": "证件号码", "phone": "手机号码", "birth_date": "出生日期", "political_status": "政治面貌",
    "education": "文化程度", "employer": "工作单位", "community": "居住社区", "skills": "服务特长",
    "guardian_name": "监护人姓名", "guardian_phone": "监护人电话", "registered_on": "注册日期", "note": "备注",
    "status": "状态", "minutes": "时长（分钟）", "title": "活动名称", "service_date": "活动日期", "team_id": "队伍ID",
    "category_id": "服务类别ID", "start_time": "开始时间", "end_time": "结束时间", "place": "地点",
    "teams_added": "新加入队伍", "void_reason": "作废原因", "records": "涉及记录", "file": "文件",
    "created": "新增", "updated": "更新", "activities_created": "新建活动", "path": "路径",
    "reason": "原因", "month": "月份", "volunteer": "志愿者", "count": "数量",
    "held_on": "培训日期", "mode": "培训方式", "organiser": "组织者", "level": "级别", "awarded_on": "表彰日期",
    "awarded_by": "授予单位", "record_id": "服务记录ID", "punctuality": "守时", "attitude": "服务态度",
    "skill": "专业水平", "comment": "评语", "volunteers": "涉及志愿者ID", "commendation_id": "表彰ID",
    "evaluation_id": "评价ID", "sections": "附加内容", "trainings_created": "新建培训", "attendances": "参训登记",
    "replaced": "被取代的评价",
    "application_id": "入队申请ID", "accepts_applications": "接受入队申请", "must_change_password": "须修改密码",
    "erase_requested": "申请清除个人信息", "signups_cancelled": "取消的报名", "fields": "清除的项目",
    "sessions_ended": "退出的登录", "member": "队员", "verified": "已核实",
}
PAGE_SIZE = 50
_LIST_PREVIEW = 30


@dataclass
class AuditFilters:
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    date_from: date | None = None  # Beijing dates, inclusive
    date_to: date | None = None


@dataclass
class AuditPage:
    items: list = field(default_factory=list)
    has_newer: bool = False
    has_older: bool = False

    @property
    def newer_cursor(self):
        return self.items[0].id if self.items else None

    @property
    def older_cursor(self):
        return self.items[-1].id if self.items else None


def beijing_day_start_utc(day: date) -> datetime:
    """00:00 Beijing time of `day`, as the naive UTC the log stores."""
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _conditions(f: AuditFilters) -> list:
    conds = []
    if f.actor:
        conds.append(AuditLog.actor_name == f.actor.strip())
    if f.object_type:
        conds.append(AuditLog.object_type == f.object_type)
    if f.object_id:
        conds.append(AuditLog.object_id == str(f.object_id).strip())
    if f.action:
        action = f.action.strip()
        # "team" also finds team.create, team.update...; "team.create" only itself.
        conds.append(or_(AuditLog.action == action, AuditLog.action.startswith(action + ".", autoescape=True)))
    if f.date_from:
        conds.append(AuditLog.created_at >= beijing_day_start_utc(f.date_from))
    if f.date_to:
        conds.append(AuditLog.created_at < beijing_day_start_utc(f.date_to + timedelta(days=1)))
    return conds


def _older_than(anchor: AuditLog):
    return or_(AuditLog.created_at < anchor.created_at,
               and_(AuditLog.created_at == anchor.created_at, AuditLog.id < anchor.id))


def _newer_than(anchor: AuditLog):
    return or_(AuditLog.created_at > anchor.created_at,
               and_(AuditLog.created_at == anchor.created_at, AuditLog.id > anchor.id))


def _exists(conds) -> bool:
    return db.session.execute(select(AuditLog.id).where(*conds).limit(1)).first() is not None


def audit_page(filters: AuditFilters, *, older: int | None = None, newer: int | None = None,
               limit: int = PAGE_SIZE) -> AuditPage:
    """One page, newest first. `older=<id>`: the page after that entry; `newer=<id>`: the page
    before it. Keyset on (created_at, id), so deep pages cost the same as the first."""
    conds = _conditions(filters)
    anchor = db.session.get(AuditLog, older or newer) if (older or newer) else None
    newest_first = (AuditLog.created_at.desc(), AuditLog.id.desc())
    if anchor is not None and newer and not older:
        stmt = (select(AuditLog).where(*conds, _newer_than(anchor))
                .order_by(AuditLog.created_at.asc(), AuditLog.id.asc()).limit(limit + 1))
        rows = list(db.session.scalars(stmt))
        has_newer = len(rows) > limit
        items = list(reversed(rows[:limit]))
        # The anchor itself is older than this page; whether it still matches is another question.
        has_older = _exists(conds + [_older_than(items[-1] if items else anchor)])
        return AuditPage(items, has_newer, has_older)
    stmt = select(AuditLog).where(*conds)
    if anchor is not None:
        stmt = stmt.where(_older_than(anchor))
    rows = list(db.session.scalars(stmt.order_by(*newest_first).limit(limit + 1)))
    items = rows[:limit]
    has_older = len(rows) > limit
    has_newer = anchor is not None and bool(items) and _exists(conds + [_newer_than(items[0])])
    return AuditPage(items, has_newer, has_older)


def object_types(selected: str | None = None) -> list[tuple[str, str]]:
    """(type, label) for the filter: the known types, plus the selected one if it is another.
    (No SELECT DISTINCT over the whole log on every page view.)"""
    known = list(OBJECT_TYPES.items())
    if selected and selected not in OBJECT_TYPES:
        known.append((selected, selected))
    return known


def _masked(key: str, value):
    """The value with every ID number in it masked, however deeply nested (bulk entries)."""
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(key, v) for v in value]
    if "id_number" in key and isinstance(value, str):
        return mask_id(value)  # the full number is shown only on the volunteer page, audited
    if key == "birth_date" and value:
        # The office's mask hides exactly the birth date: shown beside it, the two rebuild the
        # full number without the audited reveal.
        return "****-**-**"
    return value


def _text(key: str, value) -> str:
    value = _masked(key, value)
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        items = [_text(key, v) for v in value[:_LIST_PREVIEW]]
        more = f" 等共 {len(value)} 项" if len(value) > _LIST_PREVIEW else ""
        return "、".join(items) + more if items else "（无）"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def change_rows(entry: AuditLog) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(rows of (field label, before text, after text), other (label, text) items)."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    before = changes.get("before") if isinstance(changes.get("before"), dict) else {}
    after = changes.get("after") if isinstance(changes.get("after"), dict) else {}
    keys = list(after) + [k for k in before if k not in after]
    rows = []
    for key in keys:
        label = FIELD_LABELS.get(key, key)
        rows.append((label, _text(key, before[key]) if key in before else "",
                     _text(key, after[key]) if key in after else ""))
    extras = [(FIELD_LABELS.get(k, k), _text(k, v)) for k, v in changes.items() if k not in ("before", "after")]
    return rows, extras
