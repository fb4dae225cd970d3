"""`flask backup` / `flask restore`: a copy restored into an empty database and uploads folder
serves the same pages (photos included) and the same cash book balances."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from marketplace.books import services as books
from marketplace.books.models import EntryKind, Method
from marketplace.books.reports import money_until
from marketplace.core.images import Uploads
from marketplace.extensions import db
from marketplace.stores.models import Store
from tests.conftest import build_schema, fresh_postgres, make_app
from tests.factories import jpeg_bytes, seed_warung


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """(where the site runs, an empty place to restore into)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.sqlite3'}", f"sqlite:///{tmp_path / 'copy.sqlite3'}"
        return
    with fresh_postgres("pkk_live") as live, fresh_postgres("pkk_copy") as copy:
        yield live, copy


def _pages(app, store_slug: str, product_id: int, photo: str) -> dict[str, bytes]:
    client = app.test_client()
    pages = {}
    for path in (f"/toko/{store_slug}", f"/produk/{product_id}", "/produk", f"/media/{photo}"):
        response = client.get(path)
        assert response.status_code == 200, path
        # the CSRF token and the request's own id differ between any two visits
        pages[path] = re.sub(rb'name="csrf_token"[^>]*>', b"", response.get_data())
        response.close()
    return pages


def test_a_restored_copy_serves_the_same_pages_and_balances(two_databases, tmp_path):
    live_url, copy_url = two_databases
    live = make_app(live_url, tmp_path / "live-uploads", PAGE_CACHE_URL="", SERVER_NAME=None)
    build_schema(live)
    with live.app_context():
        store, product = seed_warung(
            photo=BytesIO(jpeg_bytes()), uploads=Uploads.from_config(live.config)
        )
        owner = store.owner
        for kind, amount, category in (
            (EntryKind.INCOME, 250_000, "penjualan di tempat"),
            (EntryKind.EXPENSE, 80_000, "bahan baku"),
        ):
            books.record_entry(
                owner, store, books.EntryData(kind=kind, amount=amount, category=category)
            )
        db.session.commit()
        slug, product_id, photo = store.slug, product.id, product.photos[0].large
        end = datetime.now() + timedelta(days=1)  # noqa: DTZ005 - a naive bound, as stored
        before = money_until(store, end)
        pages_before = _pages(live, slug, product_id, photo)
        from marketplace.core.backup import make_backup

        manifest = make_backup(tmp_path / "backup")
        assert manifest["rows"]["products"] == 1
        assert manifest["rows"]["cash_entries"] == 2
        db.session.remove()
        db.engine.dispose()
    assert before == {Method.CASH: 170_000}
    with pytest.raises(Exception, match="not empty"):
        with live.app_context():
            make_backup(tmp_path / "backup")

    copy = make_app(copy_url, tmp_path / "copy-uploads", PAGE_CACHE_URL="", SERVER_NAME=None)
    runner = copy.test_cli_runner()
    result = runner.invoke(args=["restore", str(tmp_path / "backup"), "--yes"])
    assert result.exit_code == 0, result.output
    assert "every table holds the rows" in result.output
    with copy.app_context():
        store = db.session.scalar(select(Store).where(Store.slug == slug))
        assert money_until(store, end) == before
        assert _pages(copy, slug, product_id, photo) == pages_before
        db.session.remove()
        db.engine.dispose()


def test_backup_refuses_a_folder_in_use_and_restore_a_folder_without_manifest(app, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "full")])
    assert result.exit_code != 0
    assert "not empty" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(args=["restore", str(tmp_path / "empty"), "--yes"])
    assert result.exit_code != 0
    assert "manifest.json" in result.output
