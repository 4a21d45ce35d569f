"""The data migration the lead freezes (volunteer/national/migration.py), run on real data."""
from sqlalchemy import select, text

from tests.factories import make_category, make_volunteer
from volunteer.extensions import db
from volunteer.national import mapping
from volunteer.national.migration import downgrade_sql, migration_sql
from volunteer.national.models import NationalCodeMap
from volunteer.teams.models import ServiceCategory


def _run(statements):
    for sql in statements:
        db.session.execute(text(sql))
    db.session.commit()


def _map():
    return {(r.field, r.value): r.code for r in db.session.scalars(select(NationalCodeMap))}


def test_migration_maps_todays_values_and_downgrade_undoes_it(app):
    make_volunteer(political_status="中共党员", education="本科")
    make_volunteer(political_status="民主党派成员", education="大专")
    make_volunteer(political_status="无党派人士", education="自学成才", id_type="护照",
                   gender="女", id_number="E1234567890123456")
    make_volunteer(political_status=None, education="")
    for name in ("扶老助残", "垃圾分类", "自创类别", "O'Brien"):
        make_category(name)
    db.session.commit()
    dialect = db.engine.dialect.name

    _run(migration_sql(dialect))
    rows = _map()
    assert rows[("political_status", "中共党员")] == "01"
    assert rows[("political_status", "民主党派成员")] == "20"
    assert rows[("political_status", "无党派人士")] == "12"
    assert rows[("education", "本科")] == "20" and rows[("education", "大专")] == "30"
    assert rows[("education", "自学成才")] == "99"
    assert rows[("id_type", "居民身份证")] == "01" and rows[("id_type", "护照")] == "05"
    assert rows[("gender", "女")] == "2"
    assert ("education", "") not in rows
    # The SQL and the Python default agree on every value it wrote.
    assert all(mapping.default_code(f, v) == c for (f, v), c in rows.items())
    codes = dict(db.session.execute(select(ServiceCategory.name, ServiceCategory.national_code)).all())
    assert codes == {"扶老助残": "0017", "垃圾分类": "0006", "自创类别": "0099", "O'Brien": "0099"}

    _run(migration_sql(dialect))  # a second run adds nothing
    assert _map() == rows

    _run(downgrade_sql(dialect))
    assert _map() == {}
    assert set(db.session.scalars(select(ServiceCategory.national_code))) == {"0099"}
