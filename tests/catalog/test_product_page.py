"""The product page reads its product as plain rows in one statement: what it shows must be what
the models say (photos and options in order, portions left, sale, the store's hours, closed
dates and pause), on both databases, in a fixed number of statements."""

from datetime import UTC, datetime, time, timedelta

from marketplace.accounts.models import Role
from marketplace.catalog import services
from marketplace.catalog.models import DailyPortion, Option, OptionGroup, Product, ProductPhoto
from marketplace.catalog.product_page import product_view
from marketplace.core.db import jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.stores.hours import availability
from marketplace.stores.models import Store, StoreClosedDate
from tests.statements import QueryCounter

#: a week with an overnight period and a day without hours
WEEK = (
    (0, time(7), time(14)),
    (0, time(17), time(21)),
    (1, time(7), time(14)),
    (2, time(18), time(2)),
    (4, time(6), time(11, 30)),
    (5, time(8), time(22)),
    (6, time(20), time(1)),
)


def _product_with_everything(create_store, create_product):
    today = jakarta_today()
    store = create_store(name="Warung Lengkap", area="Cibodasari", periods=WEEK, landmark="Gang 3")
    product = create_product(
        store,
        name="Nasi Bakar",
        price=20000,
        sale_price=17000,
        sale_starts_at=datetime.now(UTC) - timedelta(hours=1),
        sale_ends_at=datetime.now(UTC) + timedelta(days=1),
        stock_mode="daily",
        daily_quota=10,
        is_halal=True,
        lead_days=1,
        description="Nasi bakar isi ayam suwir.",
    )
    spicy = OptionGroup(product_id=product.id, name="Pedas", required=True, position=1)
    extra = OptionGroup(product_id=product.id, name="Tambahan", multiple=True, position=0)
    db.session.add_all([spicy, extra])
    db.session.flush()
    db.session.add_all(
        [
            Option(group_id=spicy.id, name="Sedang", position=1),
            Option(group_id=spicy.id, name="Tidak pedas", position=0),
            Option(group_id=spicy.id, name="Level 5", position=2, is_sold_out=True),
            Option(group_id=extra.id, name="Telur", extra_price=4000, position=0),
            Option(group_id=extra.id, name="Tempe", extra_price=2000, position=1),
            ProductPhoto(product_id=product.id, thumb="c-t.webp", large="c.webp", position=2),
            ProductPhoto(product_id=product.id, thumb="a-t.webp", large="a.webp", position=0),
            ProductPhoto(product_id=product.id, thumb="b-t.webp", large="b.webp", position=1),
            DailyPortion(product_id=product.id, day=today, taken=4),
            DailyPortion(product_id=product.id, day=today + timedelta(days=1), taken=9),
            DailyPortion(product_id=product.id, day=today - timedelta(days=1), taken=10),
            StoreClosedDate(store_id=store.id, day=today - timedelta(days=5)),
            StoreClosedDate(store_id=store.id, day=today - timedelta(days=1)),
            StoreClosedDate(store_id=store.id, day=today + timedelta(days=2)),
            StoreClosedDate(store_id=store.id, day=today + timedelta(days=3)),
        ]
    )
    product.rating_count, product.rating_sum = 4, 17
    db.session.flush()
    db.session.expire_all()
    return db.session.get(Store, store.id), db.session.get(Product, product.id)


def _groups(product) -> list:
    def options(group) -> list:
        return [(o.id, o.name, o.extra_price, o.is_sold_out) for o in group.options]

    return [(g.name, g.multiple, g.required, options(g)) for g in product.option_groups]


