"""The process's copies of the categories and kelurahan: fresh after a write here, after a short
time for a write by another instance."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.areas.services import all_kelurahan, kelurahan_by_slug
from marketplace.catalog import services
from marketplace.catalog.models import Category
from marketplace.core import refcache
from marketplace.extensions import db


def test_a_category_renamed_here_shows_at_once(client, create_user):
    before = services.category_by_slug("makanan-berat").name
    assert before in client.get("/kategori/makanan-berat").get_data(as_text=True)
    category = db.session.scalar(sa.select(Category).where(Category.slug == "makanan-berat"))
    admin = create_user(Role.CITY_ADMIN)
    services.update_category(admin, category, "Makanan Kenyang", "", "makanan-berat")
    db.session.commit()
    assert services.category_by_slug("makanan-berat").name == "Makanan Kenyang"
    page = client.get("/kategori/makanan-berat").get_data(as_text=True)
    assert "Makanan Kenyang" in page


def _written_elsewhere(sql: str, **values) -> None:
    """A write this process's unit of work does not see, as another instance's would be."""
    db.session.connection().exec_driver_sql(
        sql.replace(":id", "?" if db.engine.dialect.name == "sqlite" else "%(id)s"),
        (values["id"],) if db.engine.dialect.name == "sqlite" else values,
    )


def test_a_write_by_another_instance_shows_after_the_configured_time(app, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock[0])
    first = all_kelurahan()[0]
    _written_elsewhere("UPDATE kelurahan SET name = 'Kelurahan Lain' WHERE id = :id", id=first.id)
    clock[0] += app.config["REFERENCE_CACHE_SECONDS"] - 1
    assert all_kelurahan()[0].name == first.name  # the kept copy
    clock[0] += 2
    assert {k.id: k.name for k in all_kelurahan()}[first.id] == "Kelurahan Lain"


def test_a_kelurahan_added_elsewhere_is_found_before_the_copy_expires(app):
    kecamatan_id = all_kelurahan()[0].kecamatan_id
    _written_elsewhere(
        "INSERT INTO kelurahan (kecamatan_id, name, slug) VALUES (:id, 'Kampung Baru', 'kb-x')",
        id=kecamatan_id,
    )
    found = kelurahan_by_slug("kb-x")
    assert found is not None
    assert found.name == "Kampung Baru"
    assert kelurahan_by_slug("tidak-ada") is None
