"""figures triggers that a bulk write can pause (SQLite); name-prefix index on PostgreSQL only

- SQLite: the per-row triggers that replace the figures token gain
  `WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused')`, so a bulk write
  (volunteer.figures.bulk_changes) replaces the token once instead of once per row.
- SQLite: `ix_volunteers_name_prefix` is dropped: it repeated `ix_volunteers_name` (name, id),
  which serves the same prefix ranges, and cost every insert a sixth index. PostgreSQL keeps it
  (LIKE needs its varchar_pattern_ops operator class there).

The trigger DDL is frozen here as it was written on that day.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TRACKED_TABLES = ('service_records', 'activities', 'volunteers', 'team_memberships', 'teams', 'service_categories')
EVENTS = ('insert', 'update', 'delete')

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_records_insert AFTER INSERT ON service_records FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_records_update AFTER UPDATE ON service_records FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_records_delete AFTER DELETE ON service_records FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_activities_insert AFTER INSERT ON activities FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_activities_update AFTER UPDATE ON activities FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_activities_delete AFTER DELETE ON activities FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_volunteers_insert AFTER INSERT ON volunteers FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_volunteers_update AFTER UPDATE ON volunteers FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_volunteers_delete AFTER DELETE ON volunteers FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_team_memberships_insert AFTER INSERT ON team_memberships FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_team_memberships_update AFTER UPDATE ON team_memberships FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_team_memberships_delete AFTER DELETE ON team_memberships FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_teams_insert AFTER INSERT ON teams FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_teams_update AFTER UPDATE ON teams FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_teams_delete AFTER DELETE ON teams FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_categories_insert AFTER INSERT ON service_categories FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_categories_update AFTER UPDATE ON service_categories FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER IF NOT EXISTS trg_figures_service_categories_delete AFTER DELETE ON service_categories FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM data_versions WHERE name = 'figures_paused') BEGIN INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) ON CONFLICT (name) DO UPDATE SET token = excluded.token; END",
]

# As migration 0002 created them.
OLD_BODY = ("INSERT INTO data_versions (name, token) VALUES ('figures', lower(hex(randomblob(16)))) "
            "ON CONFLICT (name) DO UPDATE SET token = excluded.token;")


def _drop_sqlite_triggers():
    for table in TRACKED_TABLES:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS trg_figures_{table}_{event}")


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    _drop_sqlite_triggers()
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute("DELETE FROM data_versions WHERE name = 'figures_paused'")
    op.drop_index('ix_volunteers_name_prefix', table_name='volunteers')


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.create_index('ix_volunteers_name_prefix', 'volunteers', ['name'], unique=False)
    _drop_sqlite_triggers()
    for table in TRACKED_TABLES:
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER IF NOT EXISTS trg_figures_{table}_{event} AFTER {event.upper()} ON {table} "
                       f"FOR EACH ROW BEGIN {OLD_BODY} END")
