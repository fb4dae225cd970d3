"""The production shape on this machine (deploy/stack.py): nginx with TLS in front of two gunicorn
instances, Celery worker and beat, PostgreSQL and Redis. A guest orders and a seller accepts in a
real browser while each app instance in turn is stopped and started again: nothing a visitor has
(session, cart, CSRF token, sign-in) lives in one instance's memory, and no request fails."""

from __future__ import annotations

import re
import signal
from datetime import time
from pathlib import Path

import pytest
import redis
from playwright.sync_api import expect
from sqlalchemy import select

from deploy.stack import NGINX, Stack, free_port
from marketplace.extensions import db
from tests.conftest import fresh_postgres, make_app, missing_service
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD, seed_warung

REDIS = "redis://127.0.0.1:6379"
REDIS_BASE = 7  # databases 7, 8, 9: rate limits, page cache, broker


@pytest.fixture
def stack(tmp_path):
    if not Path(NGINX).exists():
        missing_service("nginx is not installed (apt-get install nginx)")
    try:
        clients = [redis.Redis.from_url(f"{REDIS}/{REDIS_BASE + n}") for n in range(3)]
        for client in clients:
            client.flushdb()
    except redis.RedisError as error:
        missing_service(f"Redis is not reachable at {REDIS}: {error}")
    with fresh_postgres("pkk_stack") as url:
        running = Stack(
            workdir=tmp_path / "stack",
            database_url=url,
            redis_url=REDIS,
            redis_base=REDIS_BASE,
            https_port=free_port(),
            instances=2,
            workers=1,
        )
        running.prepare(demo=False)
        running.store_id = _seed(url, tmp_path)
        running.start()
        try:
            yield running
        finally:
            running.stop()
            for client in clients:
                client.flushdb()


def _seed(url, tmp_path):
    app = make_app(url, tmp_path / "seed-uploads", PAGE_CACHE_URL="")
    with app.app_context():
        store, _product = seed_warung(periods=[(d, time(0), time(23, 59)) for d in range(7)])
        db.session.commit()
        store_id = store.id
        db.session.remove()
        db.engine.dispose()
    return store_id


def test_a_journey_through_nginx_survives_each_instance_restarting(stack, browser):
    context = browser.new_context(**PHONE, ignore_https_errors=True)
    context.set_default_timeout(15_000)
    guest = context.new_page()
    guest.goto(stack.url)
    guest.get_by_role("link", name="Nasi Uduk Betawi").first.click()
    guest.get_by_role("button", name="Tambah ke keranjang").click()

    stack.stop_instance(0)  # app1 goes away with the guest's cart in flight
    guest.get_by_role("link", name="Pesan dari Warung Bu Siti").click()
    guest.get_by_label("Nama pemesan").fill("Dewi Tamu")
    guest.get_by_label("Nomor WhatsApp").fill("0813-0000-1111")
    stack.start_instance(0)  # back before the order is sent: the POST may land on either
    guest.get_by_role("button", name="Pesan", exact=True).click()
    expect(guest.get_by_text("terkirim ke Warung Bu Siti")).to_be_visible()

    seller_context = browser.new_context(**PHONE, ignore_https_errors=True)
    seller_context.set_default_timeout(15_000)
    seller = seller_context.new_page()
    seller.goto(f"{stack.url}/akun/masuk")
    seller.get_by_label("Nomor WhatsApp atau e-mail").fill("081200000001")
    seller.get_by_label("Kata sandi").fill(PASSWORD)
    seller.get_by_role("button", name="Masuk").click()
    stack.stop_instance(1, signal.SIGKILL)  # app2 dies without a goodbye
    expect(seller.get_by_role("link", name="Akun")).to_be_visible()
    seller.goto(f"{stack.url}/toko-saya/{stack.store_id}/pesanan")
    expect(seller.get_by_text("Dewi Tamu")).to_be_visible()
    stack.start_instance(1)
    seller.get_by_role("button", name="Terima").first.click()
    expect(seller.get_by_text("Dewi Tamu")).to_be_visible()
    seller_context.close()
    context.close()

    from marketplace.orders.models import Order

    app = make_app(stack.database_url, stack.workdir / "check-uploads", PAGE_CACHE_URL="")
    with app.app_context():
        (order,) = db.session.scalars(select(Order)).all()
        assert order.status == "accepted"
        db.session.remove()
        db.engine.dispose()
    # a body past the limit: nginx answers 413 with the page in both languages
    import ssl
    import urllib.error
    import urllib.request

    context = ssl.create_default_context(cafile=str(stack.workdir / "tls" / "cert.pem"))
    too_big = urllib.request.Request(  # noqa: S310 - the stack's own address
        f"{stack.url}/akun/masuk", data=b"x" * (14 * 1024 * 1024), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(too_big, context=context, timeout=20)  # noqa: S310
    assert refused.value.code == 413
    assert "Berkas terlalu besar" in refused.value.read().decode()

    # each instance's /metrics adds up its workers' counts; the proxy never shows it
    assert stack.get("/metrics")[0] == 404
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports[0]}/metrics") as scrape:  # noqa: S310
        figures = scrape.read().decode()
    assert "pkk_http_request_duration_seconds_count" in figures
    assert "# TYPE pkk_outbox_messages gauge" in figures
    assert re.search(r"^pkk_job_queue_depth \d", figures, re.MULTILINE), figures[-1500:]
    log = (stack.workdir / "logs" / "nginx-access.log").read_text()
    served_by = set(re.findall(r"upstream=127\.0\.0\.1:(\d+)", log))
    assert served_by == {str(port) for port in stack.ports}, "both instances answered"
    statuses = re.findall(r'" (\d{3}) ', log)
    assert statuses
    assert not [s for s in statuses if s.startswith("5")], log
