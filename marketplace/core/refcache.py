"""Reference data that nearly every public page shows (the categories, the 104 kelurahan) kept in
each process for a short time, so that a listing does not ask the database for them on every
request.

What is kept is a plain, frozen copy (never an ORM object: it outlives the session that loaded it
and is shared by every request of the process). A commit in this process that wrote one of the
tables a copy was made from drops the copy at once; another instance sees the change after
REFERENCE_CACHE_SECONDS at most (the city admin renaming a category or a kelurahan is rare and
not urgent). REFERENCE_CACHE_SECONDS = 0 turns the cache off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
_lock = threading.Lock()


def _store() -> dict:
    return current_app.extensions.setdefault("reference_cache", {})


def reference(name: str, tables: frozenset[str], load: Callable[[], T]) -> T:
    """The process's copy of ``name`` (made by ``load``), refreshed after the configured time or
    when a commit here wrote one of ``tables``."""
    seconds = current_app.config.get("REFERENCE_CACHE_SECONDS", 60)
    if not seconds:
        return load()
    store = _store()
    now = time.monotonic()
    kept = store.get(name)
    if kept is not None and kept[0] > now:
        return kept[2]
    value = load()
    with _lock:
        store[name] = (now + seconds, tables, value)
    return value


def _written_tables(session: Session) -> set[str]:
    return {
        table
        for obj in (*session.new, *session.dirty, *session.deleted)
        if (table := getattr(obj, "__tablename__", None))
    }


@event.listens_for(Session, "after_flush")
def _note_reference_writes(session: Session, _context) -> None:
    written = _written_tables(session)
    if written:
        session.info.setdefault("written_tables", set()).update(written)


@event.listens_for(Session, "do_orm_execute")
def _note_statement_writes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table:
            state.session.info.setdefault("written_tables", set()).add(table)


@event.listens_for(Session, "after_commit")
def _drop_stale_copies(session: Session) -> None:
    written = session.info.pop("written_tables", None)
    if not written:
        return
    try:
        store = _store()
    except RuntimeError:  # no application context
        return
    with _lock:
        for name in [n for n, (_, tables, _v) in store.items() if tables & written]:
            store.pop(name, None)


@event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    session.info.pop("written_tables", None)
