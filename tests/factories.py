"""Factory fixtures: build users, KIM groups, stores and products through the services."""

from __future__ import annotations

import io
import itertools
from datetime import time

import pytest
from PIL import Image
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.areas.models import Kelurahan
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Category, Product
from marketplace.extensions import db
from marketplace.kim.models import KimGroup
from marketplace.kim.services import ensure_group
from marketplace.stores import services as stores
from marketplace.stores.models import Store, StoreStatus

PASSWORD = "rahasia123"
_HASH: dict[str, str] = {}
_counter = itertools.count(1)
#: two periods a day that together cover every minute
ALWAYS_OPEN = tuple(
    (day, opens, closes)
    for day in range(7)
    for opens, closes in ((time(0), time(12)), (time(12), time(0)))
)


def password_hash() -> str:
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


def kelurahan(name: str) -> Kelurahan:
    return db.session.scalar(select(Kelurahan).where(Kelurahan.name == name))


def jpeg_bytes(size=(64, 48), color=(200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def create_user(app):
    def make(role: str = Role.CUSTOMER, kim_group: KimGroup | None = None, **fields) -> User:
        n = next(_counter)
        user = User(
            name=fields.pop("name", f"Pengguna {n}"),
            phone=fields.pop("phone", f"62812{n:08d}"),
            email=fields.pop("email", None),
            password_hash=password_hash(),
            role=role,
            kim_group_id=kim_group.id if kim_group else None,
            **fields,
        )
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def create_kim_group(app):
    def make(area_name: str = "Uwung Jaya") -> KimGroup:
        return ensure_group(kelurahan(area_name))

    return make


def add_user(role: str, phone: str, name: str = "", **fields) -> User:
    """A user with the test password, outside the fixtures (live servers, other threads)."""
    user = User(
        name=name or f"Pengguna {phone[-4:]}",
        phone=phone,
        role=role,
        password_hash=password_hash(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def build_store(
    owner: User,
    admin: User | None,
    name: str,
    area: str = "Uwung Jaya",
    periods=ALWAYS_OPEN,
    status: str = StoreStatus.VERIFIED,
    **fields,
) -> Store:
    """Open a store through the services, set its hours and verify (or reject) it."""
    data = stores.StoreData(
        name=name,
        whatsapp=fields.pop("whatsapp", "081234567890"),
        address=fields.pop("address", "Jl. Uji no. 1"),
        rt=fields.pop("rt", "001"),
        rw=fields.pop("rw", "002"),
        kelurahan_id=kelurahan(area).id,
        **fields,
    )
    store = stores.open_store(owner, data)
    stores.set_opening_hours(store, [stores.PeriodData(*p) for p in periods])
    if status == StoreStatus.VERIFIED:
        stores.verify_store(store, admin)
    elif status == StoreStatus.REJECTED:
        stores.reject_store(store, admin, "Foto kurang jelas")
    return store


@pytest.fixture
def create_store(app, create_user):
    def make(
        owner: User | None = None,
        area: str = "Uwung Jaya",
        status: str = StoreStatus.VERIFIED,
        name: str | None = None,
        periods=ALWAYS_OPEN,
        **fields,
    ) -> Store:
        owner = owner or create_user(Role.SELLER)
        admin = None
        if status != StoreStatus.PENDING:
            admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN))
            admin = admin or create_user(Role.CITY_ADMIN)
        name = name or f"Warung Uji {next(_counter)}"
        return build_store(owner, admin, name, area, periods, status, **fields)

    return make


@pytest.fixture
def create_product(app):
    def make(store: Store, name: str = "Nasi Uduk", price: int = 15000, **fields) -> Product:
        category = db.session.scalar(
            select(Category).where(Category.slug == fields.pop("category", "makanan-berat"))
        )
        data = catalog.ProductData(name=name, category_id=category.id, price=price, **fields)
        return catalog.create_product(store, data)

    return make


@pytest.fixture
def login(client):
    def do(user: User, password: str = PASSWORD):
        response = client.post(
            "/akun/masuk", data={"login": user.phone, "password": password}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


def seed_warung(
    product_name: str = "Nasi Uduk Betawi",
    owner_phone: str = "6281200000001",
    periods=ALWAYS_OPEN,
    **product_fields,
) -> tuple[Store, Product]:
    """Warung Bu Siti, verified, with one product: the shop of the tests that run a whole app
    (live servers, backups, replicas, the production stack). Call inside an app context."""
    admin = add_user(Role.CITY_ADMIN, "6281100000009")
    owner = add_user(Role.SELLER, owner_phone, "Bu Siti")
    store = build_store(owner, admin, "Warung Bu Siti", periods=periods)
    product = catalog.create_product(
        store,
        catalog.ProductData(name=product_name, category_id=catalog.categories()[0].id, price=15000),
        **product_fields,
    )
    return store, product
