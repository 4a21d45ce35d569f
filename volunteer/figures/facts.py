"""Report facts kept exact by database triggers on `service_records` (approved records only).

What the report pages need for a year or a month, without reading the period's records:

* `report_cells` (team, category, month): records, minutes, and 活动次数 — a distinct count of
  activities, kept exact through `activity_months` (activity, team, category, month) -> records:
  a cell's `activities` moves by one only when such a row appears (0 -> n) or disappears (n -> 0).
* `volunteer_periods` (period "YYYY" or "YYYY-MM", team or 0 for the town, volunteer) -> records,
  minutes: the ranking of any year or month (index on period, team, minutes), and the presence
  behind `period_counts` (period, team) -> volunteers, 参与志愿者数, which does not add up across
  months or teams; it moves only when a presence row appears or disappears.
* `star_rises` (volunteer, period) -> levels and minutes before and at the end of the period,
  only where the level rose: the 公示 list of a year or month. Recomputed per volunteer from
  their approved records (a few dozen rows through ix_records_volunteer_cover) whenever one of
  them changes, because a record dated early moves every later cumulative total.

One set of statements (`apply_sql`) turns a relation of signed approved rows `d` (+1 a record
that now counts, -1 one that no longer does) into the changes of every fact table. The
triggers feed it: SQLite per row (NEW/OLD), PostgreSQL per statement (transition tables), and a
bulk load (figures.bulk_changes) collects its rows in `fact_deltas` and applies them once, or
rebuilds every table from the records in one statement each (`rebuild_sql`, the demo seed).

Arbitrary date ranges and category filters of distinct counts are not pre-aggregated: the
reports fall back to a GROUP BY over the records for them (reports/facts.py).
"""
from __future__ import annotations

from flask import current_app, has_app_context

from ..hours.stars import STAR_LEVELS

TOWN = 0  # the team key of the whole town in volunteer_periods and period_counts


def use_facts() -> bool:
    """False only when a test forces the GROUP BY path to compare the two."""
    return not has_app_context() or current_app.config.get("REPORT_FACTS", True)

RECORD_FACT_TABLES = ("report_cells", "activity_months", "volunteer_periods", "period_counts", "star_rises")
FACT_TABLES = RECORD_FACT_TABLES + ("registration_months",)  # the last one made of volunteers
SQLITE_PREFIX = "trg_facts_"     # the per-row triggers (set aside by a bulk load)
CAPTURE_PREFIX = "trg_factcap_"  # SQLite, during a bulk load: only collect rows in fact_deltas
PG_MODE = "volunteer.facts"      # transaction-local: '' apply, 'capture', 'off' (a rebuild follows)
COLUMNS = ("team_id", "category_id", "service_date", "volunteer_id", "activity_id", "minutes", "status")


def _month(dialect, expr):
    return f"substr({expr}, 1, 7)" if dialect == "sqlite" else f"to_char({expr}, 'YYYY-MM')"


def _year(dialect, expr):
    return f"substr({expr}, 1, 4)" if dialect == "sqlite" else f"to_char({expr}, 'YYYY')"


def level_case(expr: str) -> str:
    """SQL: the star level (CONTRACT section 6) of an approved-minutes expression."""
    branches = " ".join(f"WHEN {expr} >= {needed * 60} THEN {stars}" for needed, stars in STAR_LEVELS)
    return f"CASE {branches} ELSE 0 END"


def _signed(dialect, row: str, sign: int, where: str = "", source: str = "") -> str:
    """SELECT of the relation d's columns from one row alias (NEW, OLD, or a table alias r)."""
    return (f"SELECT {row}.team_id AS team_id, coalesce({row}.category_id, 0) AS category_id, "
            f"{_month(dialect, row + '.service_date')} AS month, {_year(dialect, row + '.service_date')} AS year, "
            f"{row}.volunteer_id AS volunteer_id, {row}.activity_id AS activity_id, {row}.minutes AS minutes, "
            f"{sign} AS sign {source} WHERE {row}.status = 'approved'{where}")


def deltas_from_table(dialect: str) -> str:
    """d over fact_deltas (the rows a bulk load collected)."""
    return (f"SELECT team_id, category_id, {_month(dialect, 'service_date')} AS month, "
            f"{_year(dialect, 'service_date')} AS year, volunteer_id, activity_id, minutes, sign FROM fact_deltas")


