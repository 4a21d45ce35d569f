"""Excel imports (CONTRACT section 4): one service per kind of file, shared by the command line
and the web pages.

``import_teams / import_volunteers / import_hours(actor, source, *, file_name, dry_run=False,
skip_invalid=False, today)`` read ``source`` (bytes, a path or a binary file), validate every
row, and write the valid rows in the caller's transaction unless a rejected row stops the
whole file (all or nothing) or ``dry_run`` is set.  They return an :class:`ImportReport` (the
JSON report of CONTRACT section 2) and raise ``FatalImportError`` when the file itself cannot
be used.
"""

from ..vetting import FatalImportError
from .common import ImportReport, error_file_bytes, fatal_report, write_error_file
from .hours import import_hours
from .merits import import_commendations, import_evaluations, import_training
from .teams import import_teams
from .volunteers import import_volunteers

IMPORTERS = {"teams": import_teams, "volunteers": import_volunteers, "hours": import_hours,
             "training": import_training, "commendations": import_commendations, "evaluations": import_evaluations}


def run_import(kind: str, actor, source, **kwargs) -> ImportReport:
    """Dispatch to the import service of ``kind`` ("teams", "volunteers", "hours")."""
    try:
        importer = IMPORTERS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}") from None
    return importer(actor, source, **kwargs)


__all__ = ["IMPORTERS", "FatalImportError", "ImportReport", "error_file_bytes", "fatal_report", "import_hours",
           "import_teams", "import_volunteers", "run_import", "write_error_file"]
