"""The triggers behind the figures: the cache token and the per-month record tallies.

Created by migrations 0002 (token, tallies) and by create_all for the tests (the after_create
hook below, which also creates the report facts' triggers: figures/facts.py).
"""
from __future__ import annotations

from sqlalchemy import event, select

from ..extensions import db
from . import facts
from .models import DataVersion

FIGURES = "figures"
TRIGGER_PREFIX = f"trg_{FIGURES}_"  # the SQLite triggers that replace the token (trigger_ddl)
TRACKED_TABLES = ("service_records", "activities", "volunteers", "team_memberships", "teams", "service_categories")

SQLITE_NEW_TOKEN = "lower(hex(randomblob(16)))"
SQLITE_REPLACE_TOKEN = (f"INSERT INTO data_versions (name, token) VALUES ('{FIGURES}', {SQLITE_NEW_TOKEN}) "
                        f"ON CONFLICT (name) DO UPDATE SET token = excluded.token")
PG_FUNCTION = "figures_changed"
PG_FLAG = "volunteer.figures_changed"  # set (transaction-local) once this transaction replaced the token


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that make every change to TRACKED_TABLES replace the token."""
    if dialect == "sqlite":
        statements = []
        for table in TRACKED_TABLES:
            for event_name in ("INSERT", "UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS trg_{FIGURES}_{table}_{event_name.lower()} "
                    f"AFTER {event_name} ON {table} FOR EACH ROW BEGIN "
                    f"{SQLITE_REPLACE_TOKEN}; END")
        return statements
    if dialect == "postgresql":
        # Statement-level, and once per transaction: updating one row again and again in one
        # transaction costs PostgreSQL a walk along all its versions each time (20,000
        # single-row INSERTs took 3 s instead of 0.3 s). Other transactions only ever see the
        # token with the transaction's data, at its commit; the writing transaction itself
        # does not use the cache (cached() checks pg_current_xact_id_if_assigned()).
        statements = [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF current_setting('{PG_FLAG}', true) IS DISTINCT FROM 'on' THEN "
            f"INSERT INTO data_versions (name, token) "
            f"VALUES ('{FIGURES}', md5(random()::text || clock_timestamp()::text)) "
            f"ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token; "
            f"PERFORM set_config('{PG_FLAG}', 'on', true); END IF; RETURN NULL; END $$"]
        for table in TRACKED_TABLES:
            statements.append(f"DROP TRIGGER IF EXISTS trg_{FIGURES}_{table} ON {table}")
            statements.append(
                f"CREATE TRIGGER trg_{FIGURES}_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()")
        return statements
    return []  # other databases: no triggers, so cached() never caches (see current_token)


# A record adds itself to its tally row (created when missing); a deleted or changed record
# takes itself out of the row it is in (an UPDATE: a row that is not there stays absent, so
# emptying record_tallies before service_records never leaves negative rows behind).
_SQLITE_TALLY_ADD = (
    "INSERT INTO record_tallies (team_id, month, status, records, minutes) "
    "VALUES (NEW.team_id, substr(NEW.service_date, 1, 7), NEW.status, 1, NEW.minutes) "
    "ON CONFLICT (team_id, month, status) DO UPDATE "
    "SET records = records + 1, minutes = minutes + excluded.minutes;")
_SQLITE_TALLY_SUB = (
    "UPDATE record_tallies SET records = records - 1, minutes = minutes - OLD.minutes "
    "WHERE team_id = OLD.team_id AND month = substr(OLD.service_date, 1, 7) AND status = OLD.status;")
_PG_GROUPED = ("SELECT r.team_id, to_char(r.service_date, 'YYYY-MM') AS month, r.status, count(*) AS n, "
               "sum(r.minutes)::bigint AS m FROM {rows} r {where} GROUP BY 1, 2, 3")
_PG_TALLY_ADD = (
    "INSERT INTO record_tallies AS t (team_id, month, status, records, minutes) " + _PG_GROUPED + " "
    "ON CONFLICT (team_id, month, status) DO UPDATE "
    "SET records = t.records + EXCLUDED.records, minutes = t.minutes + EXCLUDED.minutes;")
_PG_TALLY_SUB = (
    "UPDATE record_tallies t SET records = t.records - d.n, minutes = t.minutes - d.m FROM (" + _PG_GROUPED + ") d "
    "WHERE t.team_id = d.team_id AND t.month = d.month AND t.status = d.status;")


def tally_trigger_ddl(dialect: str) -> list[str]:
    """The triggers that keep record_tallies equal to a GROUP BY over service_records."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS trg_record_tallies_insert AFTER INSERT ON service_records "
            f"FOR EACH ROW BEGIN {_SQLITE_TALLY_ADD} END",
            f"CREATE TRIGGER IF NOT EXISTS trg_record_tallies_delete AFTER DELETE ON service_records "
            f"FOR EACH ROW BEGIN {_SQLITE_TALLY_SUB} END",
            "CREATE TRIGGER IF NOT EXISTS trg_record_tallies_update "
            "AFTER UPDATE OF team_id, service_date, status, minutes ON service_records FOR EACH ROW "
            "WHEN OLD.team_id IS NOT NEW.team_id OR OLD.service_date IS NOT NEW.service_date "
            "OR OLD.status IS NOT NEW.status OR OLD.minutes IS NOT NEW.minutes "
            f"BEGIN {_SQLITE_TALLY_SUB} {_SQLITE_TALLY_ADD} END",
        ]
    if dialect == "postgresql":
        changed = ("JOIN {other} o USING (id) WHERE (r.team_id, r.service_date, r.status, r.minutes) "
                   "IS DISTINCT FROM (o.team_id, o.service_date, o.status, o.minutes)")
        functions = {
            "insert": _PG_TALLY_ADD.format(rows="new_rows", where=""),
            "delete": _PG_TALLY_SUB.format(rows="old_rows", where=""),
            "update": _PG_TALLY_SUB.format(rows="old_rows", where=changed.format(other="new_rows"))
            + " " + _PG_TALLY_ADD.format(rows="new_rows", where=changed.format(other="old_rows")),
            "truncate": "DELETE FROM record_tallies;",
        }
        referencing = {"insert": "REFERENCING NEW TABLE AS new_rows",
                       "delete": "REFERENCING OLD TABLE AS old_rows",
                       "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "truncate": ""}
        statements = []
        for event_name, body in functions.items():
            statements.append(f"CREATE OR REPLACE FUNCTION record_tallies_{event_name}() RETURNS trigger "
                              f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")
            statements.append(f"DROP TRIGGER IF EXISTS trg_record_tallies_{event_name} ON service_records")
            statements.append(f"CREATE TRIGGER trg_record_tallies_{event_name} AFTER {event_name.upper()} "
                              f"ON service_records {referencing[event_name]} FOR EACH STATEMENT "
                              f"EXECUTE FUNCTION record_tallies_{event_name}()".replace("  ", " "))
        return statements
    return []


def initial_row_sql(dialect: str) -> str:
    token = SQLITE_NEW_TOKEN if dialect == "sqlite" else "md5(random()::text || clock_timestamp()::text)"
    return f"INSERT INTO data_versions (name, token) VALUES ('{FIGURES}', {token})"


@event.listens_for(db.metadata, "after_create")
def _create_triggers(metadata, connection, **kw):
    """create_all (tests): add the triggers once every table they read and write exists."""
    names = {t.name for t in metadata.sorted_tables}
    if not set(TRACKED_TABLES) | {"data_versions", "record_tallies", "fact_deltas"} | set(facts.FACT_TABLES) <= names:
        return
    dialect = connection.dialect.name
    for statement in trigger_ddl(dialect) + tally_trigger_ddl(dialect) + facts.trigger_ddl(dialect) \
            + facts.registration_trigger_ddl(dialect):
        connection.exec_driver_sql(statement)
    if dialect in ("sqlite", "postgresql") and connection.execute(
            select(DataVersion.token).where(DataVersion.name == FIGURES)).first() is None:
        connection.exec_driver_sql(initial_row_sql(dialect))