def test_the_page_reads_what_the_models_say(create_store, create_product):
    today = jakarta_today()
    store, product = _product_with_everything(create_store, create_product)
    view = product_view(product.id, today)

    assert [p.large for p in view.photos] == ["a.webp", "b.webp", "c.webp"]
    assert [(p.thumb, p.large) for p in view.photos] == [(p.thumb, p.large) for p in product.photos]
    assert view.cover.large == product.cover.large == "a.webp"
    assert _groups(view) == _groups(product)
    assert [o.name for g in view.option_groups for o in g.options] == [
        "Telur", "Tempe", "Tidak pedas", "Sedang", "Level 5",
    ]  # fmt: skip
    now = utcnow()
    for name in ("name", "description", "price", "sale_price", "is_halal", "lead_days"):
        assert getattr(view, name) == getattr(product, name), name
    assert view.price_at(now) == product.price_at(now) == 17000
    assert view.portions_left(today) == product.portions_left(today) == 6
    assert view.is_available(today)
    assert product.is_available(today)
    assert view.average_rating == product.average_rating == 4.2

    assert (view.store.name, view.store.slug, view.store.landmark, view.store.whatsapp) == (
        store.name,
        store.slug,
        store.landmark,
        store.whatsapp,
    )
    assert view.store.kelurahan.label == store.kelurahan.label
    assert view.store.is_public == store.is_public
    assert sorted((p.weekday, p.opens_at, p.closes_at) for p in view.store.periods) == sorted(
        (p.weekday, p.opens_at, p.closes_at) for p in store.periods
    )
    # the closed dates availability can still meet: from yesterday on
    assert sorted(c.day for c in view.store.closed_dates) == [
        today + timedelta(days=n) for n in (-1, 2, 3)
    ]
    # open or closed, next opening and closing: the same answer every 90 minutes of 10 days
    start = utcnow() - timedelta(days=1)
    for step in range(160):
        moment = start + timedelta(minutes=90 * step)
        assert availability(view.store, moment) == availability(store, moment), moment

    # paused for a while, then with no end
    store.is_paused, store.pause_reason = True, "Sedang belanja"
    store.paused_until = utcnow() + timedelta(hours=5)
    db.session.flush()
    for until in (store.paused_until, None):
        store.paused_until = until
        db.session.flush()
        view = product_view(product.id, today)
        for step in range(40):
            moment = utcnow() + timedelta(hours=step)
            assert availability(view.store, moment) == availability(store, moment), moment


def test_a_product_without_photos_options_or_portions(create_store, create_product):
    store = create_store(periods=())
    product = create_product(store, name="Es Teh", stock_mode="counted", stock=0)
    view = product_view(product.id)
    assert (view.photos, view.option_groups, view.upcoming_portions) == ((), (), ())
    assert view.cover is None
    assert view.store.periods == ()
    assert view.store.closed_dates == ()
    assert not view.is_available()
    assert view.portions_left() == 0
    assert not availability(view.store).is_open
    assert product_view(product.id + 1000) is None


def test_who_sees_a_hidden_product(client, create_store, create_product, create_user, login):
    owner = create_user(Role.SELLER)
    store = create_store(owner=owner)
    hidden = create_product(store, name="Resep Rahasia")
    services.set_hidden(hidden, True)
    db.session.commit()
    assert client.get(f"/produk/{hidden.id}").status_code == 404
    login(create_user(Role.CUSTOMER))
    assert client.get(f"/produk/{hidden.id}").status_code == 404
    client.post("/akun/keluar")
    login(owner)
    assert "Resep Rahasia" in client.get(f"/produk/{hidden.id}").get_data(as_text=True)


def test_the_page_shows_them(client, create_store, create_product):
    store, product = _product_with_everything(create_store, create_product)
    db.session.commit()
    text = client.get(f"/produk/{product.id}").get_data(as_text=True)
    assert text.index("a.webp") < text.index("b.webp") < text.index("c.webp")
    assert (
        text.index("Telur") < text.index("Tempe") < text.index("Tidak pedas") < text.index("Sedang")
    )
    assert "Sisa 6" in text
    assert "Gang 3" in text
    assert "Cibodasari" in text
    assert "Rp17.000" in text


def test_the_page_takes_the_same_statements_whatever_it_holds(client, create_store, create_product):
    def measure(product_id: int) -> int:
        client.get(f"/produk/{product_id}")
        with QueryCounter(db.engine) as counter:
            assert client.get(f"/produk/{product_id}").status_code == 200
        return counter.count

    bare = create_product(create_store(), name="Es Teh")
    _store, full = _product_with_everything(create_store, create_product)
    db.session.commit()
    # the product with photos, options, week, closed dates, portions and its reviews
    assert measure(bare.id) == measure(full.id) == 1
