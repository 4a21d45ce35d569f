"""The office's mapping page (/national/codes)."""
from tests.factories import make_category, make_volunteer
from volunteer.extensions import db
from volunteer.national import mapping


def test_office_sees_stored_values_with_their_national_names(app, client, login_as):
    make_volunteer(political_status="民主党派成员")
    make_category("扶老助残", national_code="0017")
    db.session.commit()
    login_as("office")
    page = client.get("/national/codes").get_data(as_text=True)
    assert "民主党派成员" in page and "20 其他" in page
    assert "扶老助残" in page and "0017 关爱特殊群体" in page


def test_office_changes_a_code_and_a_category(app, client, login_as):
    make_volunteer(education="中技")
    category = make_category("自创类别")
    db.session.commit()
    login_as("office")
    response = client.post("/national/codes", data={"field": "education", "value": "中技", "code": "50"})
    assert response.status_code == 302
    assert mapping.code_for("education", "中技") == "50"
    client.post("/national/codes", data={"field": "service_category", "value": str(category.id), "code": "0006"})
    db.session.refresh(category)
    assert category.national_code == "0006"
    page = client.get("/national/codes").get_data(as_text=True)
    assert "已保存国家代码对应关系" in page and "已调整" in page


def test_a_code_outside_the_table_is_refused_with_a_message(app, client, login_as):
    make_volunteer(education="中技")
    db.session.commit()
    login_as("office")
    page = client.post("/national/codes", data={"field": "education", "value": "中技", "code": "77"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Not a valid choice" not in page and "国家代码" in page
    assert mapping.code_for("education", "中技") == "40"


def test_leaders_may_not_see_the_page(app, client, login_as):
    login_as("leader")
    assert client.get("/national/codes").status_code == 403
