"""The shared page cache (Redis): anonymous visitors share a page, each with their own CSRF
token; a write to what the page shows makes the next visitor see it, in every app instance;
signed-in visitors, carts and messages are never cached."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, time

import pytest
import redis
import time_machine
from flask import render_template_string

from marketplace.accounts.models import Role
from marketplace.catalog import services as catalog
from marketplace.core.pagecache import GENERATION_KEY, cached_page, stock_key
from marketplace.extensions import db
from tests.conftest import build_schema, make_app, missing_service
from tests.factories import add_user, seed_warung

CACHE_URL = os.environ.get("TEST_PAGE_CACHE_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def cache():
    client = redis.Redis.from_url(CACHE_URL, socket_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        missing_service(f"Redis is not reachable at {CACHE_URL}: {error}")
    yield client
    client.flushdb()


#: a cached public page holding a form with a CSRF token (no page of the site has one for an
#: anonymous visitor today: the language switch and "add to cart" are guarded by the browser)
FORM_PAGE = "/uji/formulir"


def _form_page():
    return render_template_string(
        '<form method="post" action="/akun/masuk"><input type="hidden" name="csrf_token" '
        'value="{{ csrf_token() }}"><button>Masuk</button></form><p>Nasi Uduk Betawi</p>'
    )


def _app(tmp_path, name="a"):
    app = make_app(
        f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        tmp_path / "uploads",
        PAGE_CACHE_URL=CACHE_URL,
        PAGE_CACHE_SECONDS=60,
        WTF_CSRF_ENABLED=True,
        SERVER_NAME=None,
    )
    app.add_url_rule(FORM_PAGE, "form_page", cached_page(_form_page))
    return app


@pytest.fixture
def shop(tmp_path, cache):
    first = _app(tmp_path)
    build_schema(first)
    with first.app_context():
        _store, product = seed_warung(owner_phone="6281100000008")
        db.session.commit()
        ids = {"product": product.id}
    yield first, ids
    for app in (first,):
        with app.app_context():
            db.engine.dispose()


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_visitors_share_a_page_each_with_their_own_token(shop):
    app, ids = shop
    first, second = app.test_client(), app.test_client()
    miss = first.get(FORM_PAGE)
    hit = second.get(FORM_PAGE)
    assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")
    assert "Nasi Uduk Betawi" in hit.get_data(as_text=True)
    mine, theirs = token_of(hit.get_data(as_text=True)), token_of(miss.get_data(as_text=True))
    assert mine != theirs
    assert "__CSRF_TOKEN_HOLE__" not in hit.get_data(as_text=True)
    # the token on the shared page works for its visitor: they sign in with it
    signed_in = second.post(
        "/akun/masuk",
        data={"csrf_token": mine, "login": "081100000008", "password": "rahasia123"},
    )
    assert signed_in.status_code == 302
    # and now that this visitor is signed in, their pages are their own
    assert "X-Page-Cache" not in second.get(f"/produk/{ids['product']}").headers


def test_the_product_page_is_the_same_for_every_visitor_and_its_cart_form_works(shop):
    app, ids = shop
    url = f"/produk/{ids['product']}"
    app.test_client().get(url)  # stored
    visitor = app.test_client()
    page = visitor.get(url)
    assert page.headers["X-Page-Cache"] == "hit"
    assert page.get_data() == app.test_client().get(url).get_data()
    assert 'name="csrf_token"' not in page.get_data(as_text=True)
    # "add to cart" needs no token from our own page; the cart makes the visitor's pages theirs
    added = visitor.post(
        "/keranjang/tambah",
        data={"product_id": ids["product"], "jumlah": "1"},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert added.status_code == 302
    assert "X-Page-Cache" not in visitor.get("/produk").headers


def test_a_change_is_seen_at_once_by_every_instance(shop, tmp_path, cache):
    app, ids = shop
    other = _app(tmp_path)  # a second gunicorn worker: same database, same cache
    url = f"/produk/{ids['product']}"
    app.test_client().get(url)
    assert other.test_client().get(url).headers["X-Page-Cache"] == "hit"
    with app.app_context():
        product = db.session.get(catalog.Product, ids["product"])
        catalog.update_product(
            product,
            catalog.ProductData(name=product.name, category_id=product.category_id, price=17000),
        )
        db.session.commit()
    page = other.test_client().get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Rp17.000" in page.get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


def test_private_writes_leave_the_pages_cached(shop, cache):
    app, _ids = shop
    app.test_client().get("/")
    before = cache.get(GENERATION_KEY)
    with app.app_context():
        add_user(Role.CUSTOMER, "6281300000001")
        db.session.commit()
    assert cache.get(GENERATION_KEY) == before
    assert app.test_client().get("/").headers["X-Page-Cache"] == "hit"


def test_signed_in_visitors_and_messages_are_never_cached(shop):
    app, _ids = shop
    app.test_client().get("/")  # stored
    member = app.test_client()
    page = member.get("/akun/masuk").get_data(as_text=True)
    signed_in = member.post(
        "/akun/masuk",
        data={"csrf_token": token_of(page), "login": "081100000008", "password": "rahasia123"},
    )
    assert signed_in.status_code == 302
    home = member.get("/")  # carries the "Anda sudah masuk" message, and a seller's bar
    assert "X-Page-Cache" not in home.headers
    assert "Anda sudah masuk" in home.get_data(as_text=True)
    again = member.get("/")
    assert "X-Page-Cache" not in again.headers
    assert "Navigasi bawah" in again.get_data(as_text=True)
    assert 'href="/toko-saya"' in again.get_data(as_text=True)  # the seller's own bar
    # and the anonymous page was not replaced by the seller's
    assert 'href="/toko-saya"' not in app.test_client().get("/").get_data(as_text=True)


def test_a_write_that_bypasses_the_unit_of_work_is_seen_too(shop):
    from sqlalchemy import update

    app, ids = shop
    url = f"/produk/{ids['product']}"
    app.test_client().get(url)
    assert app.test_client().get(url).headers["X-Page-Cache"] == "hit"
    with app.app_context():
        # as stock and review moderation do: one UPDATE statement, no object in the session
        db.session.execute(
            update(catalog.Product).where(catalog.Product.id == ids["product"]).values(price=21000)
        )
        db.session.commit()
    page = app.test_client().get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Rp21.000" in page.get_data(as_text=True)


def test_a_training_attended_shows_on_the_store_page_at_once(shop):
    from datetime import timedelta

    from marketplace.accounts.models import User
    from marketplace.core.db import utcnow
    from marketplace.kim import trainings
    from marketplace.stores.models import Store

    app, _ids = shop
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.role == Role.CITY_ADMIN))
        store = db.session.scalar(db.select(Store))
        training = trainings.create_training(
            admin, "Foto produk", "promosi", "Aula", utcnow() + timedelta(days=1), 20
        )
        registration = trainings.register(store.owner, training)
        db.session.commit()
        url = f"/toko/{store.slug}"
        ids = (registration.id, training.id)
    app.test_client().get(url)
    assert app.test_client().get(url).headers["X-Page-Cache"] == "hit"
    with app.app_context():
        registration = db.session.get(trainings.TrainingRegistration, ids[0])
        admin = db.session.scalar(db.select(User).where(User.role == Role.CITY_ADMIN))
        trainings.mark_attendance(admin, registration, True)
        db.session.commit()
    page = app.test_client().get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Foto produk" in page.get_data(as_text=True)


def test_a_hit_is_served_gzip_compressed_with_the_visitors_token(shop):
    import gzip

    app, _ids = shop
    plain = app.test_client().get(FORM_PAGE)  # miss: rendered and stored
    visitor = app.test_client()
    hit = visitor.get(FORM_PAGE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert hit.headers["X-Page-Cache"] == "hit"
    assert hit.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit.headers["Vary"]
    page = gzip.decompress(hit.get_data()).decode()  # one valid gzip stream, CRC and size
    assert "Nasi Uduk Betawi" in page
    token = token_of(page)
    assert token != token_of(plain.get_data(as_text=True))
    # the token in the page is the visitor's own: their form post is accepted
    assert page.count(token) == page.count('name="csrf_token"')
    refused = visitor.get(FORM_PAGE, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in refused.headers
    assert "Nasi Uduk Betawi" in refused.get_data(as_text=True)


@pytest.mark.parametrize("holes", [0, 1, 3])
def test_stored_pieces_make_the_page_whatever_the_number_of_tokens(holes):
    import gzip

    from marketplace.core.pagecache import TOKEN_HOLE, pack_page, page_body

    html = "<p>awal ÿ</p>" + "".join(f"{TOKEN_HOLE}<b>{n}</b>" * 50 for n in range(holes))
    blob = pack_page(html)
    expected = html.replace(TOKEN_HOLE, "tok-en.123").encode()
    assert page_body(blob, "tok-en.123", gzip=False) == expected
    assert gzip.decompress(page_body(blob, "tok-en.123", gzip=True)) == expected


def test_a_listing_is_the_same_page_for_every_anonymous_visitor(shop):
    """No form on a listing needs a token (the language switch is guarded by the browser's
    headers), so a hit is the same bytes for everyone and starts no session."""
    app, _ids = shop
    stored = app.test_client().get("/produk")
    assert stored.headers["X-Page-Cache"] == "miss"
    assert "Set-Cookie" not in stored.headers  # storing it started no session either
    first, second = app.test_client().get("/produk"), app.test_client().get("/produk")
    assert first.headers["X-Page-Cache"] == second.headers["X-Page-Cache"] == "hit"
    assert first.get_data() == second.get_data()
    assert "Set-Cookie" not in first.headers
    assert 'name="csrf_token"' not in first.get_data(as_text=True)


def test_a_hit_is_answered_without_a_database_statement(shop):
    from sqlalchemy import event

    app, ids = shop
    url = f"/produk/{ids['product']}"
    app.test_client().get(url)  # stored
    statements = []

    def seen(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        hit = app.test_client().get(url)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert hit.headers["X-Page-Cache"] == "hit"
    assert statements == []


def _count_flask_requests(app) -> list:
    """A list that grows by one for each request Flask itself handles (a hook run first)."""
    seen: list = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(1))
    return seen


def test_a_first_visit_is_answered_before_flask_with_the_same_headers(shop):
    """A GET with no cookie at all meets the cached page in the WSGI middleware: no request
    hook runs, and the answer carries what every answer carries."""
    import gzip

    app, _ids = shop
    flask_answered = _count_flask_requests(app)
    app.test_client().get("/produk?urut=harga")  # a miss: rendered by Flask and stored
    assert flask_answered == [1]
    hit = app.test_client().get(
        "/produk?urut=harga",
        headers={"Accept-Encoding": "gzip", "X-Request-ID": "from-the-proxy-123"},
    )
    assert flask_answered == [1]  # Flask never saw it
    assert hit.status_code == 200
    assert hit.headers["X-Page-Cache"] == "hit"
    assert hit.headers["Content-Encoding"] == "gzip"
    assert "Semua produk" in gzip.decompress(hit.get_data()).decode()
    assert hit.headers["X-Request-ID"] == "from-the-proxy-123"
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert hit.headers[name]
    assert set(hit.headers["Vary"].replace(" ", "").split(",")) == {"Accept-Encoding", "Cookie"}
    assert "Set-Cookie" not in hit.headers


def test_a_visitor_with_a_cookie_or_a_form_to_fill_goes_on_to_flask(shop):
    app, ids = shop
    flask_answered = _count_flask_requests(app)
    app.test_client().get("/produk")  # stored in Indonesian
    english = app.test_client()
    english.post("/bahasa", data={"lang": "en", "next": "/"})  # kept in the session cookie
    flask_answered.clear()
    page = english.get("/produk")
    assert flask_answered  # the cookie sends it to Flask
    assert "All products" in page.get_data(as_text=True)
    # a page holding a form: its visitor's token is filled in by Flask
    app.test_client().get(FORM_PAGE)
    flask_answered.clear()
    form_page = app.test_client().get(FORM_PAGE)
    assert form_page.headers["X-Page-Cache"] == "hit"
    assert flask_answered
    assert 'name="csrf_token"' in form_page.get_data(as_text=True)


def test_a_cached_page_is_not_served_to_an_untrusted_host(shop, monkeypatch):
    app, _ids = shop
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost"])
    app.test_client().get("/produk", headers={"Host": "localhost"})
    assert app.test_client().get("/produk", headers={"Host": "localhost"}).status_code == 200
    assert app.test_client().get("/produk", headers={"Host": "evil.example"}).status_code == 400


def _order(app, product_id: int, quantity: int, token: str, code: str = ""):
    """A customer's order of ``quantity`` of the product, placed as checkout does."""
    from marketplace.orders import services as orders
    from marketplace.orders.cart import SessionCart, add_to_cart

    with app.test_request_context("/"):
        product = db.session.get(catalog.Product, product_id)
        cart = SessionCart({})
        add_to_cart(cart, product, [], quantity)
        slot = orders.available_slots(product.store, 0)[0]
        order = orders.place_order(
            cart,
            product.store_id,
            orders.CheckoutData(
                checkout_token=token,
                name="Dewi",
                phone="081300001111",
                fulfilment="pickup",
                fulfil_at=slot.isoformat(),
                discount_code=code,
            ),
        )
        db.session.commit()
        return order.id


