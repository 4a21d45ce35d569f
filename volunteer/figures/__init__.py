"""Counts and sums that would otherwise cost time in proportion to the data, kept exact.

Counting or summing over every volunteer or every service record costs a few milliseconds for
a town and ten times that for a district. Three mechanisms keep such figures off the pages'
bill, all maintained by database triggers, so the ORM, Core bulk inserts, PostgreSQL COPY, raw
SQL, imports, the seed and every worker and host are covered alike:

* `record_tallies` (tallies.py): service records counted and summed per (team, month of the
  activity date, status). A year's hours per team, or the number of pending records, is a sum
  over at most teams x months x 3 small rows, however many records there are.
* the report facts (facts.py): approved records per (team, category, month) with their distinct
  activities, per (period, team, volunteer) with distinct-volunteer counters, and the star-level
  rises of each year and month: the reports pages of a year or a month read only these.
* `cached(name, key, compute)` (cache.py): any other derived figure, computed once per state of
  the data in each process, keyed by a token that triggers replace on every change.

A bulk write (an import, the seed) wraps itself in `bulk_changes()` (bulk.py). The tables and
triggers come from migrations 0002, 0003 and the report facts' migration (the DDL is
`triggers.trigger_ddl`, `triggers.tally_trigger_ddl`, `facts.trigger_ddl`, `facts.rebuild_sql`),
and, for the tests' create_all, from the `after_create` hook in triggers.py. The tests compare
every table with a fresh GROUP BY after every kind of write (tests/performance/test_figures.py,
test_report_facts.py).
"""
from .bulk import bulk_changes
from .facts import TOWN, use_facts
from .cache import cached, clear, current_token, ids_key
from .models import (ActivityMonth, DataVersion, FactDelta, PeriodCount, RecordTally, RegistrationMonth, ReportCell,
                     StarRise, VolunteerPeriod)
from .tallies import tally_by_team, tally_count
from .triggers import FIGURES, TRACKED_TABLES, TRIGGER_PREFIX, initial_row_sql, tally_trigger_ddl, trigger_ddl

__all__ = [
    "ActivityMonth", "DataVersion", "FactDelta", "FIGURES", "PeriodCount", "RecordTally", "RegistrationMonth",
    "ReportCell", "StarRise", "TOWN", "TRACKED_TABLES", "TRIGGER_PREFIX", "VolunteerPeriod", "bulk_changes", "cached", "clear", "current_token",
    "ids_key", "initial_row_sql", "tally_by_team", "tally_count", "tally_trigger_ddl",
    "trigger_ddl", "use_facts",
]
