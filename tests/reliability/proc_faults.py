"""Processes that the fault tests kill with SIGKILL in the middle of their work.

    python -m tests.reliability.proc_faults approve URL SIGNAL_FILE
        approve every pending record with hours.services.approve_records (office rights, as the
        command line), one commit.
    python -m tests.reliability.proc_faults cli SIGNAL_FILE PATTERN flask-args...
        run `flask --app volunteer flask-args...` (for example `import volunteers FILE`).

Both watch the SQL they send: once the first statement starting with PATTERN (the approval:
"UPDATE service_records"; a PostgreSQL COPY counts as an INSERT INTO its table) is on its way
to the database, they write SIGNAL_FILE, and keep
rewriting it with the number of such statements (and rows) sent so far, plus "commit" when
the COMMIT is about to go. The test kills the process as soon as the file shows the writes
have started, and reads in the file how far it had got.
"""
import os
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine


class Signal:
    def __init__(self, path: str, pattern: str):
        self.path, self.pattern = Path(path), pattern.upper()
        self.statements = self.rows = 0

    def write(self, text: str) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.path)

    def install(self) -> None:
        @event.listens_for(Engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            statement = statement.lstrip().upper()
            if statement.startswith("COPY "):  # PostgreSQL's bulk load: an INSERT of its rows
                statement = "INSERT INTO " + statement[5:].replace('"', "")
            if statement.startswith(self.pattern):
                self.statements += 1
                self.rows += len(parameters) if executemany else 1
                if self.statements == 1 or self.statements % 200 == 0:
                    self.write(f"started {self.statements} {self.rows}")

        @event.listens_for(Engine, "commit")
        def _commit(conn):
            if self.statements:
                self.write(f"commit {self.statements} {self.rows}")


def approve(url: str, signal_file: str) -> int:
    from sqlalchemy import select

    from volunteer import create_app
    from volunteer.cli_support import cli_write_intent
    from volunteer.extensions import db
    from volunteer.hours.models import ServiceRecord
    from volunteer.hours.services import approve_records

    Signal(signal_file, "UPDATE service_records").install()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": os.environ["SECRET_KEY"]})
    with app.app_context():
        cli_write_intent()
        ids = list(db.session.scalars(select(ServiceRecord.id).where(ServiceRecord.status == "pending")))
        count = approve_records(None, ids)
        db.session.commit()
    print(f"approved {count}")
    return 0


def cli(signal_file: str, pattern: str, *args) -> int:
    from flask.cli import main

    Signal(signal_file, pattern).install()
    sys.argv = ["flask", "--app", "volunteer", *args]
    main()
    return 0


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    sys.exit({"approve": approve, "cli": cli}[command](*rest))
