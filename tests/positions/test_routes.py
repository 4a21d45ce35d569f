"""Position pages: office only; create/edit with validation; every change audited."""
import pytest
from sqlalchemy import func, select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.positions.models import Position


def audit_entries(action=None):
    stmt = select(AuditLog).order_by(AuditLog.id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(db.session.scalars(stmt))


def make_position(name, kind="station", parent=None, **kw):
    position = Position(name=name, kind=kind, parent_id=parent.id if parent else None, **kw)
    db.session.add(position)
    db.session.flush()
    return position


@pytest.fixture
def station():
    center = make_position("虹桥镇分中心", kind="center")
    station = make_position("虹桥站", parent=center, address="虹桥路1号")
    db.session.commit()
    return station


PAGES = ["/positions/", "/positions/new", "/positions/{id}/edit"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, station, url):
    response = client.get(url.format(id=station.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["volunteer", "leader"])
@pytest.mark.parametrize("url", PAGES)
def test_volunteer_and_leader_get_403(client, login_as, station, role, url):
    team = f.make_team()
    login_as(role, teams=[team] if role == "leader" else [])
    assert client.get(url.format(id=station.id)).status_code == 403
    assert client.post(url.format(id=station.id), data={"name": "x", "kind": "point"}).status_code in (403, 405)
    assert audit_entries() == []


@pytest.mark.parametrize("url", PAGES)
def test_office_gets_200(client, login_as, station, url):
    login_as("office")
    response = client.get(url.format(id=station.id))
    assert response.status_code == 200


def test_index_lists_kind_parent_address_and_team_count(client, login_as, station):
    f.make_team(position_id=station.id)
    f.make_team(position_id=station.id)
    db.session.commit()
    login_as("office")
    html = client.get("/positions/").text
    row = html[html.index("<td>虹桥站</td>"):]
    row = row[:row.index("</tr>")]
    assert "站" in row and "虹桥镇分中心" in row and "虹桥路1号" in row and ">2</a>" in row
    assert "虹桥镇分中心" in client.get("/positions/?kind=center").text
    assert "<td>虹桥站</td>" not in client.get("/positions/?kind=center").text


def test_create_point_is_audited(client, login_as, station):
    login_as("office")
    response = client.post("/positions/new", data={"name": "虹桥点一", "kind": "point", "parent_id": str(station.id),
                                                   "address": "虹桥路2号", "is_active": "y"})
    assert response.status_code == 302
    point = db.session.scalar(select(Position).where(Position.name == "虹桥点一"))
    assert (point.kind, point.parent_id, point.address, point.is_active) == ("point", station.id, "虹桥路2号", True)
    entry = audit_entries("position.create")[0]
    assert entry.object_id == str(point.id)
    assert entry.changes["after"] == {"name": "虹桥点一", "kind": "point", "parent_id": station.id,
                                      "address": "虹桥路2号", "is_active": True}


def test_duplicate_name_keeps_input_and_writes_nothing(client, login_as, station):
    login_as("office")
    response = client.post("/positions/new", data={"name": "虹桥站", "kind": "point", "address": "我输入的地址"})
    assert response.status_code == 200
    assert "阵地“虹桥站”已存在" in response.text and 'value="我输入的地址"' in response.text
    assert db.session.scalar(select(func.count()).select_from(Position)) == 2
    assert audit_entries() == []


@pytest.mark.parametrize("data,message", [
    ({"name": "", "kind": "point"}, "请填写阵地名称"),
    ({"name": "甲", "kind": "village"}, "类型无效"),
    ({"name": "甲", "kind": "point", "parent_id": "9999"}, "上级阵地不存在"),
])
def test_create_invalid(client, login_as, station, data, message):
    login_as("office")
    response = client.post("/positions/new", data=data)
    assert response.status_code == 200 and message in response.text
    assert db.session.scalar(select(func.count()).select_from(Position)) == 2


def test_edit_is_audited_and_refuses_loops(client, login_as, station):
    center = station.parent
    login_as("office")
    response = client.post(f"/positions/{center.id}/edit", data={"name": center.name, "kind": "center",
                                                                  "parent_id": str(station.id), "is_active": "y"})
    assert response.status_code == 200 and "上级阵地不能是它自己或它的下级" in response.text
    db.session.expire_all()
    assert db.session.get(Position, center.id).parent_id is None

    response = client.post(f"/positions/{station.id}/edit", data={"name": "虹桥新站", "kind": "station",
                                                                   "parent_id": str(center.id),
                                                                   "address": "虹桥路1号"})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Position, station.id)
    assert (changed.name, changed.is_active) == ("虹桥新站", False)
    entry = audit_entries("position.update")[0]
    assert entry.changes == {"before": {"name": "虹桥站", "is_active": True},
                             "after": {"name": "虹桥新站", "is_active": False}}


def test_edit_unknown_is_404(client, login_as):
    login_as("office")
    assert client.get("/positions/9999/edit").status_code == 404
