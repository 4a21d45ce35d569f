"""What every command group shares: a one-line failure exit and the write intent.

It sits on the floor (imports nothing of a feature) so each feature's commands module can
use it while volunteer/cli.py imports those modules: the arrows point down, no cycle.
"""
import click

from .database import write_intent


def cli_write_intent() -> None:
    """CLI commands write: take SQLite's write lock at BEGIN rather than mid-transaction."""
    write_intent.set(True)


def fail(message: str, code: int = 2):
    """Print a one-line reason on stderr and exit with `code`."""
    click.echo(message, err=True)
    raise SystemExit(code)
