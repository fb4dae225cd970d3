"""Counting the SQL statements a request makes (the pages' fixed number of statements), and
reading the plans PostgreSQL runs them with."""

from sqlalchemy import event

from marketplace.extensions import db


class QueryCounter:
    """The statements run on ``engine`` inside ``with QueryCounter(engine) as counter:``, in
    ``counter.count`` (their SQL in ``counter.statements``, their values in
    ``counter.parameters``), less the transaction's own (BEGIN, SAVEPOINT, RELEASE,
    ROLLBACK)."""

    def __init__(self, engine):
        self.engine, self.count, self.statements, self.parameters = engine, 0, [], []

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
            self.parameters.append(args[3])


def explained(statement, params: dict) -> dict:
    """The plan PostgreSQL ran ``statement`` with (EXPLAIN ANALYZE, as JSON)."""
    compiled = statement.compile(db.engine)
    return explained_sql(compiled.string, {**compiled.params, **params})


def explained_sql(sql: str, params: dict) -> dict:
    """The plan PostgreSQL ran the SQL ``sql`` (as the driver was given it: a statement a
    ``QueryCounter`` saw) with, its values ``params`` (EXPLAIN ANALYZE, as JSON)."""
    driver = db.session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]


def scans_of(plan: dict, relation: str) -> list[dict]:
    """The nodes of an EXPLAIN (FORMAT JSON) plan that read ``relation``."""
    found = [plan] if plan.get("Relation Name") == relation else []
    for child in plan.get("Plans", ()):
        found += scans_of(child, relation)
    return found
