"""The WhatsApp channel configured against a local fake of the Cloud API (tests/fakes.py)."""

from __future__ import annotations

import pytest

from tests.fakes import PHONE_NUMBER_ID, TOKEN, FakeGraph


@pytest.fixture
def whatsapp_api(app, monkeypatch):
    graph = FakeGraph()
    base = graph.start()
    monkeypatch.setitem(app.config, "WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
    monkeypatch.setitem(app.config, "WHATSAPP_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "WHATSAPP_API_BASE", base)
    yield graph
    graph.stop()
