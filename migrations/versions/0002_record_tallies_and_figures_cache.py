"""record tallies, figures-cache token (with their triggers) and prefix-search indexes

- `record_tallies`: service records counted and summed per (team, month, status), kept equal
  to a GROUP BY over service_records by triggers, and filled here from the existing records.
- `data_versions`: one row whose random token the triggers replace on every change to the
  tables that cached counts, sums and reports are made of.
- `ix_volunteers_name_prefix`: LIKE '王%' on PostgreSQL needs the varchar_pattern_ops operator
  class (in any collation but C); on SQLite a plain index on name.
- `ix_volunteers_phone`: the same operator class on PostgreSQL (equality still served).

See volunteer/figures.py. The trigger DDL is frozen here as it was written on that day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TRACKED_TABLES = ('service_records', 'activities', 'volunteers', 'team_memberships', 'teams', 'service_categories')

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_records_insert AFTER INSERT ON service_records FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_records_update AFTER UPDATE ON service_records FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_records_delete AFTER DELETE ON service_records FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_activities_insert AFTER INSERT ON activities FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_activities_update AFTER UPDATE ON activities FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_activities_delete AFTER DELETE ON activities FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_volunteers_insert AFTER INSERT ON volunteers FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_volunteers_update AFTER UPDATE ON volunteers FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_volunteers_delete AFTER DELETE ON volunteers FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_team_memberships_insert AFTER INSERT ON team_memberships FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_team_memberships_update AFTER UPDATE ON team_memberships FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_team_memberships_delete AFTER DELETE ON team_memberships FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_teams_insert AFTER INSERT ON teams FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_teams_update AFTER UPDATE ON teams FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_teams_delete AFTER DELETE ON teams FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_categories_insert AFTER INSERT ON service_categories FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_categories_update AFTER UPDATE ON service_categories FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_categories_delete AFTER DELETE ON service_categories FOR EACH ROW BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    'CREATE TRIGGER IF NOT EXISTS trg_record_tallies_insert AFTER INSERT ON service_records FOR EACH ROW BEGIN INSERT INTO record_tallies (team_id, month, status, records, minutes) VALUES (NEW.team_id, substr(NEW.service_date, 1, 7), NEW.status, 1, NEW.minutes) ON CONFLICT (team_id, month, status) DO UPDATE SET records = records + 1, minutes = minutes + excluded.minutes; END',
    'CREATE TRIGGER IF NOT EXISTS trg_record_tallies_delete AFTER DELETE ON service_records FOR EACH ROW BEGIN UPDATE record_tallies SET records = records - 1, minutes = minutes - OLD.minutes WHERE team_id = OLD.team_id AND month = substr(OLD.service_date, 1, 7) AND status = OLD.status; END',
    'CREATE TRIGGER IF NOT EXISTS trg_record_tallies_update AFTER UPDATE OF team_id, service_date, status, minutes ON service_records FOR EACH ROW WHEN OLD.team_id IS NOT NEW.team_id OR OLD.service_date IS NOT NEW.service_date OR OLD.status IS NOT NEW.status OR OLD.minutes IS NOT NEW.minutes BEGIN UPDATE record_tallies SET records = records - 1, minutes = minutes - OLD.minutes WHERE team_id = OLD.team_id AND month = substr(OLD.service_date, 1, 7) AND status = OLD.status; INSERT INTO record_tallies (team_id, month, status, records, minutes) VALUES (NEW.team_id, substr(NEW.service_date, 1, 7), NEW.status, 1, NEW.minutes) ON CONFLICT (team_id, month, status) DO UPDATE SET records = records + 1, minutes = minutes + excluded.minutes; END',
]

POSTGRESQL_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF current_setting('volunteer.figures_changed', true) IS DISTINCT FROM 'on' THEN INSERT INTO data_versions (name, token) VALUES ('figures', md5(random()::text || clock_timestamp()::text)) ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token; PERFORM set_config('volunteer.figures_changed', 'on', true); END IF; RETURN NULL; END $$",
    'DROP TRIGGER IF EXISTS trg_figures_service_records ON service_records',
    'CREATE TRIGGER trg_figures_service_records AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_records FOR EACH STATEMENT EXECUTE FUNCTION figures_changed()',
    'DROP TRIGGER IF EXISTS trg_figures_activities ON activities',
    'CREATE TRIGGER trg_figures_activities AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON activities FOR EACH STATEMENT EXECUTE FUNCTION figures_changed()',
    'DROP TRIGGER IF EXISTS trg_figures_volunteers ON volunteers',
    'CREATE TRIGGER trg_figures_volunteers AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON volunteers FOR EACH STATEMENT EXECUTE FUNCTION figures_changed()',
    'DROP TRIGGER IF EXISTS trg_figures_team_memberships ON team_memberships',
    'CREATE TRIGGER trg_figures_team_memberships AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON team_memberships FOR EACH STATEMENT EXECUTE FUNCTION figures_changed()',
    'DROP TRIGGER IF EXISTS trg_figures_teams ON teams',
    'CREATE TRIGGER trg_figures_teams AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams FOR EACH STATEMENT EXECUTE FUNCTION figures_changed()',
    'DROP TRIGGER IF EXISTS trg_figures_service_categories ON service_categories',
    'CREATE TRIGGER trg_figures_service_categories AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_categories FOR EACH STATEMENT EXECUTE FUNCTION figures_changed()',
    "CREATE OR REPLACE FUNCTION record_tallies_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO record_tallies AS t (team_id, month, status, records, minutes) SELECT r.team_id, to_char(r.service_date, 'YYYY-MM') AS month, r.status, count(*) AS n, sum(r.minutes)::bigint AS m FROM new_rows r  GROUP BY 1, 2, 3 ON CONFLICT (team_id, month, status) DO UPDATE SET records = t.records + EXCLUDED.records, minutes = t.minutes + EXCLUDED.minutes; RETURN NULL; END $$",
    'DROP TRIGGER IF EXISTS trg_record_tallies_insert ON service_records',
    'CREATE TRIGGER trg_record_tallies_insert AFTER INSERT ON service_records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_tallies_insert()',
    "CREATE OR REPLACE FUNCTION record_tallies_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE record_tallies t SET records = t.records - d.n, minutes = t.minutes - d.m FROM (SELECT r.team_id, to_char(r.service_date, 'YYYY-MM') AS month, r.status, count(*) AS n, sum(r.minutes)::bigint AS m FROM old_rows r  GROUP BY 1, 2, 3) d WHERE t.team_id = d.team_id AND t.month = d.month AND t.status = d.status; RETURN NULL; END $$",
    'DROP TRIGGER IF EXISTS trg_record_tallies_delete ON service_records',
    'CREATE TRIGGER trg_record_tallies_delete AFTER DELETE ON service_records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION record_tallies_delete()',
    "CREATE OR REPLACE FUNCTION record_tallies_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE record_tallies t SET records = t.records - d.n, minutes = t.minutes - d.m FROM (SELECT r.team_id, to_char(r.service_date, 'YYYY-MM') AS month, r.status, count(*) AS n, sum(r.minutes)::bigint AS m FROM old_rows r JOIN new_rows o USING (id) WHERE (r.team_id, r.service_date, r.status, r.minutes) IS DISTINCT FROM (o.team_id, o.service_date, o.status, o.minutes) GROUP BY 1, 2, 3) d WHERE t.team_id = d.team_id AND t.month = d.month AND t.status = d.status; INSERT INTO record_tallies AS t (team_id, month, status, records, minutes) SELECT r.team_id, to_char(r.service_date, 'YYYY-MM') AS month, r.status, count(*) AS n, sum(r.minutes)::bigint AS m FROM new_rows r JOIN old_rows o USING (id) WHERE (r.team_id, r.service_date, r.status, r.minutes) IS DISTINCT FROM (o.team_id, o.service_date, o.status, o.minutes) GROUP BY 1, 2, 3 ON CONFLICT (team_id, month, status) DO UPDATE SET records = t.records + EXCLUDED.records, minutes = t.minutes + EXCLUDED.minutes; RETURN NULL; END $$",
    'DROP TRIGGER IF EXISTS trg_record_tallies_update ON service_records',
    'CREATE TRIGGER trg_record_tallies_update AFTER UPDATE ON service_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_tallies_update()',
    'CREATE OR REPLACE FUNCTION record_tallies_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM record_tallies; RETURN NULL; END $$',
    'DROP TRIGGER IF EXISTS trg_record_tallies_truncate ON service_records',
    'CREATE TRIGGER trg_record_tallies_truncate AFTER TRUNCATE ON service_records FOR EACH STATEMENT EXECUTE FUNCTION record_tallies_truncate()',
]

INITIAL_TOKEN = {
    'sqlite': "INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16))))",
    'postgresql': "INSERT INTO data_versions (name, token) VALUES ('figures', md5(random()::text || clock_timestamp()::text))",
}

REBUILD_TALLIES = {
    'sqlite': ['DELETE FROM record_tallies', 'INSERT INTO record_tallies (team_id, month, status, records, minutes) SELECT team_id, substr(service_date, 1, 7), status, count(*), sum(minutes) FROM service_records GROUP BY team_id, substr(service_date, 1, 7), status'],
    'postgresql': ['DELETE FROM record_tallies', "INSERT INTO record_tallies (team_id, month, status, records, minutes) SELECT team_id, to_char(service_date, 'YYYY-MM'), status, count(*), sum(minutes) FROM service_records GROUP BY team_id, to_char(service_date, 'YYYY-MM'), status"],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table('record_tallies',
    sa.Column('team_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'month', 'status', name=op.f('pk_record_tallies'))
    )
    op.create_table('data_versions',
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions'))
    )
    if dialect in INITIAL_TOKEN:
        op.execute(INITIAL_TOKEN[dialect])
        for statement in REBUILD_TALLIES[dialect]:
            op.execute(statement)
    for statement in {'sqlite': SQLITE_TRIGGERS, 'postgresql': POSTGRESQL_TRIGGERS}.get(dialect, []):
        op.execute(statement)

    op.create_index('ix_volunteers_name_prefix', 'volunteers', ['name'], unique=False,
                    postgresql_ops={'name': 'varchar_pattern_ops'})
    if dialect == 'postgresql':
        op.drop_index('ix_volunteers_phone', table_name='volunteers')
        op.create_index('ix_volunteers_phone', 'volunteers', ['phone'], unique=False,
                        postgresql_ops={'phone': 'varchar_pattern_ops'})


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.drop_index('ix_volunteers_phone', table_name='volunteers')
        op.create_index('ix_volunteers_phone', 'volunteers', ['phone'], unique=False)
    op.drop_index('ix_volunteers_name_prefix', table_name='volunteers')
    if dialect == 'sqlite':
        for table in TRACKED_TABLES:
            for event in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER IF EXISTS trg_figures_{table}_{event}")
        for event in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS trg_record_tallies_{event}")
    elif dialect == 'postgresql':
        for table in TRACKED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_figures_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS figures_changed()")
        for event in ('insert', 'update', 'delete', 'truncate'):
            op.execute(f"DROP TRIGGER IF EXISTS trg_record_tallies_{event} ON service_records")
            op.execute(f"DROP FUNCTION IF EXISTS record_tallies_{event}()")
    op.drop_table('data_versions')
    op.drop_table('record_tallies')
