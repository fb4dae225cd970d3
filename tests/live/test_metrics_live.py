"""/metrics under gunicorn with several workers: with PROMETHEUS_MULTIPROC_DIR the figures are
the sum over the workers, whichever worker answers the scrape."""

from __future__ import annotations

import re
import urllib.request

import pytest

from tests.live.harness import live_env, spawn_gunicorn
from tests.stripe_fixtures import WEBHOOK_SECRET


@pytest.fixture
def metered_server(db_app, live_db_url, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = live_env(live_db_url, "http://127.0.0.1:9", WEBHOOK_SECRET, tmp_path)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    running = spawn_gunicorn(env, tmp_path / "gunicorn.log", workers=3)
    try:
        yield running
    finally:
        running.stop()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - 127.0.0.1
        return answer.read().decode()


def test_every_workers_requests_are_counted_in_one_scrape(metered_server):
    for _ in range(30):
        _get(metered_server.url + "/kelurahan")
    for _ in range(4):  # whichever worker answers, the sum is the same
        text = _get(metered_server.url + "/metrics")
        counted = re.search(
            r'pkk_http_request_duration_seconds_count\{endpoint="areas.index",method="GET",'
            r'status="200"\} ([0-9.e+]+)',
            text,
        )
        assert counted is not None, text[:2000]
        assert float(counted.group(1)) == 30
