"""Command line: `flask --app volunteer seed|users|import|export|backup`.

Commands call the same services as the pages, act as the system (audited as "cli") with
office rights, and commit once per command.
"""
import click
from flask import Flask
from flask.cli import AppGroup

from .database import write_intent

seed_cli = AppGroup("seed", help="演示数据 / demo data")
users_cli = AppGroup("users", help="账号 / logins")
import_cli = AppGroup("import", help="Excel 导入")
export_cli = AppGroup("export", help="Excel 导出")

# Feature modules that attach commands to the groups above.
COMMAND_MODULES = ("volunteer.auth.commands", "volunteer.seed.commands", "volunteer.excel.commands",
                   "volunteer.excel.export_commands",
                   "volunteer.backup")


def register_cli(app: Flask) -> None:
    from importlib import import_module

    for name in COMMAND_MODULES:
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "?"):
                raise
    for group in (seed_cli, users_cli, import_cli, export_cli):
        app.cli.add_command(group)
    from .backup import backup_command

    app.cli.add_command(backup_command)


def cli_write_intent() -> None:
    """CLI commands write: take SQLite's write lock at BEGIN rather than mid-transaction."""
    write_intent.set(True)


def fail(message: str, code: int = 2):
    """Print a one-line reason on stderr and exit with `code`."""
    click.echo(message, err=True)
    raise SystemExit(code)
