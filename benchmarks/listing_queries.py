"""Listing pages: SQL queries and time per request as the catalog grows (prints figures).

Run with `make bench`. Uses a throwaway SQLite database (or BENCH_DATABASE_URL).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import time as clock
from pathlib import Path

from sqlalchemy import event

from marketplace import create_app
from marketplace.accounts.models import Role, User
from marketplace.areas.services import seed_areas
from marketplace.catalog import services as catalog
from marketplace.demo.seed import seed_categories
from marketplace.extensions import db
from marketplace.stores import services as stores

PAGES = [
    "/",
    "/produk",
    "/produk?buka=1&tersedia=1&urut=price_asc",
    "/cari?q=nasi",
    "/kelurahan/uwung-jaya",
]


def grow(n_stores: int, per_store: int, offset: int) -> None:
    admin = db.session.scalar(db.select(User).where(User.role == Role.CITY_ADMIN))
    category_ids = [c.id for c in catalog.categories()]
    area = db.session.scalar(db.text("SELECT id FROM kelurahan WHERE name = 'Uwung Jaya'"))
    for s in range(offset, offset + n_stores):
        owner = User(
            name=f"Penjual {s}", phone=f"62813{s:08d}", password_hash="x", role=Role.SELLER
        )
        db.session.add(owner)
        db.session.flush()
        store = stores.open_store(
            owner,
            stores.StoreData(
                name=f"Warung {s}",
                whatsapp="081234567890",
                address="Jl. Bench",
                rt="1",
                rw="1",
                kelurahan_id=area,
            ),
        )
        stores.set_opening_hours(
            store, [stores.PeriodData(d, clock(6), clock(21)) for d in range(7)]
        )
        stores.verify_store(store, admin)
        for p in range(per_store):
            catalog.create_product(
                store,
                catalog.ProductData(
                    name=f"Nasi Uduk {s}-{p}",
                    category_id=category_ids[p % len(category_ids)],
                    price=10000 + p * 500,
                    description="Nasi gurih santan dengan lauk pilihan",
                ),
            )
    db.session.commit()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="pkk-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "up"),
            "RATELIMIT_ENABLED": False,
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        seed_areas()
        seed_categories()
        db.session.add(
            User(name="Admin", phone="6281100000001", password_hash="x", role=Role.CITY_ADMIN)
        )
        db.session.commit()
        client = app.test_client()
        total_stores = 0
        print(f"database: {db.engine.dialect.name}")
        print(f"{'products':>9} {'page':<45} {'queries':>7} {'median ms':>10}")
        for n_stores in (2, 18, 80):
            grow(n_stores, 10, total_stores)
            total_stores += n_stores
            for page in PAGES:
                counter = {"n": 0}

                def hit(*_args, counter=counter):
                    counter["n"] += 1

                event.listen(db.engine, "before_cursor_execute", hit)
                client.get(page)
                event.remove(db.engine, "before_cursor_execute", hit)
                timings = []
                for _ in range(15):
                    start = time.perf_counter()
                    client.get(page)
                    timings.append((time.perf_counter() - start) * 1000)
                median = statistics.median(timings)
                print(f"{total_stores * 10:>9} {page:<45} {counter['n']:>7} {median:>10.1f}")


if __name__ == "__main__":
    main()
