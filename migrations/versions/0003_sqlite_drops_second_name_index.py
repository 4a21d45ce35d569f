"""no second name index on SQLite

`ix_volunteers_name_prefix` repeated `ix_volunteers_name` (name, id) on SQLite, where the
latter serves the same prefix ranges (volunteers.services._starts_with), and cost every
insert into volunteers a sixth index. PostgreSQL keeps it: LIKE 'prefix%' needs its
varchar_pattern_ops operator class there (the model marks it PostgreSQL-only).

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


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_volunteers_name_prefix', table_name='volunteers')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.create_index('ix_volunteers_name_prefix', 'volunteers', ['name'], unique=False)