def apply_sql(dialect: str, d: str) -> list[str]:
    """The statements that add the signed rows of relation `d` to every fact table, in order:
    each presence counter is bumped before its presence rows change (it compares old and new)."""
    keys = ("SELECT CASE WHEN g.g < 2 THEN d.month ELSE d.year END AS period, "
            "CASE WHEN g.g IN (0, 2) THEN d.team_id ELSE 0 END AS team_id, d.volunteer_id, d.sign, d.minutes "
            f"FROM ({d}) d CROSS JOIN (SELECT 0 AS g UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) g")
    grouped_keys = (f"SELECT period, team_id, volunteer_id, sum(sign) AS n, sum(sign * minutes) AS m "
                    f"FROM ({keys}) k0 GROUP BY 1, 2, 3")
    acts = (f"SELECT activity_id, team_id, category_id, month, sum(sign) AS n FROM ({d}) d0 GROUP BY 1, 2, 3, 4")
    became = ("sum(CASE WHEN coalesce(p.records, 0) = 0 THEN 1 "
              "WHEN p.records + k.n = 0 THEN -1 ELSE 0 END)")
    # SQLite accepts no alias for the target of an upsert inside a trigger; PostgreSQL needs one.
    a, t = ("", "") if dialect == "sqlite" else ("AS t ", "t.")
    return [
        f"INSERT INTO report_cells {a}(team_id, category_id, month, records, minutes, activities) "
        f"SELECT d.team_id, d.category_id, d.month, sum(d.sign), sum(d.sign * d.minutes), 0 FROM ({d}) d "
        "WHERE true GROUP BY d.team_id, d.category_id, d.month "
        "ON CONFLICT (team_id, category_id, month) DO UPDATE "
        f"SET records = {t}records + excluded.records, minutes = {t}minutes + excluded.minutes",
        f"INSERT INTO report_cells {a}(team_id, category_id, month, records, minutes, activities) "
        f"SELECT k.team_id, k.category_id, k.month, 0, 0, {became} FROM ({acts}) k "
        "LEFT JOIN activity_months p ON p.activity_id = k.activity_id AND p.team_id = k.team_id "
        "AND p.category_id = k.category_id AND p.month = k.month "
        "WHERE k.n <> 0 GROUP BY k.team_id, k.category_id, k.month "
        f"ON CONFLICT (team_id, category_id, month) DO UPDATE SET activities = {t}activities + excluded.activities",
        f"INSERT INTO activity_months {a}(activity_id, team_id, category_id, month, records) "
        f"SELECT k.activity_id, k.team_id, k.category_id, k.month, k.n FROM ({acts}) k WHERE k.n <> 0 "
        f"ON CONFLICT (activity_id, team_id, category_id, month) DO UPDATE SET records = {t}records + excluded.records",
        f"DELETE FROM activity_months WHERE records = 0 AND activity_id IN (SELECT activity_id FROM ({d}) d)",
        f"INSERT INTO period_counts {a}(period, team_id, volunteers) "
        f"SELECT k.period, k.team_id, {became} FROM ({grouped_keys}) k "
        "LEFT JOIN volunteer_periods p ON p.period = k.period AND p.team_id = k.team_id "
        "AND p.volunteer_id = k.volunteer_id "
        "WHERE k.n <> 0 GROUP BY k.period, k.team_id "
        f"ON CONFLICT (period, team_id) DO UPDATE SET volunteers = {t}volunteers + excluded.volunteers",
        f"INSERT INTO volunteer_periods {a}(period, team_id, volunteer_id, records, minutes) "
        f"SELECT k.period, k.team_id, k.volunteer_id, k.n, k.m FROM ({grouped_keys}) k WHERE k.n <> 0 OR k.m <> 0 "
        "ON CONFLICT (period, team_id, volunteer_id) DO UPDATE "
        f"SET records = {t}records + excluded.records, minutes = {t}minutes + excluded.minutes",
        "DELETE FROM volunteer_periods WHERE records = 0",  # ix_volunteer_periods_empty
    ] + star_rises_sql(dialect, f"SELECT volunteer_id FROM ({d}) d")


