"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and PostgreSQL,
and the latest migration goes down and up again without losing the figures' triggers.

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
    """(figures triggers that a bulk write can pause, name-prefix index present) of a database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                triggers = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                             "AND name LIKE 'trg_figures_%'")).scalars().all()
                indexes = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars().all()
                return len(triggers), sum("figures_paused" in t for t in triggers), "ix_volunteers_name_prefix" in indexes
            indexes = conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'volunteers'")).scalars().all()
            triggers = conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_figures_%'")).scalar()
            return triggers, 0, "ix_volunteers_name_prefix" in indexes
    finally:
        engine.dispose()


def test_migrations_build_the_schema_of_the_models(tmp_path):
    with h.fresh_database(tmp_path, "migrations_check") as url:
        assert "No new upgrade operations detected" in _cli_ok(url, "db", "check")
        if h.backend() == "sqlite":
            # 18 per-row triggers, each standing down during a bulk write; no second name index.
            assert _schema_facts(url) == (18, 18, False)
        else:
            # Statement-level triggers; LIKE 'prefix%' needs the varchar_pattern_ops index.
            assert _schema_facts(url) == (6, 0, True)


def test_the_latest_migration_goes_down_and_up_again(tmp_path):
    with h.fresh_database(tmp_path, "migrations_down_up") as url:
        _cli_ok(url, "db", "downgrade", "0002")
        if h.backend() == "sqlite":
            assert _schema_facts(url) == (18, 0, True)  # as 0002 made them
        _cli_ok(url, "db", "upgrade")
        assert "No new upgrade operations detected" in _cli_ok(url, "db", "check")
        assert _schema_facts(url) == ((18, 18, False) if h.backend() == "sqlite" else (6, 0, True))
