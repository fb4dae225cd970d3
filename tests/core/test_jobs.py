"""Periodic tasks run on one worker at a time, however many machines run workers."""

import pytest

from marketplace.core import jobs


def test_a_periodic_task_held_elsewhere_does_nothing(app, dialect, monkeypatch):
    if dialect != "postgresql":
        pytest.skip(reason="SQLite is one machine's database: no lock between hosts is needed")
    ran = []

    @jobs.periodic("test.exclusive", "SWEEP_SECONDS")
    def exclusive():
        ran.append(1)
        return "ran"

    try:
        with jobs.singleton("test.exclusive") as first:
            assert first
            # another worker's beat fires the same task meanwhile
            assert jobs._TASKS["test.exclusive"]() is None
            with jobs.singleton("test.exclusive") as second:
                assert not second
        assert ran == []
        assert jobs._TASKS["test.exclusive"]() == "ran"
        assert ran == [1]
    finally:
        jobs._TASKS.pop("test.exclusive", None)
        jobs._PERIODIC[:] = [p for p in jobs._PERIODIC if p.name != "test.exclusive"]
