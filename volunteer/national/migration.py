"""The data migration of CONTRACT section 10, for the lead to freeze in the Alembic chain.

``migration_sql`` maps today's data: each local 服务类别 gets its national code, and each
value stored today in a mapped volunteer field gets its row in ``national_code_map`` (so the
office sees and can edit what the system assumed).  ``downgrade_sql`` undoes it.  Both run
after the schema step that adds the table and the column, on SQLite and PostgreSQL.
"""
from __future__ import annotations

from . import codes
from .mapping import CATEGORY_DEFAULTS, MAPPED_FIELDS


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _case(column: str, pairs: dict[str, str], other: str | None) -> str:
    whens = " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in sorted(pairs.items()))
    tail = f" ELSE {_quote(other)}" if other else ""
    return f"CASE {column} {whens}{tail} END"


def _known_spellings(table: str) -> dict[str, str]:
    """Every name, alias and code of a national table -> its code."""
    pairs = {name: code for code, name in codes.TABLES[table][1]}
    pairs.update({code: code for code, _ in codes.TABLES[table][1]})
    pairs.update(codes.ALIASES.get(table, {}))
    return pairs


def migration_sql(dialect: str) -> list[str]:
    """SQL statements (same text on 'sqlite' and 'postgresql') mapping today's values."""
    if dialect not in ("sqlite", "postgresql"):
        raise ValueError(dialect)
    categories = dict(_known_spellings("service_category"))
    categories.update(CATEGORY_DEFAULTS)
    statements = [f"UPDATE service_categories SET national_code = {_case('name', categories, '0099')}"]
    for field, (_label, table) in MAPPED_FIELDS.items():
        other = codes.OTHER.get(table)
        code = _case(field, _known_spellings(table), other)
        where = f"{field} IS NOT NULL AND {field} <> ''"
        if other is None:  # no 其他 in this table (性别): only values it knows get a row
            where += f" AND {code} IS NOT NULL"
        statements.append(
            f"INSERT INTO national_code_map (field, value, code, updated_at) "
            f"SELECT {_quote(field)}, {field}, {code}, CURRENT_TIMESTAMP FROM volunteers "
            f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM national_code_map m "
            f"WHERE m.field = {_quote(field)} AND m.value = volunteers.{field}) GROUP BY {field}")
    return statements


def downgrade_sql(dialect: str) -> list[str]:
    """Undo ``migration_sql`` (before the schema step drops the table and the column)."""
    if dialect not in ("sqlite", "postgresql"):
        raise ValueError(dialect)
    return ["DELETE FROM national_code_map", "UPDATE service_categories SET national_code = '0099'"]
