"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and PostgreSQL,
and the latest migration goes down and up again.

The tests' own databases come from create_all; the product's come from the migrations, so
this is where a model change without its migration (or the reverse) shows.
"""
import pytest
from sqlalchemy import create_engine, text

from tests.reliability import helpers as h

pytestmark = pytest.mark.slow


def _cli_ok(url, *args):
    result = h.flask_cli(url, *args)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout + result.stderr


def _schema_facts(url):
    """(figures triggers, name-prefix index present) of a database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                triggers = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                             "AND name LIKE 'trg_figures_%'")).scalar()
                indexes = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars().all()
                return triggers, "ix_volunteers_name_prefix" in indexes
            indexes = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'volunteers'")).scalars().all()
            triggers = conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_figures_%'")).scalar()
            return triggers, "ix_volunteers_name_prefix" in indexes
    finally:
        engine.dispose()


# SQLite: 18 per-row triggers and no second name index; PostgreSQL: 6 statement-level triggers and
# the varchar_pattern_ops index that LIKE 'prefix%' needs there.
HEAD = {"sqlite": (18, False), "postgresql": (6, True)}


def test_migrations_build_the_schema_of_the_models(tmp_path):
    with h.fresh_database(tmp_path, "migrations_check") as url:
        assert "No new upgrade operations detected" in _cli_ok(url, "db", "check")
        assert _schema_facts(url) == HEAD[h.backend()]


def test_the_latest_migration_goes_down_and_up_again(tmp_path):
    with h.fresh_database(tmp_path, "migrations_down_up") as url:
        _cli_ok(url, "db", "downgrade", "0002")
        assert _schema_facts(url) == (HEAD[h.backend()][0], True)  # as 0002 made it
        _cli_ok(url, "db", "upgrade")
        assert "No new upgrade operations detected" in _cli_ok(url, "db", "check")
        assert _schema_facts(url) == HEAD[h.backend()]