def star_rises_sql(dialect: str, volunteers: str | None) -> list[str]:
    """Recompute star_rises of the volunteers `volunteers` selects (None: every volunteer)."""
    month, year = _month(dialect, "service_date"), _year(dialect, "service_date")
    which = f" AND volunteer_id IN ({volunteers})" if volunteers else ""
    sums = (f"SELECT volunteer_id, {month} AS period, sum(minutes) AS m FROM service_records "
            f"WHERE status = 'approved'{which} GROUP BY 1, 2 UNION ALL "
            f"SELECT volunteer_id, {year} AS period, sum(minutes) AS m FROM service_records "
            f"WHERE status = 'approved'{which} GROUP BY 1, 2")
    running = (f"SELECT volunteer_id, period, m, sum(m) OVER (PARTITION BY volunteer_id, length(period) "
               f"ORDER BY period) AS total FROM ({sums}) s")
    delete = f"DELETE FROM star_rises WHERE volunteer_id IN ({volunteers})" if volunteers else "DELETE FROM star_rises"
    return [
        delete,
        "INSERT INTO star_rises (volunteer_id, period, level_from, level_to, minutes_from, minutes_to) "
        f"SELECT volunteer_id, period, {level_case('total - m')}, {level_case('total')}, total - m, total "
        f"FROM ({running}) c WHERE {level_case('total')} > {level_case('total - m')}",
    ]


def rebuild_sql(dialect: str) -> list[str]:
    """Every fact table recounted from service_records, one statement each (a bulk load into an
    empty database, a repair, the migration)."""
    month = _month(dialect, "service_date")
    base = (f"SELECT volunteer_id, team_id, {month} AS month, count(*) AS n, sum(minutes) AS m "
            f"FROM service_records WHERE status = 'approved' GROUP BY 1, 2, 3")
    periods = (f"SELECT month AS period, team_id, volunteer_id, n, m FROM ({base}) b UNION ALL "
               f"SELECT month, 0, volunteer_id, sum(n), sum(m) FROM ({base}) b GROUP BY 1, 3 UNION ALL "
               f"SELECT substr(month, 1, 4), team_id, volunteer_id, sum(n), sum(m) FROM ({base}) b GROUP BY 1, 2, 3 "
               f"UNION ALL SELECT substr(month, 1, 4), 0, volunteer_id, sum(n), sum(m) FROM ({base}) b GROUP BY 1, 3")
    return [f"DELETE FROM {table}" for table in FACT_TABLES] + [
        "INSERT INTO report_cells (team_id, category_id, month, records, minutes, activities) "
        f"SELECT team_id, coalesce(category_id, 0), {month}, count(*), sum(minutes), count(DISTINCT activity_id) "
        "FROM service_records WHERE status = 'approved' GROUP BY 1, 2, 3",
        "INSERT INTO activity_months (activity_id, team_id, category_id, month, records) "
        f"SELECT activity_id, team_id, coalesce(category_id, 0), {month}, count(*) "
        "FROM service_records WHERE status = 'approved' GROUP BY 1, 2, 3, 4",
        f"INSERT INTO volunteer_periods (period, team_id, volunteer_id, records, minutes) {periods}",
        "INSERT INTO period_counts (period, team_id, volunteers) "
        "SELECT period, team_id, count(*) FROM volunteer_periods GROUP BY 1, 2",
        "INSERT INTO registration_months (month, status, volunteers) "
        f"SELECT {_month(dialect, 'registered_on')}, status, count(*) FROM volunteers GROUP BY 1, 2",
    ] + star_rises_sql(dialect, None)[1:]


# --- the triggers ------------------------------------------------------------------------------------

def _changed(a: str, b: str) -> str:
    return " OR ".join(f"{a}.{c} IS NOT {b}.{c}" for c in COLUMNS)


