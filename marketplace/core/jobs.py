"""Work that runs after the transaction that asked for it has committed.

A service that changes state and needs an outside call to follow (settling a card payment)
asks for it with ``after_commit(name, *args)``; the boundary that commits (``run_service``, the
webhook, a CLI command) then calls ``run_after_commit()``. The need is also written in the
database by the change itself, so whatever a crash leaves undone is finished by
reconciliation: these calls are the fast path, never the only record.

Tasks are registered by name (``@task("payments.settle")``), so a domain can ask for another
domain's work without importing it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from marketplace.extensions import db

_TASKS: dict[str, Callable[..., object]] = {}
_PENDING = "after_commit"


def task(name: str):
    """Register a function as the task ``name``."""

    def register(func: Callable[..., object]) -> Callable[..., object]:
        _TASKS[name] = func
        return func

    return register


def after_commit(name: str, *args: object) -> None:
    """Run task ``name`` with ``args`` once the current transaction has committed."""
    pending = db.session.info.setdefault(_PENDING, [])
    if (name, args) not in pending:
        pending.append((name, args))


def discard_after_commit() -> None:
    """The transaction rolled back: what it asked for must not happen."""
    db.session.info.pop(_PENDING, None)


def run_after_commit() -> None:
    """Run the tasks the committed transaction asked for; a failure is logged (the database
    still says what is owed, and reconciliation finishes it)."""
    while pending := db.session.info.pop(_PENDING, None):
        for name, args in pending:
            try:
                _TASKS[name](*args)
            except Exception:
                db.session.rollback()
                current_app.logger.exception("After-commit task %s%r failed", name, args)
