"""/metrics: request latency by endpoint, outbox backlog, payments by state, webhook failures;
for a scraper on the machine or one holding the token, nobody else."""

from __future__ import annotations

import re

from marketplace.core.metrics import WEBHOOK_FAILURES
from tests.conftest import missing_service


def _count(text: str, endpoint: str) -> float:
    found = re.search(
        rf'pkk_http_request_duration_seconds_count\{{endpoint="{re.escape(endpoint)}",'
        rf'method="GET",status="200"\}} ([0-9.e+]+)',
        text,
    )
    return float(found.group(1)) if found else 0.0


def test_metrics_count_requests_by_endpoint_and_show_the_backlogs(client):
    before = _count(client.get("/metrics").get_data(as_text=True), "catalog.browse")
    for _ in range(3):
        assert client.get("/produk").status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert _count(text, "catalog.browse") == before + 3
    assert "pkk_http_request_duration_seconds_bucket" in text
    assert "# TYPE pkk_outbox_messages gauge" in text
    assert "# TYPE pkk_payments gauge" in text


def test_metrics_are_not_public(app, client, monkeypatch):
    through_proxy = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert through_proxy.status_code == 404
    elsewhere = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert elsewhere.status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "rahasia-scraper")
    wrong = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        headers={"Authorization": "Bearer tebakan"},
    )
    assert wrong.status_code == 404
    right = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        headers={"Authorization": "Bearer rahasia-scraper"},
    )
    assert right.status_code == 200


def test_a_forged_webhook_is_counted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "whsec_test")
    before = WEBHOOK_FAILURES.labels("invalid_signature")._value.get()
    response = client.post("/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=x"})
    assert response.status_code == 400
    assert WEBHOOK_FAILURES.labels("invalid_signature")._value.get() == before + 1
    text = client.get("/metrics").get_data(as_text=True)
    assert 'pkk_webhook_failures_total{reason="invalid_signature"}' in text


def test_queue_depth_reads_redis_and_rabbitmq(app, monkeypatch):
    import secrets

    import redis
    from kombu import Connection

    from marketplace.core.metrics import queue_depth

    queue = f"pkk-test-{secrets.token_hex(4)}"
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    try:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/14")
        client.rpush(queue, b"a", b"b", b"c")
    except redis.RedisError as error:
        missing_service(f"Redis is not reachable: {error}")
    try:
        assert queue_depth(queue) == 3
    finally:
        client.delete(queue)
    assert queue_depth(queue) == 0  # an empty Redis queue has no list at all

    amqp = "amqp://guest:guest@127.0.0.1:5672//"
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", amqp)
    try:
        with Connection(amqp, connect_timeout=3) as connection:
            channel = connection.channel()
            channel.queue_declare(queue, auto_delete=False)
            for body in (b"x", b"y"):
                channel.basic_publish(channel.prepare_message(body), exchange="", routing_key=queue)
            assert queue_depth(queue) == 2
            channel.queue_delete(queue)
    except OSError as error:
        missing_service(f"RabbitMQ is not reachable: {error}")
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "")
    assert queue_depth(queue) is None
