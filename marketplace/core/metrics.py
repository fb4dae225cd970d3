"""What an operator measures: every answer carries ``Server-Timing: app;dur=<ms>`` (seen in the
browser's developer tools and read by ``benchmarks/city_scale.py``), and ``/metrics`` gives
Prometheus the request latency by endpoint, the job queue's depth, the outbox backlog, webhook
failures and the payments by state.

Several gunicorn workers each count their own requests; with PROMETHEUS_MULTIPROC_DIR set (a
folder emptied when the service starts, as prometheus_client requires) ``/metrics`` adds them up,
whichever worker answers. Without it, each worker reports its own counts.

``/metrics`` answers a scraper on the machine itself (a request from 127.0.0.1 that did not come
through the proxy) or one that sends ``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets
404 (the figures are business data). The nginx configuration refuses the path too.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "pkk_http_request_duration_seconds",
    "Time from a request's arrival to its answer, by endpoint",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBHOOK_FAILURES = Counter(
    "pkk_webhook_failures_total",
    "Stripe webhooks refused or failed, by reason",
    ["reason"],
)


class ServerTiming:
    """WSGI middleware adding the Server-Timing header."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = environ["pkk.started"] = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            elapsed = (time.perf_counter() - started) * 1000
            headers.append(("Server-Timing", f"app;dur={elapsed:.1f}"))
            return start_response(status, headers, exc_info)

        return self.app(environ, timed_start_response)


def init_metrics(app: Flask) -> None:
    @app.after_request
    def _observe(response):
        started = request.environ.get("pkk.started")
        if started is not None:
            endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
            REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response

    app.register_blueprint(bp)


class _StateCollector:
    """Figures read from the database and the broker at each scrape."""

    def collect(self):
        from sqlalchemy import func, select

        from marketplace.extensions import db
        from marketplace.orders.models import DeliveryStatus, Notification
        from marketplace.payments.models import Payment

        outbox = GaugeMetricFamily(
            "pkk_outbox_messages", "Messages in the outbox by delivery state", labels=["status"]
        )
        for status, count in db.session.execute(
            select(Notification.status, func.count())
            .where(Notification.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]))
            .group_by(Notification.status)
        ):
            outbox.add_metric([status], count)
        yield outbox
        payments = GaugeMetricFamily("pkk_payments", "Card payments by state", labels=["status"])
        for status, count in db.session.execute(
            select(Payment.status, func.count()).group_by(Payment.status)
        ):
            payments.add_metric([status], count)
        yield payments
        depth = queue_depth()
        if depth is not None:
            yield GaugeMetricFamily("pkk_job_queue_depth", "Jobs waiting in the broker", depth)


def queue_depth(queue: str = "celery") -> int | None:
    """Jobs waiting in the broker's queue (Redis or RabbitMQ); None without a broker."""
    url = current_app.config.get("CELERY_BROKER_URL")
    if not url:
        return None
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            # kombu keeps a Redis queue as a list, gone while it is empty
            return int(redis.Redis.from_url(url, socket_timeout=2).llen(queue))
        from kombu import Connection

        with Connection(url, connect_timeout=2) as connection:
            return connection.default_channel.queue_declare(queue, passive=True).message_count
    except Exception:  # noqa: BLE001 - a queue not declared yet, a broker down: no figure
        return None


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given, f"Bearer {token}"):
        return True
    local = request.remote_addr in ("127.0.0.1", "::1")
    return local and "X-Forwarded-For" not in request.headers


@bp.route("/metrics")
def metrics():
    if not _allowed():
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(WEBHOOK_FAILURES)
    registry.register(_StateCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
