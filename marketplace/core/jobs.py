"""Background work: tasks by name, run after the commit that asked for them, on Celery.

A service that changes state and needs work to follow (settle a card payment, deliver a
message) asks for it with ``after_commit(name, *args)``; the boundary that commits
(``run_service``, the webhook, a task) then calls ``run_after_commit()``. The need is also
written in the database by the change itself (the order's state, the outbox row), so whatever
a crash or a lost task leaves undone is finished by a periodic task: these calls are the fast
path, never the only record.

With ``CELERY_BROKER_URL`` set, the tasks go to Celery workers (``celery -A marketplace.worker
worker -B``), and beat runs the periodic tasks; without it each task runs in the web process
right after the commit (tests and the simplest setups).

Tasks are registered by name (``@task("payments.settle")``), so a domain can ask for another
domain's work without importing it; ``@periodic`` adds a task to beat's schedule, run by one
worker at a time (a PostgreSQL advisory lock), however many machines run workers.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import func, select

from marketplace.core.logs import current_request_id, request_id
from marketplace.extensions import db

_TASKS: dict[str, Callable[..., object]] = {}
_PENDING = "after_commit"


@dataclass(frozen=True)
class Periodic:
    name: str
    every_setting: str  # the config key holding the interval in seconds


_PERIODIC: list[Periodic] = []


def task(name: str):
    """Register a function as the task ``name``."""

    def register(func: Callable[..., object]) -> Callable[..., object]:
        _TASKS[name] = func
        return func

    return register


def periodic(name: str, every_setting: str):
    """Register a task that beat runs every ``config[every_setting]`` seconds, on one worker
    at a time."""

    def register(func: Callable[..., object]) -> Callable[..., object]:
        def exclusive(*args: object) -> object:
            with singleton(name) as mine:
                return func(*args) if mine else None

        exclusive.__wrapped__ = func  # type: ignore[attr-defined]
        _TASKS[name] = exclusive
        _PERIODIC.append(Periodic(name, every_setting))
        return func

    return register


@contextmanager
def singleton(name: str) -> Iterator[bool]:
    """Hold a cluster-wide lock named ``name`` while the block runs; yields False (and the
    block should do nothing) when another worker holds it. SQLite is one machine's database, so
    its lock is the process itself.

    On PostgreSQL, a transaction's advisory lock, in a transaction of its own connection that
    stays open while the block runs and ends after it, which lets the lock go. A session's lock
    would not survive a pooler in transaction mode (DATABASE_POOLER): taken in one transaction,
    it stays with that server connection, which the pooler hands to other clients (who would
    then hold it too), and the unlock runs on another. The transaction writes nothing and holds
    no snapshot between its statements (read committed), so it keeps no row from vacuum."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(f"pkk:{name}".encode()) - 2**31
    with db.engine.connect() as connection, connection.begin():
        yield bool(connection.scalar(select(func.pg_try_advisory_xact_lock(key))))


def after_commit(name: str, *args: object) -> None:
    """Run task ``name`` with ``args`` once the current transaction has committed."""
    pending = db.session.info.setdefault(_PENDING, [])
    if (name, args) not in pending:
        pending.append((name, args))


def discard_after_commit() -> None:
    """The transaction rolled back: what it asked for must not happen."""
    db.session.info.pop(_PENDING, None)


def run_after_commit() -> None:
    """Send the tasks the committed transaction asked for to the workers (or run them here
    when there is no broker). A failure is logged: the database still says what is owed."""
    while pending := db.session.info.pop(_PENDING, None):
        for name, args in pending:
            enqueue(name, *args)


def enqueue(name: str, *args: object, countdown: float | None = None) -> None:
    """Run task ``name`` on a worker (in ``countdown`` seconds), or here and now without a
    broker (a countdown is then left to the periodic task that picks up what is due)."""
    celery = current_app.extensions.get("celery")
    if celery is not None:
        try:
            celery.send_task(
                name, args=list(args), countdown=countdown, headers={"request_id": request_id()}
            )
        except Exception:  # a broker outage must not fail the request that committed
            current_app.logger.exception("Could not queue task %s%r", name, args)
        return
    if countdown:
        return
    execute(name, *args)


def execute(name: str, *args: object) -> object:
    """Run a task in this process and commit its work; what it asks for after commit follows.
    A failure is rolled back and logged, never raised to the caller."""
    try:
        result = _TASKS[name](*args)
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard_after_commit()
        current_app.logger.exception("Task %s%r failed", name, args)
        return None
    run_after_commit()
    return result


def init_celery(app: Flask):
    """A Celery app whose tasks are the registered ones, each run inside a Flask app context.

    Delivery is at least once (acknowledged after the task ran, requeued when its worker
    dies); the tasks are idempotent, so a second run changes nothing."""
    from celery import Celery

    celery = Celery(app.import_name, set_as_current=False)
    broker = app.config["CELERY_BROKER_URL"] or "memory://"
    if broker.startswith(("redis", "rediss")):
        # a task of a worker that died is given to another after this long (the outbox's
        # flush does not wait for it)
        celery.conf.broker_transport_options = {"visibility_timeout": 300}
    celery.conf.update(
        broker_url=broker,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={
            p.name: {"task": p.name, "schedule": float(app.config[p.every_setting])}
            for p in _PERIODIC
        },
    )
    from celery.signals import worker_process_init

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**_kwargs: object) -> None:
        # A forked worker must not share its parent's database connections.
        with app.app_context():
            db.engine.dispose(close=False)

    for name in list(_TASKS):

        def run(self, *args: object, _name: str = name) -> object:
            # the log lines of the job carry the id of the request that queued it
            given = getattr(self.request, "request_id", None) or (
                getattr(self.request, "headers", None) or {}
            ).get("request_id")
            token = current_request_id.set(given or "-")
            with app.app_context():
                try:
                    return execute(_name, *args)
                finally:
                    db.session.remove()
                    current_request_id.reset(token)

        celery.task(name=name, bind=True)(run)
    if app.config["CELERY_BROKER_URL"]:
        app.extensions["celery"] = celery
    return celery
