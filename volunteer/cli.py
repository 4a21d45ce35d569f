"""Command line: `flask --app volunteer seed|users|import|export|backup`.

Commands call the same services as the pages, act as the system (audited as "cli") with
office rights, and commit once per command. Each feature owns its command group; this
module only imports them explicitly and adds them to the app (nothing attaches itself as an
import side effect, so nothing here is imported back).
"""
from flask import Flask

from .auth.commands import users_cli
from .backup import backup_command
from .excel.commands import import_cli
from .excel.export_commands import export_cli
from .seed.commands import seed_cli


def register_cli(app: Flask) -> None:
    for command in (seed_cli, users_cli, import_cli, export_cli, backup_command):
        app.cli.add_command(command)