def trigger_ddl(dialect: str) -> list[str]:
    """The triggers that keep the fact tables equal to GROUP BYs over approved service_records."""
    if dialect == "sqlite":
        bodies = {
            "insert": ("AFTER INSERT", "WHEN NEW.status = 'approved'", _signed(dialect, "NEW", 1)),
            "delete": ("AFTER DELETE", "WHEN OLD.status = 'approved'", _signed(dialect, "OLD", -1)),
            "update": (f"AFTER UPDATE OF {', '.join(COLUMNS)}",
                       f"WHEN (OLD.status = 'approved' OR NEW.status = 'approved') AND ({_changed('OLD', 'NEW')})",
                       _signed(dialect, "OLD", -1) + " UNION ALL " + _signed(dialect, "NEW", 1)),
        }
        return [f"CREATE TRIGGER IF NOT EXISTS {SQLITE_PREFIX}{name} {when} ON service_records FOR EACH ROW "
                f"{cond} BEGIN " + " ".join(s + ";" for s in apply_sql(dialect, d)) + " END"
                for name, (when, cond, d) in bodies.items()]
    if dialect == "postgresql":
        diff = (f" AND ({', '.join('r.' + c for c in COLUMNS)}) IS DISTINCT FROM "
                f"({', '.join('o.' + c for c in COLUMNS)})")
        sources = {
            "insert": _signed(dialect, "r", 1, source="FROM new_rows r"),
            "delete": _signed(dialect, "r", -1, source="FROM old_rows r"),
            "update": _signed(dialect, "r", -1, source="FROM old_rows r JOIN new_rows o USING (id)", where=diff)
            + " UNION ALL " + _signed(dialect, "r", 1, source="FROM new_rows r JOIN old_rows o USING (id)", where=diff),
        }
        referencing = {"insert": "REFERENCING NEW TABLE AS new_rows", "delete": "REFERENCING OLD TABLE AS old_rows",
                       "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"}
        statements = []
        for name, d in sources.items():
            capture = ("INSERT INTO fact_deltas (team_id, category_id, service_date, volunteer_id, activity_id, "
                       "minutes, sign) SELECT team_id, category_id, to_date(month || '-01', 'YYYY-MM-DD'), "
                       f"volunteer_id, activity_id, minutes, sign FROM ({d}) d")
            body = (f"IF current_setting('{PG_MODE}', true) = 'off' THEN RETURN NULL; END IF; "
                    f"IF current_setting('{PG_MODE}', true) = 'capture' THEN {capture}; RETURN NULL; END IF; "
                    + " ".join(s + ";" for s in apply_sql(dialect, d)))
            statements += [
                f"CREATE OR REPLACE FUNCTION report_facts_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{body} RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS trg_report_facts_{name} ON service_records",
                f"CREATE TRIGGER trg_report_facts_{name} AFTER {name.upper()} ON service_records {referencing[name]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION report_facts_{name}()"]
        statements += [
            "CREATE OR REPLACE FUNCTION report_facts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + " ".join(f"DELETE FROM {t};" for t in RECORD_FACT_TABLES) + " RETURN NULL; END $$",
            "DROP TRIGGER IF EXISTS trg_report_facts_truncate ON service_records",
            "CREATE TRIGGER trg_report_facts_truncate AFTER TRUNCATE ON service_records "
            "FOR EACH STATEMENT EXECUTE FUNCTION report_facts_truncate()"]
        return statements
    return []


