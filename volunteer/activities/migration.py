"""Data fix for issue 13: activity times stored as typed ('9:00') become 'HH:MM' ('09:00').

The form once accepted 'H:MM' and stored it as is, so such times compared as text
('9:00' > '11:00') and the integrity rules' SQL read minutes from the wrong characters. Every
time written now goes through fields.time_text; this brings old rows to the same shape. The
lead freezes these statements in the migration.
"""


def migration_sql(dialect: str) -> list[str]:
    """Statements (the same on SQLite and PostgreSQL) that zero-pad 'H:MM' activity times."""
    del dialect  # '||' and LIKE mean the same on both
    return [f"UPDATE activities SET {column} = '0' || {column} WHERE {column} LIKE '_:__'"
            for column in ("start_time", "end_time")]
