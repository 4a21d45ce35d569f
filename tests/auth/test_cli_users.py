"""`flask users create` keeps the same rules as the office's page (auth/services.create_user)."""
from sqlalchemy import select

from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.teams.models import Team


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["users", "create", *args])


def test_an_office_login_cannot_lead_a_team(app):
    with app.app_context():
        db.session.add(Team(name="甲队", kind="居委"))
        db.session.commit()
    result = _invoke(app, "--role", "office", "--username", "office2", "--password", "Secret-pass-2024",
                     "--team", "甲队")
    assert result.exit_code == 1
    assert "只有队长账号可以负责队伍" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "office2")) is None


def test_a_leader_login_leads_its_team(app):
    with app.app_context():
        db.session.add(Team(name="甲队", kind="居委"))
        db.session.commit()
    result = _invoke(app, "--role", "leader", "--username", "leader2", "--password", "Secret-pass-2024",
                     "--team", "甲队")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "leader2"))
        assert [t.name for t in user.led_teams] == ["甲队"]