def registration_trigger_ddl(dialect: str) -> list[str]:
    """registration_months kept by triggers on volunteers (subtracting never creates a row, so
    emptying the table before volunteers leaves nothing negative behind)."""
    if dialect == "sqlite":
        add = ("INSERT INTO registration_months (month, status, volunteers) "
               "VALUES (substr(NEW.registered_on, 1, 7), NEW.status, 1) "
               "ON CONFLICT (month, status) DO UPDATE SET volunteers = volunteers + 1;")
        sub = ("UPDATE registration_months SET volunteers = volunteers - 1 "
               "WHERE month = substr(OLD.registered_on, 1, 7) AND status = OLD.status;")
        return [
            f"CREATE TRIGGER IF NOT EXISTS trg_registrations_insert AFTER INSERT ON volunteers FOR EACH ROW "
            f"BEGIN {add} END",
            f"CREATE TRIGGER IF NOT EXISTS trg_registrations_delete AFTER DELETE ON volunteers FOR EACH ROW "
            f"BEGIN {sub} END",
            "CREATE TRIGGER IF NOT EXISTS trg_registrations_update AFTER UPDATE OF registered_on, status "
            "ON volunteers FOR EACH ROW WHEN OLD.registered_on IS NOT NEW.registered_on "
            f"OR OLD.status IS NOT NEW.status BEGIN {sub} {add} END",
        ]
    if dialect == "postgresql":
        grouped = ("SELECT to_char(r.registered_on, 'YYYY-MM') AS month, r.status, count(*) AS n FROM {rows} r "
                   "{where} GROUP BY 1, 2")
        changed = ("JOIN {other} o USING (id) WHERE (r.registered_on, r.status) "
                   "IS DISTINCT FROM (o.registered_on, o.status)")
        add = ("INSERT INTO registration_months AS t (month, status, volunteers) " + grouped + " "
               "ON CONFLICT (month, status) DO UPDATE SET volunteers = t.volunteers + EXCLUDED.volunteers;")
        sub = ("UPDATE registration_months t SET volunteers = t.volunteers - d.n FROM (" + grouped + ") d "
               "WHERE t.month = d.month AND t.status = d.status;")
        bodies = {
            "insert": add.format(rows="new_rows", where=""),
            "delete": sub.format(rows="old_rows", where=""),
            "update": sub.format(rows="old_rows", where=changed.format(other="new_rows")) + " "
            + add.format(rows="new_rows", where=changed.format(other="old_rows")),
            "truncate": "DELETE FROM registration_months;",
        }
        referencing = {"insert": " REFERENCING NEW TABLE AS new_rows", "delete": " REFERENCING OLD TABLE AS old_rows",
                       "update": " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "truncate": ""}
        statements = []
        for name, body in bodies.items():
            statements += [
                f"CREATE OR REPLACE FUNCTION registration_months_{name}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN {body} RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS trg_registrations_{name} ON volunteers",
                f"CREATE TRIGGER trg_registrations_{name} AFTER {name.upper()} ON volunteers{referencing[name]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION registration_months_{name}()"]
        return statements
    return []


def capture_ddl() -> list[str]:
    """SQLite, during a bulk load: triggers that only collect the signed approved rows."""
    insert = ("INSERT INTO fact_deltas (team_id, category_id, service_date, volunteer_id, activity_id, minutes, sign) "
              "SELECT {r}.team_id, coalesce({r}.category_id, 0), {r}.service_date, {r}.volunteer_id, "
              "{r}.activity_id, {r}.minutes, {s} WHERE {r}.status = 'approved';")
    return [
        f"CREATE TRIGGER {CAPTURE_PREFIX}insert AFTER INSERT ON service_records FOR EACH ROW "
        f"WHEN NEW.status = 'approved' BEGIN {insert.format(r='NEW', s=1)} END",
        f"CREATE TRIGGER {CAPTURE_PREFIX}delete AFTER DELETE ON service_records FOR EACH ROW "
        f"WHEN OLD.status = 'approved' BEGIN {insert.format(r='OLD', s=-1)} END",
        f"CREATE TRIGGER {CAPTURE_PREFIX}update AFTER UPDATE OF {', '.join(COLUMNS)} ON service_records FOR EACH ROW "
        f"WHEN (OLD.status = 'approved' OR NEW.status = 'approved') AND ({_changed('OLD', 'NEW')}) "
        f"BEGIN {insert.format(r='OLD', s=-1)} {insert.format(r='NEW', s=1)} END",
    ]


def drop_ddl(dialect: str) -> list[str]:
    """Undo trigger_ddl and registration_trigger_ddl (a migration's downgrade)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {prefix}{e}" for prefix in (SQLITE_PREFIX, "trg_registrations_")
                for e in ("insert", "delete", "update")]
    if dialect == "postgresql":
        return [s for e in ("insert", "delete", "update", "truncate") for s in (
            f"DROP TRIGGER IF EXISTS trg_report_facts_{e} ON service_records",
            f"DROP FUNCTION IF EXISTS report_facts_{e}()",
            f"DROP TRIGGER IF EXISTS trg_registrations_{e} ON volunteers",
            f"DROP FUNCTION IF EXISTS registration_months_{e}()")]
    return []


def upgrade_sql(dialect: str) -> list[str]:
    """What the report facts' migration runs after creating the tables (freeze the text in the
    migration, as 0002 does): the triggers, then every table counted from the data."""
    return trigger_ddl(dialect) + registration_trigger_ddl(dialect) + (
        rebuild_sql(dialect) if dialect in ("sqlite", "postgresql") else [])
