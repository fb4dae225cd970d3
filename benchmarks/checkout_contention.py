"""Checkout under contention: 50 buyers at once against gunicorn + PostgreSQL + localstripe.

Each buyer fills a cart beforehand, then all place their order at the same moment (half pay
cash, half by card); card buyers then pay. Two stores share the crowd; the popular product has
fewer portions than buyers. Afterwards the seller accepts every new order, and the figures
that must hold whatever the load are counted.

Prints latency percentiles (client side, so they include queueing behind the workers), the
same checkout alone on an idle server (the server time), and the counts: orders, sold-out
refusals, errors, PaymentIntents per order, stock + units held, cash book vs money kept.

Run with `make bench` (needs PostgreSQL at BENCH_PG_ADMIN_DSN, default
postgresql://postgres@127.0.0.1:5432/postgres). BUYERS and WORKERS may be set in the environment.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.areas.services import seed_areas
from marketplace.books.models import CashEntry
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product, StockMode
from marketplace.demo.seed import seed_categories
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus
from marketplace.payments.models import Payment, PaymentStatus
from tests.factories import add_user, build_store
from tests.live.harness import (
    Visitor,
    at_once,
    live_env,
    order_token,
    spawn_gunicorn,
    spawn_localstripe,
)

ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
BUYERS = int(os.environ.get("BUYERS", "50"))
WORKERS = int(os.environ.get("WORKERS", "4"))
POPULAR_STOCK = BUYERS // 2
SECRET = "whsec_bench"  # noqa: S105 - a local webhook secret


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered
    pick = (lambda p: cut[p - 1]) if len(ordered) > 1 else (lambda p: ordered[0])
    return (
        f"p50 {pick(50) * 1000:7.0f} ms  p95 {pick(95) * 1000:7.0f} ms  "
        f"p99 {pick(99) * 1000:7.0f} ms  max {ordered[-1] * 1000:7.0f} ms  (n={len(values)})"
    )


def seed(app) -> dict:
    with app.app_context():
        seed_areas()
        seed_categories()
        admin = add_user(Role.CITY_ADMIN, "6281100000001")
        shops = []
        for n, name in enumerate(("Warung Bu Siti", "Sate Kang Asep")):
            owner = add_user(Role.SELLER, f"62812000000{n:02d}")
            store = build_store(owner, admin, name, whatsapp=owner.phone, address="Jl. Raya 1")
            popular = catalog.create_product(
                store,
                catalog.ProductData(
                    name=f"Nasi Uduk {n}",
                    category_id=catalog.categories()[0].id,
                    price=15000,
                    stock_mode=StockMode.COUNTED,
                    stock=POPULAR_STOCK // 2,
                ),
            )
            plenty = catalog.create_product(
                store,
                catalog.ProductData(
                    name=f"Es Teh {n}",
                    category_id=catalog.categories()[0].id,
                    price=6000,
                    stock_mode=StockMode.COUNTED,
                    stock=10 * BUYERS,
                ),
            )
            shops.append(
                {
                    "store": store.id,
                    "owner": "0" + owner.phone[2:],
                    "popular": popular.id,
                    "plenty": plenty.id,
                    "stock": {popular.id: POPULAR_STOCK // 2, plenty.id: 10 * BUYERS},
                }
            )
        db.session.commit()
        return {"shops": shops}


def card_method(stripe_url: str) -> str:
    answer = requests.post(
        f"{stripe_url}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
        },
        auth=("sk_test_local", ""),
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["id"]


def timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def run(server, stripe_url: str, world: dict) -> dict:
    shops = world["shops"]
    buyers = []
    for n in range(BUYERS):
        shop = shops[n % 2]
        visitor = Visitor(server.url)
        visitor.add(shop["popular"], 1)
        visitor.add(shop["plenty"], 2)
        method = "card" if n % 4 in (1, 3) else "cash"
        buyers.append((visitor, shop, method, visitor.checkout_form(shop["store"])))

    def checkout(visitor, shop, method, form, n):
        return timed(
            lambda: visitor.place(
                shop["store"], form, method=method, phone=f"0813{n:08d}", name=f"Pembeli {n}"
            )
        )

    results = at_once(
        *[
            lambda b=b, n=n: checkout(*b, n)
            for n, b in enumerate(buyers)  # noqa: B023 - bound through the defaults
        ]
    )
    figures = {"checkout": [], "pay": [], "accept": [], "placed": 0, "sold_out": 0, "errors": 0}
    to_pay = []
    for (visitor, _shop, method, _form), result in zip(buyers, results, strict=True):
        if isinstance(result, Exception):
            figures["errors"] += 1
            continue
        elapsed, answer = result
        figures["checkout"].append(elapsed)
        if answer.status_code == 302:
            figures["placed"] += 1
            if method == "card":
                to_pay.append((visitor, order_token(answer.headers["Location"])))
        elif answer.status_code == 400 and "habis" in answer.text:
            figures["sold_out"] += 1
        else:
            figures["errors"] += 1
    methods = [card_method(stripe_url) for _ in to_pay]
    paid = at_once(
        *[
            lambda v=v, t=t, m=m: timed(lambda: v.pay(t, m))
            for (v, t), m in zip(to_pay, methods, strict=True)
        ]
    )
    for result in paid:
        if isinstance(result, Exception) or result[1].status_code != 200:
            figures["errors"] += 1
        else:
            figures["pay"].append(result[0])
    return figures


def accept_all(server, app, world: dict, figures: dict) -> None:
    for shop in world["shops"]:
        seller = Visitor(server.url)
        seller.login(shop["owner"])
        csrf = seller.token("/akun/masuk")
        with app.app_context():
            ids = db.session.scalars(
                select(Order.id).where(
                    Order.store_id == shop["store"], Order.status == OrderStatus.NEW
                )
            ).all()
        answers = at_once(
            *[
                lambda i=i, seller=seller, csrf=csrf: timed(
                    lambda: seller.http.post(
                        f"{server.url}/toko-saya/pesanan/{i}/terima",
                        data={"csrf_token": csrf},
                        timeout=60,
                        allow_redirects=False,
                    )
                )
                for i in ids
            ]
        )
        for result in answers:
            if isinstance(result, Exception) or result[1].status_code != 302:
                figures["errors"] += 1
            else:
                figures["accept"].append(result[0])


def count(app, world: dict, stripe_url: str) -> dict:
    out = {"stock_ok": True, "books_ok": True, "intents_ok": True, "orders": 0}
    with app.app_context():
        for shop in world["shops"]:
            for product_id, stocked in shop["stock"].items():
                on_shelf = db.session.get(Product, product_id).stock
                held = db.session.scalar(
                    select(func.coalesce(func.sum(OrderLine.quantity), 0))
                    .join(Order)
                    .where(OrderLine.product_id == product_id, Order.stock_released.is_(False))
                )
                out["stock_ok"] &= on_shelf + held == stocked
            kept = 0
            for order in db.session.scalars(select(Order).where(Order.store_id == shop["store"])):
                out["orders"] += 1
                if order.payment_method != "card":
                    continue
                intents = requests.get(
                    f"{stripe_url}/v1/payment_intents/search",
                    params={"query": f"metadata['order_id']:'{order.id}'"},
                    auth=("sk_test_local", ""),
                    timeout=10,
                ).json()["data"]
                payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
                live = [i for i in intents if i["status"] != "canceled"]
                if order.status == OrderStatus.ACCEPTED:
                    out["intents_ok"] &= [i["status"] for i in live] == ["succeeded"]
                    out["intents_ok"] &= payment.status == PaymentStatus.CAPTURED
                    kept += order.total
                else:
                    out["intents_ok"] &= len(live) <= 1
            booked = db.session.scalar(
                select(func.coalesce(func.sum(CashEntry.amount), 0)).where(
                    CashEntry.store_id == shop["store"], CashEntry.order_id.is_not(None)
                )
            )
            out["books_ok"] &= booked == kept
    return out


def idle_checkout(server, world: dict) -> list[float]:
    """The same checkout, one buyer at a time on an idle server: the server's own time."""
    shop = world["shops"][0]
    times = []
    for n in range(10):
        visitor = Visitor(server.url)
        visitor.add(shop["plenty"], 1)
        form = visitor.checkout_form(shop["store"])
        elapsed, answer = timed(
            lambda v=visitor, f=form, n=n: v.place(shop["store"], f, phone=f"0814{n:08d}")
        )
        if answer.status_code == 302:
            times.append(elapsed)
    return times


