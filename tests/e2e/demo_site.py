"""The demo kampung (`flask seed-demo`) served on 127.0.0.1 for the whole-site browser checks
(screenshots, language, page weight) and the Lighthouse benchmark."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from tests.conftest import build_schema, make_app


@contextmanager
def demo_site(workdir: Path, **config):
    """Yield ``(base_url, app)`` of a fresh demo site; stop the server and close the database."""
    from marketplace.demo.seed import seed_demo
    from marketplace.extensions import db

    app = make_app(
        f"sqlite:///{workdir / 'demo.sqlite3'}",
        workdir / "uploads",
        **{"WTF_CSRF_ENABLED": True, "TESTING": False, "SERVER_NAME": None, **config},
    )
    build_schema(app)
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def demo_urls(app) -> dict[str, str]:
    """Name → path of the main public pages of the demo site."""
    from sqlalchemy import select

    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.stores.models import Store, StoreStatus

    with app.app_context():
        store = db.session.scalar(
            select(Store).where(Store.status == StoreStatus.VERIFIED).order_by(Store.id)
        )
        product = db.session.scalar(
            select(Product).where(Product.store_id == store.id).order_by(Product.id)
        )
        return {
            "beranda": "/",
            "cari": "/cari?q=nasi",
            "produk": f"/produk/{product.id}",
            "toko": f"/toko/{store.slug}",
            "semua-produk": "/produk",
            "pengumuman": "/pengumuman",
            "kelurahan": "/kelurahan",
            "akun": "/akun/",
            "masuk": "/akun/masuk",
            "daftar": "/akun/daftar",
        }


def sign_in_demo(page, base: str, login: str) -> None:
    """Sign a demo person in (they all share the demo password)."""
    from marketplace.demo import data

    page.goto(f"{base}/akun/masuk")
    page.get_by_label("Nomor WhatsApp atau e-mail").fill(login)
    page.get_by_label("Kata sandi").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
