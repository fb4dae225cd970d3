"""Office orders reach the seller where the other orders are: the order board lists the ones
that need the store (a quotation to give, boxes to make and deliver), and the day's production
recap counts their boxes."""

from __future__ import annotations

from datetime import timedelta

from marketplace.extensions import db
from marketplace.institutions import services
from tests.institutions.conftest import order_data


def _board(client, store) -> str:
    return client.get(f"/toko-saya/{store.id}/pesanan").get_data(as_text=True)


def _recap(client, store, day) -> str:
    return client.get(f"/toko-saya/{store.id}/rekap?tanggal={day.isoformat()}").get_data(
        as_text=True
    )


def test_the_board_and_the_recap_show_the_office_boxes(client, login, office, caterers):
    siti, ani = caterers["siti"], caterers["ani"]
    secretary = office.members[0].user
    bulk = services.request(secretary, office, order_data(), {siti.id: 25, ani.id: 35})
    db.session.commit()
    day = bulk.deliver_date
    login(siti.owner)

    board = _board(client, siti)
    assert "Pesanan instansi" in board
    assert "Kantor Kelurahan Uwung Jaya" in board
    assert "25 kotak" in board
    assert "Perlu penawaran" in board
    assert f"/toko-saya/{siti.id}/pesanan-instansi" in board
    assert "Kantor Kelurahan Uwung Jaya" not in _recap(client, siti, day)  # not ordered yet

    for share in bulk.shares:
        services.quote(share.store.owner, share, 22000, 100, "Lemper, risol, air")
    services.place_purchase_order(secretary, bulk)
    db.session.commit()
    board = _board(client, siti)
    assert "Siapkan dan antar" in board
    assert "Perlu penawaran" not in board
    recap = _recap(client, siti, day)
    assert "Kantor Kelurahan Uwung Jaya" in recap
    assert "Lemper, risol, air" in recap
    assert "<td>25</td>" in recap  # her share, not Bu Ani's
    assert "Kantor Kelurahan Uwung Jaya" not in _recap(client, siti, day + timedelta(days=1))

    share = next(s for s in bulk.shares if s.store_id == siti.id)
    services.deliver(siti.owner, share)
    db.session.commit()
    assert "Pesanan instansi" not in _board(client, siti)  # nothing left for her to do
    assert "Kantor Kelurahan Uwung Jaya" not in _recap(client, siti, day)


def test_a_cancelled_office_order_leaves_the_board(client, login, office, caterers):
    siti = caterers["siti"]
    secretary = office.members[0].user
    bulk = services.request(secretary, office, order_data(boxes=20), {siti.id: 20})
    db.session.commit()
    login(siti.owner)
    assert "Perlu penawaran" in _board(client, siti)
    services.cancel(secretary, bulk, "Rapat ditunda")
    db.session.commit()
    assert "Pesanan instansi" not in _board(client, siti)


def test_another_store_sees_none_of_it(client, login, office, caterers):
    siti, far = caterers["siti"], caterers["far"]
    services.request(office.members[0].user, office, order_data(boxes=20), {siti.id: 20})
    db.session.commit()
    login(far.owner)
    assert "Pesanan instansi" not in _board(client, far)


def test_an_office_request_rings_the_open_board(client, login, office, caterers):
    siti = caterers["siti"]
    login(siti.owner)
    url = f"/toko-saya/{siti.id}/pesanan/jumlah"
    assert client.get(url).json == {"new": 0}
    secretary = office.members[0].user
    bulk = services.request(secretary, office, order_data(boxes=20), {siti.id: 20})
    db.session.commit()
    assert client.get(url).json == {"new": 1}  # the board's poll chimes and reloads
    assert 'data-new="1"' in _board(client, siti)
    [share] = bulk.shares
    services.quote(siti.owner, share, 22000, 100, "Lemper")
    db.session.commit()
    assert client.get(url).json == {"new": 0}  # answered


def test_a_past_day_keeps_an_undelivered_order_but_not_an_unanswered_invitation(office, caterers):
    siti, ani = caterers["siti"], caterers["ani"]
    secretary = office.members[0].user
    ordered = services.request(secretary, office, order_data(boxes=20), {siti.id: 20})
    [share] = ordered.shares
    services.quote(siti.owner, share, 22000, 100, "Lemper")
    services.place_purchase_order(secretary, ordered)
    asked = services.request(secretary, office, order_data(boxes=20), {ani.id: 20})
    db.session.flush()
    later = ordered.deliver_date + timedelta(days=10)
    # not marked delivered: still on her board, its invoice waits on it
    assert services.waiting_on_store(siti, today=later) == [share]
    # an invitation whose day has passed can no longer be answered: it neither shows nor rings
    assert services.asked_count(ani, today=asked.deliver_date) == 1
    assert services.waiting_on_store(ani, today=later) == []
    assert services.asked_count(ani, today=later) == 0
