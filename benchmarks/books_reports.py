"""Cash book pages: SQL queries and time per request as a seller's book grows (prints figures).

Run with `make bench`. Uses a throwaway SQLite database (or BENCH_DATABASE_URL).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert

from marketplace import create_app
from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.areas.services import seed_areas
from marketplace.books.models import CashEntry
from marketplace.core.db import utcnow
from marketplace.demo.seed import seed_categories
from marketplace.extensions import db
from marketplace.stores import services as stores

KINDS = [
    ("pemasukan", "penjualan di tempat"),
    ("pengeluaran", "bahan baku"),
    ("pengeluaran", "kemasan"),
    ("prive", "prive"),
]


def grow(store_id: int, count: int) -> None:
    now = utcnow()
    rows = []
    for _ in range(count):
        kind, category = random.choice(KINDS)
        rows.append(
            {
                "store_id": store_id,
                "occurred_at": now - timedelta(minutes=random.randint(1, 365 * 24 * 60)),
                "kind": kind,
                "category": category,
                "amount": random.randint(1, 200) * 500,
                "method": random.choice(["tunai", "transfer", "qris"]),
                "channel": "di_tempat" if kind == "pemasukan" else "",
                "note": "",
                "created_at": now,
            }
        )
    db.session.execute(insert(CashEntry), rows)
    db.session.commit()


def main() -> None:
    random.seed(7)
    folder = Path(tempfile.mkdtemp(prefix="pkk-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "up"),
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        seed_areas()
        seed_categories()
        admin = User(name="Admin", phone="6281100000001", password_hash="x", role=Role.CITY_ADMIN)
        owner = User(
            name="Bu Siti",
            phone="6281200000001",
            password_hash=hash_password("rahasia123"),
            role=Role.SELLER,
        )
        db.session.add_all([admin, owner])
        db.session.flush()
        area = db.session.scalar(db.text("SELECT id FROM kelurahan WHERE name = 'Uwung Jaya'"))
        store = stores.open_store(
            owner,
            stores.StoreData(
                name="Warung Bench",
                whatsapp="081234567890",
                address="Jl. Bench",
                rt="1",
                rw="1",
                kelurahan_id=area,
            ),
        )
        stores.verify_store(store, admin)
        db.session.commit()
        store_id = store.id
        client = app.test_client()
        client.post("/akun/masuk", data={"login": "081200000001", "password": "rahasia123"})
        pages = [
            f"/toko-saya/{store_id}/buku-kas?periode=bulan",
            f"/toko-saya/{store_id}/buku-kas?periode=rentang&dari="
            f"{(utcnow() - timedelta(days=360)).date()}&sampai={utcnow().date()}",
            f"/toko-saya/{store_id}/buku-kas.csv?periode=bulan",
            f"/toko-saya/{store_id}/laporan-bulanan",
        ]
        print(f"database: {db.engine.dialect.name}")
        print(f"{'entries':>8} {'page':<50} {'queries':>7} {'median ms':>10} {'bytes':>9}")
        total = 0
        for count in (100, 1000, 10000):
            grow(store_id, count - total)
            total = count
            for page in pages:
                counter = {"n": 0}

                def hit(*_args, counter=counter):
                    counter["n"] += 1

                event.listen(db.engine, "before_cursor_execute", hit)
                response = client.get(page)
                event.remove(db.engine, "before_cursor_execute", hit)
                assert response.status_code == 200, (page, response.status_code)
                timings = []
                for _ in range(7):
                    start = time.perf_counter()
                    client.get(page)
                    timings.append((time.perf_counter() - start) * 1000)
                label = page.split("?")[0].replace(f"/toko-saya/{store_id}", "…")
                label += "?" + page.split("?")[1][:20] if "?" in page else ""
                print(
                    f"{total:>8} {label:<50} {counter['n']:>7} "
                    f"{statistics.median(timings):>10.1f} {len(response.data):>9}"
                )


if __name__ == "__main__":
    main()
