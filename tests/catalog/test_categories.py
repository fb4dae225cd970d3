import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog import services
from marketplace.catalog.models import Category
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db


def test_culinary_categories_are_seeded(app):
    slugs = {c.slug for c in services.categories()}
    assert {
        "makanan-berat",
        "jajanan-kue-basah",
        "kue-kering-oleh-oleh",
        "minuman",
        "frozen-food",
        "katering-tumpeng",
    } <= slugs


def test_city_admin_adds_renames_moves_and_deletes_categories(
    client, create_user, login, count_rows
):
    login(create_user(Role.CITY_ADMIN))
    response = client.post("/admin/kategori/", data={"name": "Nasi Kotak", "name_en": "Rice boxes"})
    assert response.status_code == 302
    category = db.session.scalar(select(Category).where(Category.slug == "nasi-kotak"))
    assert services.categories()[-1] == category
    before = count_rows(Category)
    response = client.post("/admin/kategori/", data={"name": "Minuman"})
    assert response.status_code == 400
    assert "sudah ada" in response.get_data(as_text=True)
    assert count_rows(Category) == before
    client.post(f"/admin/kategori/{category.id}", data={"name": "Nasi Box", "slug": "nasi-box"})
    assert (category.name, category.slug) == ("Nasi Box", "nasi-box")
    client.post(f"/admin/kategori/{category.id}/pindah", data={"direction": "up"})
    assert services.categories()[-2] == category
    category_id = category.id
    client.post(f"/admin/kategori/{category_id}/hapus")
    assert db.session.get(Category, category_id) is None


def test_category_with_products_cannot_be_deleted(create_user, create_store, create_product):
    product = create_product(create_store())
    with pytest.raises(DomainError, match="masih dipakai 1 produk"):
        services.delete_category(create_user(Role.CITY_ADMIN), product.category)


def test_only_the_city_admin_manages_categories(create_user, create_kim_group):
    kim_admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group())
    with pytest.raises(NotAllowed):
        services.create_category(kim_admin, "Baru")
