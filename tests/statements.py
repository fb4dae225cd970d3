"""Counting the SQL statements a request makes (the pages' fixed number of statements)."""

from sqlalchemy import event


class QueryCounter:
    """The statements run on ``engine`` inside ``with QueryCounter(engine) as counter:``, in
    ``counter.count`` (their SQL in ``counter.statements``), less the transaction's own (BEGIN,
    SAVEPOINT, RELEASE, ROLLBACK)."""

    def __init__(self, engine):
        self.engine, self.count, self.statements = engine, 0, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, *args):
        statement = args[2]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.count += 1
            self.statements.append(statement)