def _track_stock(app, product_id: int, **stock) -> None:
    """The seller counts the product's stock (``stock_mode`` and its numbers)."""
    with app.app_context():
        product = db.session.get(catalog.Product, product_id)
        catalog.update_product(
            product,
            catalog.ProductData(
                name=product.name, category_id=product.category_id, price=product.price, **stock
            ),
        )
        db.session.commit()


def test_an_order_of_an_unlimited_product_leaves_every_page_cached(shop, cache):
    app, ids = shop
    pages = ["/", "/produk", f"/produk/{ids['product']}"]
    for url in pages:
        app.test_client().get(url)
    before = cache.get(GENERATION_KEY)
    _order(app, ids["product"], 2, "tok-unlimited")
    assert cache.get(GENERATION_KEY) == before
    for url in pages:
        assert app.test_client().get(url).headers["X-Page-Cache"] == "hit", url


def test_portions_taken_refresh_the_product_page_alone_until_it_sells_out(shop, cache):
    # Noon in Jakarta on the database's (UTC) date: late in the evening the first pickup slot
    # is tomorrow, and tomorrow's portions do not change what today's product page says
    today_utc = datetime.now(UTC).date()
    with time_machine.travel(datetime.combine(today_utc, time(5, 0), tzinfo=UTC), tick=True):
        _portions_refresh_the_product_page(shop, cache)


