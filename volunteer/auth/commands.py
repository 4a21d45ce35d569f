"""`flask users create`: make a login from the command line."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..cli_support import cli_write_intent, fail
from ..errors import ServiceError
from ..extensions import db
from ..fields import FieldError
from ..teams.models import Team
from ..volunteers.models import Volunteer
from ..volunteers.lookup import key_conditions
from ..volunteers.validators import normalize_id_number
from . import services

users_cli = AppGroup("users", help="账号 / logins")


@users_cli.command("create")
@click.option("--role", type=click.Choice(services.ROLES), required=True)
@click.option("--username", required=True)
@click.option("--password", default=None, help="省略时提示输入")
@click.option("--team", "teams", multiple=True, help="队长负责的队伍名称，可重复")
@click.option("--volunteer", "id_number", default=None, help="关联的志愿者证件号码")
@click.option("--name", "display_name", default=None)
def create(role, username, password, teams, id_number, display_name):
    """Create a login (office, leader or volunteer)."""
    cli_write_intent()
    if password is None:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    team_objs = []
    for name in teams:
        team = db.session.scalar(select(Team).where(Team.name == name))
        if team is None:
            fail(f"队伍不存在：{name}", 1)
        team_objs.append(team)
    volunteer = None
    if id_number:
        try:
            number = normalize_id_number(id_number) if len(id_number.strip()) == 18 else id_number.strip().upper()
        except FieldError as exc:
            fail(f"证件号码无效：{exc.message}", 1)
        volunteer = db.session.scalar(select(Volunteer).where(*key_conditions(id_number=number)))
        if volunteer is None:
            fail("没有找到该证件号码的志愿者。", 1)
    try:
        services.create_user(None, role=role, username=username, password=password, teams=team_objs,
                             volunteer=volunteer, display_name=display_name)
    except ServiceError as exc:
        db.session.rollback()
        fail(exc.message, 1)
    db.session.commit()
    click.echo(f"已创建账号 {username}（{role}）")
