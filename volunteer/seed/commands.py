"""`flask seed demo`: deterministic demo data for an empty database."""
import click
from flask.cli import AppGroup

from ..auth.services import check_password_rules
from ..cli_support import cli_write_intent, fail
from ..errors import ServiceError
from ..extensions import db
from ..clock import today_local
from . import services

seed_cli = AppGroup("seed", help="演示数据 / demo data")


def _password(ctx, param, value):
    try:
        check_password_rules(value, services.OFFICE_USERNAME)
    except ServiceError as exc:
        raise click.BadParameter(exc.message) from None
    return value


@seed_cli.command("demo")
@click.option("--volunteers", type=click.IntRange(min=0), default=services.DEFAULT_VOLUNTEERS, show_default=True,
              help="志愿者人数")
@click.option("--activities", type=click.IntRange(min=0), default=services.DEFAULT_ACTIVITIES, show_default=True,
              help="活动场次")
@click.option("--records", type=click.IntRange(min=0), default=services.DEFAULT_RECORDS, show_default=True,
              help="服务记录条数")
@click.option("--seed", type=int, default=services.DEFAULT_SEED, show_default=True, help="随机种子（相同种子，相同数据）")
@click.option("--password", default=services.DEFAULT_PASSWORD, show_default=True, callback=_password,
              help="所有演示账号的密码")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True,
              help="以该日期为今天（测试用）")
def demo(volunteers, activities, records, seed, password, today):
    """Fill an empty database with demo data (refused when it has data)."""
    cli_write_intent()
    today = today.date() if today else today_local()
    try:
        summary = services.seed_demo(volunteers=volunteers, activities=activities, records=records,
                                     seed=seed, password=password, today=today)
    except ServiceError as exc:
        db.session.rollback()
        fail(exc.message, 1)
    db.session.commit()
    click.echo(
        f"已生成演示数据（种子 {seed}）：阵地 {summary['positions']} 个，队伍 {summary['teams']} 支，"
        f"志愿者 {summary['volunteers']} 名，活动 {summary['activities']} 场，服务记录 {summary['records']} 条"
        f"（已确认 {summary['approved']}，待审核 {summary['pending']}，已作废 {summary['void']}）。")
    click.echo(f"办公室账号：{summary['office']}　密码：{password}")
    click.echo(f"队长账号：{summary['leader']}（{summary['leader_team']}）　密码：{password}"
               f"；leader01–leader{summary['leaders']:02d} 各负责一支队伍，密码相同。")
