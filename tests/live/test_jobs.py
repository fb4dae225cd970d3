"""Background work on a real Celery worker (and beat) with the real Redis as broker, beside
gunicorn on PostgreSQL: a checkout with the mail server down places the order and the mail
goes out once the server is back; a worker killed with SIGKILL while it sends a mail delivers
it exactly once after restart; beat runs the sweep."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import select

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.orders.models import DeliveryStatus, Notification, Order, OrderStatus
from marketplace.stores.models import Store
from tests.conftest import VAPID, missing_service
from tests.fakes import PHONE_NUMBER_ID, TOKEN, Browser, FakeGraph, PushService
from tests.live.harness import ROOT, Visitor, free_port, live_env, spawn_gunicorn
from tests.live.test_races import open_shop
from tests.smtp_fixtures import Inbox
from tests.stripe_fixtures import WEBHOOK_SECRET

pytestmark = pytest.mark.live
BROKER = os.environ.get("TEST_CELERY_BROKER", "redis://127.0.0.1:6379/14")


class StallingInbox(Inbox):
    """An SMTP server that takes its time to accept a message; a client that hangs up before
    the answer has delivered nothing (as with any real mail server)."""

    def __init__(self):
        super().__init__()
        self.stall = 0.0
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.receiving.set()
        waited = 0.0
        while waited < self.stall:
            await asyncio.sleep(0.1)
            waited += 0.1
            if server.transport is None or server.transport.is_closing():
                return "421 Connection lost"
        return await super().handle_DATA(server, session, envelope)


BROKERS = {
    "redis": BROKER,
    "rabbitmq": os.environ.get("TEST_AMQP_BROKER", "amqp://guest:guest@127.0.0.1:5672//"),
}


@pytest.fixture(scope="module", params=sorted(BROKERS))
def broker(request):
    """The real broker, emptied: Redis and RabbitMQ (both supported in production)."""
    url = BROKERS[request.param]
    if request.param == "redis":
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
        except redis.RedisError as error:
            missing_service(f"Redis is not reachable at {url}: {error}")
    else:
        from kombu import Connection

        try:
            with Connection(url, connect_timeout=3) as connection:
                connection.ensure_connection(max_retries=1)
                connection.default_channel.queue_purge("celery")
        except Exception as error:  # noqa: BLE001 - any failure means no RabbitMQ here
            if "NOT_FOUND" not in str(error):
                missing_service(f"RabbitMQ is not reachable at {url}: {error}")
    return url


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture(scope="module")
def graph():
    fake = FakeGraph()
    fake.base = fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def push_service():
    service = PushService()
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def job_env(broker, live_db_url, localstripe_url, smtp_port, graph, tmp_path_factory):
    instance = tmp_path_factory.mktemp("jobs-instance")
    return {
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_API_BASE": graph.base,
        "PUSH_SERVICE_HOSTS": "127.0.0.1",
        "VAPID_PRIVATE_KEY": VAPID[0],
        "VAPID_PUBLIC_KEY": VAPID[1],
        **live_env(live_db_url, localstripe_url, WEBHOOK_SECRET, instance),
        "CELERY_BROKER_URL": broker,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_STARTTLS": "off",
        "OUTBOX_FIRST_RETRY_SECONDS": "1",
        "OUTBOX_STRANDED_SECONDS": "2",
        "OUTBOX_FLUSH_SECONDS": "1",
        "SWEEP_SECONDS": "1",
    }


@pytest.fixture(scope="module")
def web(db_app, job_env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("jobs-web")
    server = spawn_gunicorn({**job_env, "HOME": str(folder)}, folder / "gunicorn.log")
    yield server
    server.stop()


class Worker:
    """``celery -A marketplace.worker worker -B`` in its own process group."""

    def __init__(self, env: dict, folder: Path):
        self.env = env
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.folder / "worker.log").open("a")
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, a fixed program
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "marketplace.worker",
                "worker",
                "-B",
                "-s",
                str(self.folder / "beat-schedule"),
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                # a node name of its own: two suites on one broker must not fight over the
                # node's control queue
                "-n",
                f"pkk-test-{os.getpid()}-{id(self)}@%h",
            ],
            cwd=ROOT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "ready." in self.log():
                return
            assert self.process.poll() is None, self.log()[-3000:]
            time.sleep(0.2)
        raise AssertionError("the Celery worker did not start:\n" + self.log()[-3000:])

    def log(self) -> str:
        path = self.folder / "worker.log"
        return path.read_text() if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its children at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def worker(job_env, tmp_path):
    running = Worker(job_env, tmp_path)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def smtp_server(smtp_port):
    servers = []

    def start(inbox: Inbox | None = None) -> Inbox:
        inbox = inbox or Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        servers.append(controller)
        return inbox

    yield start
    for controller in servers:
        controller.stop()


def wait_for(check, seconds: float = 20.0, what: str = ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or check}")


def _message(db_app, address: str) -> tuple[str, int, str | None] | None:
    with db_app.app_context():
        row = db.session.scalar(
            select(Notification).where(
                Notification.channel == "email", Notification.recipient == address
            )
        )
        return (row.status, row.attempts, row.last_error) if row else None


def _place(web, shop, email: str, phone: str = "081300001111") -> float:
    buyer = Visitor(web.url)
    buyer.add(shop.products["Es Teh"], 1)
    form = buyer.checkout_form(shop.store_id)
    started = time.monotonic()
    answer = buyer.place(shop.store_id, form, email=email, phone=phone)
    took = time.monotonic() - started
    assert answer.status_code == 302, answer.text[:1000]
    _place.request_id = answer.headers["X-Request-ID"]
    return took


def test_a_checkout_with_smtp_down_mails_once_the_server_is_back(db_app, web, worker, smtp_server):
    shop = open_shop(db_app, {"Es Teh": (12000, 50)})
    siti_mail = f"siti.{shop.store_id}@example.id"
    # The mail server is down: the checkout still answers at once
    took = _place(web, shop, siti_mail)
    assert took < 3
    state = wait_for(
        lambda: (m := _message(db_app, siti_mail)) and m[1] >= 1 and m,
        what="a first failed attempt",
    )
    assert state[0] == DeliveryStatus.PENDING
    assert "refused" in state[2].lower() or "connection" in state[2].lower()
    # the worker's log line about it carries the id of the checkout request that queued it
    assert wait_for(lambda: _place.request_id in worker.log(), what="the request id in the log")
    # The server comes back: the worker's retry delivers it, once
    inbox = smtp_server()
    wait_for(
        lambda: _message(db_app, siti_mail)[0] == DeliveryStatus.SENT,
        what="the mail to be sent",
    )
    time.sleep(2.5)  # a few more flushes: nothing is sent twice
    assert len(inbox.to(siti_mail)) == 1


def test_a_worker_killed_mid_delivery_sends_the_mail_exactly_once(db_app, web, worker, smtp_server):
    shop = open_shop(db_app, {"Es Teh": (12000, 50)})
    asep_mail = f"asep.{shop.store_id}@example.id"
    inbox = StallingInbox()
    inbox.stall = 30
    smtp_server(inbox)
    _place(web, shop, asep_mail)
    # The worker is in the middle of handing the mail over: kill it, children and all
    assert inbox.receiving.wait(20), worker.log()[-2000:]
    worker.kill()
    assert inbox.to(asep_mail) == []
    assert _message(db_app, asep_mail)[0] == DeliveryStatus.PENDING
    # After a restart the mail goes out, once
    inbox.stall = 0
    worker.start()
    wait_for(
        lambda: _message(db_app, asep_mail)[0] == DeliveryStatus.SENT,
        seconds=30,
        what="the mail to be sent after the restart",
    )
    time.sleep(2.5)
    assert len(inbox.to(asep_mail)) == 1


def test_beat_runs_the_sweep(db_app, web, worker, smtp_server):
    smtp_server()
    shop = open_shop(db_app, {"Es Teh": (12000, 50)})
    _place(web, shop, f"dewi.{shop.store_id}@example.id")
    with db_app.app_context():
        order = db.session.scalar(select(Order).where(Order.store_id == shop.store_id))
        assert order.status == OrderStatus.NEW
        order.answer_by = utcnow() - timedelta(minutes=1)  # nobody answered in time
        db.session.commit()
        order_id = order.id

    def rejected():
        with db_app.app_context():
            return db.session.get(Order, order_id).status == OrderStatus.REJECTED

    wait_for(rejected, what="beat's sweep to reject the order")


def test_the_worker_rings_the_seller_by_push_and_whatsapp(
    db_app, web, worker, smtp_server, graph, push_service
):
    smtp_server()
    shop = open_shop(db_app, {"Es Teh": (12000, 50)})
    # The seller turns on order notifications on the board (their phone's browser subscribes)
    seller = Visitor(web.url)
    seller.login("0" + shop.owner_phone[2:])
    board = seller.get(f"/toko-saya/{shop.store_id}/pesanan").text
    csrf = re.search(r'data-csrf="([^"]+)"', board).group(1)
    phone = Browser(f"{push_service.origin}/push/{shop.store_id}")
    answer = seller.http.post(
        f"{web.url}/push/langganan",
        json=phone.subscription(),
        headers={"X-CSRFToken": csrf},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    # A buyer orders: the worker rings the seller's phone and sends both WhatsApp messages
    _place(web, shop, f"rina.{shop.store_id}@example.id", phone=f"0813{shop.store_id:08d}")
    pushed = wait_for(
        lambda: [r for r in push_service.received if r["path"] == f"/push/{shop.store_id}"],
        what="the push to the seller's phone",
    )
    shown = phone.read(pushed[0])
    assert shown["title"].startswith("Pesanan baru #")
    with db_app.app_context():
        store_phone = db.session.get(Store, shop.store_id).whatsapp
    alert = wait_for(lambda: graph.to(store_phone), what="the seller's WhatsApp alert")
    assert alert[0]["template"]["name"] == "pesanan_baru_penjual"
    wait_for(lambda: graph.to(f"62813{shop.store_id:08d}"), what="the buyer's WhatsApp message")
    assert graph.refused == []
