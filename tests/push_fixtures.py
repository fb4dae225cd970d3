"""A browser vendor's push service faked on 127.0.0.1 (tests/fakes.py): it receives the
encrypted Web Push requests, which a test decrypts with the subscription's keys."""

from __future__ import annotations

import pytest

from tests.fakes import PushService


@pytest.fixture
def push_service():
    service = PushService()
    service.start()
    yield service
    service.stop()