def _portions_refresh_the_product_page(shop, cache):
    app, ids = shop
    _track_stock(app, ids["product"], stock_mode="daily", daily_quota=5)
    product_url = f"/produk/{ids['product']}"
    listings = ["/", "/produk"]
    for url in [*listings, product_url]:
        app.test_client().get(url)
    before = cache.get(GENERATION_KEY)

    _order(app, ids["product"], 2, "tok-a")  # 3 left: only the product page says so
    assert cache.get(GENERATION_KEY) == before
    for url in listings:
        assert app.test_client().get(url).headers["X-Page-Cache"] == "hit", url
    page = app.test_client().get(product_url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Sisa 3" in page.get_data(as_text=True)
    assert app.test_client().get(product_url).headers["X-Page-Cache"] == "hit"

    def shown(url: str) -> str:
        page = app.test_client().get(url)
        assert page.headers["X-Page-Cache"] == "miss", url
        return page.get_data(as_text=True)

    last = _order(app, ids["product"], 3, "tok-b")  # sold out: the cards change
    assert "Nasi Uduk Betawi" not in shown("/")  # the home page lists what can be ordered
    assert "Habis" in shown("/produk")
    assert "Habis" in shown(product_url)

    with app.test_request_context("/"):  # the seller rejects it: portions come back
        from marketplace.orders import services as orders
        from marketplace.orders.models import Order

        order = db.session.get(Order, last)
        orders.reject_order(order, order.store.owner, "Bahan habis")
        db.session.commit()
    assert "Nasi Uduk Betawi" in shown("/")
    assert "Habis" not in shown("/produk")
    assert "Sisa 3" in shown(product_url)


def test_counted_stock_is_followed_the_same_way_with_a_cookie(shop, cache):
    app, ids = shop
    _track_stock(app, ids["product"], stock_mode="counted", stock=3)
    visitor = app.test_client()
    visitor.set_cookie("seen", "1")  # answered by serve_early, not before Flask
    product_url = f"/produk/{ids['product']}"
    for url in ("/produk", product_url):
        visitor.get(url)
        assert visitor.get(url).headers["X-Page-Cache"] == "hit"
    _order(app, ids["product"], 1, "tok-c")
    assert visitor.get("/produk").headers["X-Page-Cache"] == "hit"
    page = visitor.get(product_url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Sisa 2" in page.get_data(as_text=True)
    _order(app, ids["product"], 2, "tok-d")
    assert "Habis" in visitor.get("/produk").get_data(as_text=True)
    assert "Habis" in visitor.get(product_url).get_data(as_text=True)
    # a product's stock version lives long enough to outlast every page stored under it
    assert cache.ttl(stock_key(ids["product"])) > app.config["PAGE_CACHE_SECONDS"]


def test_a_code_used_refreshes_the_pages_only_when_it_runs_out(shop, cache):
    from marketplace.promotions import services as promos

    app, ids = shop
    with app.app_context():
        store = db.session.get(catalog.Product, ids["product"]).store
        promos.save_code(
            store, promos.CodeData(code="HEMAT", kind="fixed", value=1000, total_limit=2)
        )
        db.session.commit()
    before = cache.get(GENERATION_KEY)
    _order(app, ids["product"], 1, "tok-code-1", code="HEMAT")  # one use of two left
    assert cache.get(GENERATION_KEY) == before
    _order(app, ids["product"], 1, "tok-code-2", code="HEMAT")  # used up
    assert cache.get(GENERATION_KEY) != before