def main() -> None:
    name = f"pkk_bench_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"checkout_contention: PostgreSQL not reachable at {ADMIN_DSN}: {error}")
        sys.exit(0)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    folder = Path(tempfile.mkdtemp(prefix="pkk-contention-"))
    stripe_process, stripe_url = spawn_localstripe(folder)
    server = None
    try:
        if not stripe_url:
            print("checkout_contention: localstripe did not start")
            return
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "STRIPE_API_BASE": stripe_url,
                "UPLOAD_FOLDER": str(folder / "uploads"),
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        world = seed(app)
        server = spawn_gunicorn(
            live_env(url, stripe_url, SECRET, folder), folder / "gunicorn.log", WORKERS
        )
        started = time.perf_counter()
        figures = run(server, stripe_url, world)
        accept_all(server, app, world, figures)
        wall = time.perf_counter() - started
        idle = idle_checkout(server, world)
        checks = count(app, world, stripe_url)
        print(f"Checkout contention: {BUYERS} buyers, gunicorn {WORKERS} sync workers, PostgreSQL")
        print(f"  checkout (all at once)   {percentiles(figures['checkout'])}")
        print(f"  card pay (all at once)   {percentiles(figures['pay'])}")
        print(f"  seller accepts (burst)   {percentiles(figures['accept'])}")
        print(f"  checkout (idle server)   {percentiles(idle)}")
        print(
            f"  placed {figures['placed']}, sold-out refusals {figures['sold_out']}, "
            f"errors {figures['errors']}, wall {wall:.1f} s"
        )
        print(
            f"  orders {checks['orders']}; stock + held == stocked: {checks['stock_ok']}; "
            f"one live intent per card order, captured when accepted: {checks['intents_ok']}; "
            f"cash book == money kept: {checks['books_ok']}"
        )
        with app.app_context():
            db.engine.dispose()
    finally:
        if server is not None:
            server.stop()
        stripe_process.terminate()
        stripe_process.wait(timeout=10)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
