"""Property-based: hostile text never crashes the rules, the form or the Excel import."""
from datetime import date

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from volunteer.excel.importers import import_hours, import_volunteers
from volunteer.excel.vetting import FatalImportError
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.teams.models import TeamMembership
from volunteer.volunteers.models import Volunteer
from volunteer.volunteers.validators import COLUMN_NAMES, validate_volunteer

from tests import factories as f
from tests.hostile._helpers import NASTY, cell_safe, nasty_text, raw_value, xlsx

FIXTURE_OK = dict(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
TODAY = date(2026, 7, 1)
KEYS = list(COLUMN_NAMES)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), raw_value, max_size=len(KEYS)))
def test_validate_volunteer_never_raises(fields):
    cleaned, errors, warnings = validate_volunteer(fields, today=TODAY)
    assert set(KEYS) <= set(cleaned)
    for col, msg in errors + warnings:
        assert isinstance(col, str) and isinstance(msg, str) and msg


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(KEYS), st.sampled_from(NASTY))
def test_validate_volunteer_single_nasty_field(key, value):
    base = {"name": "张三", "id_number": f.make_id_number(), "phone": "13912345678"}
    base[key] = value
    validate_volunteer(base, today=TODAY)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@settings(**FIXTURE_OK)
@given(st.dictionaries(st.sampled_from(["name", "id_number", "phone", "birth_date", "employer", "community",
                                        "skills", "note", "guardian_name", "guardian_phone", "registered_on",
                                        "education", "gender", "id_type", "political_status"]),
                       nasty_text, min_size=1))
def test_create_form_never_500(app, client, login_as, fields):
    from volunteer.auth.models import User
    if db.session.scalar(select(func.count()).select_from(User)) == 0:
        login_as("office")
    before = _count(Volunteer)
    data = {"name": "李四", "id_number": f.make_id_number(), "phone": "13912345678"}
    data.update(fields)
    resp = client.post("/volunteers/new", data=data)
    assert resp.status_code in (200, 302, 400), resp.status_code
    after = _count(Volunteer)
    if resp.status_code != 302:
        assert after == before
    else:
        assert after == before + 1


VOL_HEADER = [COLUMN_NAMES[k] for k in KEYS]


def _assert_import_safe(fn, data, counted):
    before = {m: _count(m) for m in counted}
    try:
        report = fn(None, data, file_name="h.xlsx", today=TODAY)
    except FatalImportError:
        db.session.rollback()
        assert {m: _count(m) for m in counted} == before
        return None
    if report.get("rejected"):
        assert not report.get("written")
        assert {m: _count(m) for m in counted} == before
    db.session.rollback()
    return report


@settings(**FIXTURE_OK)
@given(st.lists(st.lists(raw_value, min_size=len(KEYS), max_size=len(KEYS)), min_size=1, max_size=4))
def test_volunteer_import_only_fatal_and_atomic(app, rows):
    if _count(Volunteer) == 0 and not db.session.query(f.Team).count():
        f.make_team("测试队")
        db.session.commit()
    rows = [[cell_safe(v) for v in r] for r in rows]
    # One certainly valid row too, so a write would be visible if a rejected row slipped through.
    rows.append(["王五", None, "居民身份证", f.make_id_number(serial=7), "13800000000", None, None, None, None,
                 None, "测试队", None, None, None, None, None])
    _assert_import_safe(import_volunteers, xlsx(VOL_HEADER, rows), (Volunteer, TeamMembership))


@settings(**FIXTURE_OK)
@given(st.lists(st.lists(raw_value, min_size=1, max_size=3), min_size=1, max_size=3))
def test_volunteer_import_garbage_header(app, rows):
    rows = [[cell_safe(v) for v in r] for r in rows]
    header = [cell_safe(v) for v in rows[0]]
    _assert_import_safe(import_volunteers, xlsx(["姓名", *header], rows[1:]), (Volunteer,))


HOURS_HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "活动日期", "服务时长", "服务类别", "备注"]


@settings(**FIXTURE_OK)
@given(st.lists(st.lists(raw_value, min_size=len(HOURS_HEADER), max_size=len(HOURS_HEADER)), min_size=1, max_size=4))
def test_hours_import_only_fatal_and_atomic(app, rows):
    if not db.session.query(f.Team).count():
        team = f.make_team("测试队")
        f.make_category("助力创全")
        f.make_volunteer("赵六", teams=[team], id_number="110105199001050020")
        db.session.commit()
    rows = [[cell_safe(v) for v in r] for r in rows]
    rows.append(["赵六", "110105199001050020", None, "测试队", "好活动", "2026-03-15", "2", "助力创全", None])
    from volunteer.activities.models import Activity
    _assert_import_safe(import_hours, xlsx(HOURS_HEADER, rows), (ServiceRecord, Activity))


def test_baseline_files_do_write(app):
    """The valid rows used above really are written when alone (so 'nothing written' means something)."""
    team = f.make_team("测试队")
    f.make_category("助力创全")
    db.session.commit()
    row = ["王五", None, "居民身份证", f.make_id_number(serial=7), "13800000000", None, None, None, None,
           None, "测试队", None, None, None, None, None]
    report = import_volunteers(None, xlsx(VOL_HEADER, [row]), file_name="v.xlsx", today=TODAY)
    assert report.get("written") and _count(Volunteer) == 1, dict(report)
    vol = db.session.scalars(select(Volunteer)).one()
    hours = [vol.name, vol.id_number, None, team.name, "好活动", "2026-03-15", "2", "助力创全", None]
    report = import_hours(None, xlsx(HOURS_HEADER, [hours]), file_name="h.xlsx", today=TODAY)
    assert report.get("written") and _count(ServiceRecord) == 1, dict(report)


@settings(max_examples=50, deadline=None)
@given(st.one_of(raw_value, st.sampled_from([-1.6666666666666666e+26, "-1e30", "-" + "9" * 40, "1e-40", 1e-300,
                                             "0." + "0" * 60 + "1", "24.0000000000000000000000000001"])))
def test_parse_hours_only_field_errors(value):
    from volunteer.fields import FieldError, parse_hours_to_minutes
    try:
        minutes = parse_hours_to_minutes(value)
    except FieldError:
        return
    assert 0 < minutes <= 24 * 60
