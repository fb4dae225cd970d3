"""Order-verified reviews: who may write one, the totals under hiding and restoring, replies,
reports, and the pages that show them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.reviews import services
from marketplace.reviews.models import Review, ReviewModeration
from tests.factories import jpeg_bytes
from tests.order_fixtures import add_to_cart


@pytest.fixture
def completed(shop, cart, checkout, create_user):
    """A completed order of a signed-in customer: 2 × Teh Manis."""

    def make(customer=None, token="rev-1", teh=2, **fields):  # noqa: S107 - not a secret
        add_to_cart(cart, shop["teh"], [], teh)
        order = checkout(cart, shop["store"], token=token, customer=customer, **fields)
        owner = shop["store"].owner
        orders.accept_order(order, owner)
        orders.mark_ready(order, owner)
        orders.complete_order(order, owner)
        return order

    return make


def data(rating=5, products=None):
    return services.ReviewData(rating=rating, product_ratings=products or {}, text="Enak!")


def test_only_the_customer_of_a_completed_order_reviews_once_within_14_days(
    shop, cart, checkout, completed, create_user
):
    customer = create_user()
    # Not completed yet
    add_to_cart(cart, shop["teh"], [], 1)
    open_order = checkout(cart, shop["store"], token="open", customer=customer)
    with pytest.raises(DomainError, match="setelah pesanan selesai"):
        services.write_review(open_order, customer, data())
    order = completed(customer=customer)
    # Another customer, or nobody signed in, may not review a signed-in customer's order
    with pytest.raises(NotAllowed):
        services.write_review(order, create_user(), data())
    with pytest.raises(NotAllowed):
        services.write_review(order, None, data())
    # The seller never reviews their own store
    with pytest.raises(NotAllowed, match="tokonya sendiri"):
        services.write_review(order, shop["store"].owner, data())
    # After 14 days it is too late
    late = services.completed_at(order) + timedelta(days=14, minutes=1)
    with pytest.raises(DomainError, match="14 hari"):
        services.write_review(order, customer, data(), now=late)
    # The customer, in time: once
    review = services.write_review(order, customer, data(4, {shop["teh"].id: 5}))
    assert review.rating == 4
    with pytest.raises(DomainError, match="sudah diulas"):
        services.write_review(order, customer, data())
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1


def test_a_guest_reviews_through_the_private_link(client, completed):
    order = completed(token="guest")
    assert client.get(f"/pesanan/{order.token}").get_data(as_text=True).count("Beri ulasan") == 1
    response = client.post(
        f"/pesanan/{order.token}/ulasan",
        data={
            "rating": "5",
            "text": "Teh paling enak",
            "photo": (io.BytesIO(jpeg_bytes()), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    review = services.review_of(order)
    assert review.photo_thumb is not None
    assert review.author_name == "Dewi"
    # A guest without the link finds nothing
    assert client.get("/pesanan/tebak-tebakan/ulasan").status_code == 404
    page = client.get(f"/toko/{order.store.slug}").get_data(as_text=True)
    assert "pembeli terverifikasi" in page
    assert "Teh paling enak" in page
    assert "Teh Manis" not in page.split('id="ulasan"')[1]  # the order's contents stay private


def test_a_seller_ordering_as_a_guest_cannot_review_their_store(completed, shop):
    order = completed(token="self", phone="0" + shop["store"].owner.phone[2:])
    with pytest.raises(NotAllowed, match="tokonya sendiri"):
        services.write_review(order, None, data())


def test_bad_review_input_is_refused_and_changes_nothing(client, completed, create_user, login):
    customer = create_user()
    order = completed(customer=customer)
    login(customer)
    url = f"/pesanan/{order.token}/ulasan"
    for form in (
        {"rating": "9"},
        {"rating": "5", f"produk_{order.lines[0].product_id}": "x"},
        {"rating": "5", "text": "a" * 1001},
        {},
    ):
        assert client.post(url, data=form).status_code == 400, form
    with pytest.raises(DomainError, match="produk dalam pesanan"):
        services.write_review(order, customer, data(5, {999999: 5}))
    assert services.review_of(order) is None


def test_averages_follow_hiding_and_restoring(shop, completed, create_user, create_kim_group):
    teh = shop["teh"]
    reviewers = [create_user() for _ in range(3)]
    made = [
        services.write_review(
            completed(customer=user, token=f"r{n}", teh=1),
            user,
            services.ReviewData(rating=stars, product_ratings={teh.id: stars}),
        )
        for n, (user, stars) in enumerate(zip(reviewers, (5, 4, 1), strict=True))
    ]
    store = shop["store"]
    db.session.refresh(store)
    db.session.refresh(teh)
    assert (store.rating_count, store.rating_sum, store.average_rating) == (3, 10, 3.3)
    assert (teh.rating_count, teh.rating_sum) == (3, 10)
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    services.hide_review(admin, made[2], "Kata kasar")
    assert (store.rating_count, store.rating_sum, store.average_rating) == (2, 9, 4.5)
    assert (teh.rating_count, teh.rating_sum) == (2, 9)
    with pytest.raises(DomainError, match="sudah disembunyikan"):
        services.hide_review(admin, made[2], "Lagi")
    assert store.rating_count == 2
    services.restore_review(admin, made[2], "Salah paham")
    assert (store.rating_count, store.rating_sum) == (3, 10)
    with pytest.raises(DomainError, match="sudah tampil"):
        services.restore_review(admin, made[2], "Lagi")
    actions = db.session.scalars(sa.select(ReviewModeration.action).order_by(ReviewModeration.id))
    assert list(actions) == ["hide", "restore"]
    with pytest.raises(DomainError, match="alasan"):
        services.hide_review(admin, made[0], " ")


def test_reply_report_and_moderation(client, completed, create_user, create_kim_group, login):
    customer = create_user()
    order = completed(customer=customer)
    review = services.write_review(order, customer, data(2))
    seller = order.store.owner
    with pytest.raises(NotAllowed):
        services.reply(create_user(Role.SELLER), review, "Bukan toko saya")
    services.reply(seller, review, "Mohon maaf, kami perbaiki.")
    services.reply(seller, review, "Mohon maaf, sudah kami perbaiki.")  # editing the one reply
    assert review.reply == "Mohon maaf, sudah kami perbaiki."
    with pytest.raises(DomainError):
        services.reply(seller, review, "   ")
    neighbour = create_user()
    with pytest.raises(DomainError, match="alasan"):
        services.report(neighbour, review, "bosan")
    with pytest.raises(DomainError, match="sendiri"):
        services.report(customer, review, "spam")
    services.report(neighbour, review, "data_pribadi", "Ada nomor HP")
    kim = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    other_kim = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    assert [r.review_id for r in services.moderation_queue(kim)] == [review.id]
    assert services.moderation_queue(other_kim) == []
    with pytest.raises(NotAllowed):
        services.hide_review(other_kim, review, "Bukan wilayah saya")
    login(kim)
    assert "Ada nomor HP" in client.get("/kim/ulasan").get_data(as_text=True)
    client.post(f"/kim/ulasan/{review.id}/sembunyikan", data={"reason": "Data pribadi"})
    assert review.hidden
    assert services.moderation_queue(kim) == []
    client.post("/akun/keluar")
    page = client.get(f"/toko/{order.store.slug}").get_data(as_text=True)
    assert "sudah kami perbaiki" not in page


def test_listing_sorts_by_rating(client, shop, completed, create_user):
    teh, uduk = shop["teh"], shop["uduk"]
    customer = create_user()
    services.write_review(
        completed(customer=customer),
        customer,
        services.ReviewData(rating=5, product_ratings={teh.id: 5}),
    )
    page = client.get("/produk?sort=rating").get_data(as_text=True)
    assert page.index("Teh Manis") < page.index(uduk.name)
    assert "★ 5.0" in client.get(f"/produk/{teh.id}").get_data(as_text=True)


def test_pages_show_visible_reviews_newest_first_a_page_at_a_time(
    client, shop, completed, create_user, create_kim_group, login
):
    teh, store = shop["teh"], shop["store"]
    teh.stock = 100
    made = []
    for n in range(13):
        customer = create_user()
        rated = {teh.id: 4} if n != 5 else {}  # review 5 rates the store, not the tea
        made.append(
            services.write_review(
                completed(customer=customer, token=f"page-{n}", teh=1),
                customer,
                services.ReviewData(rating=4, product_ratings=rated, text=f"Ulasan nomor {n}."),
            )
        )
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    services.hide_review(admin, made[7], "Kata kasar")
    db.session.commit()

    def shown(path: str) -> list[int]:
        response = client.get(path)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        found = [(text.index(f"Ulasan nomor {n}."), n) for n in range(13) if f"nomor {n}." in text]
        return [n for _, n in sorted(found)]

    # the tea's page: the 11 visible reviews that rate it, newest first, 10 a page
    assert shown(f"/produk/{teh.id}") == [12, 11, 10, 9, 8, 6, 4, 3, 2, 1]
    assert "Halaman 1 dari 2" in client.get(f"/produk/{teh.id}").get_data(as_text=True)
    assert shown(f"/produk/{teh.id}?ulasan=2") == [0]
    for past in ("3", "99999999999999999999", "-4", "abc"):
        assert client.get(f"/produk/{teh.id}?ulasan={past}").status_code == 200
    assert shown(f"/produk/{teh.id}?ulasan=-4") == shown(f"/produk/{teh.id}")
    # the store's page: all 12 visible reviews
    assert shown(f"/toko/{store.slug}") == [12, 11, 10, 9, 8, 6, 5, 4, 3, 2]
    assert shown(f"/toko/{store.slug}?ulasan=2") == [1, 0]
    page = services.visible_reviews(store.id, 2)
    assert (page.total, page.pages, page.page, len(page.items)) == (12, 2, 2, 2)
    assert page.items[0].ordered_on == made[1].ordered_on
    # only a signed-in visitor is offered the report form
    assert "Laporkan ulasan" not in client.get(f"/produk/{teh.id}").get_data(as_text=True)
    login(create_user())
    assert "Laporkan ulasan" in client.get(f"/produk/{teh.id}").get_data(as_text=True)
