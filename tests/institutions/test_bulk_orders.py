"""Office orders: an office and the people who order for it, splitting over the kelurahan's
stores, each store's capacity for the day, purchase order, delivery on terms as a receivable,
payment, reminders and the spend figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.books import credit
from marketplace.books.models import CashEntry, Debt
from marketplace.core.db import jakarta_today, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.institutions import services
from marketplace.institutions.models import BulkStatus, ShareStatus
from marketplace.orders.models import Notification
from tests.factories import kelurahan
from tests.institutions.conftest import office_data, order_data, thursday_noon


def _split_order(office, caterers, **changes):
    secretary = office.members[0].user
    siti, ani = caterers["siti"], caterers["ani"]
    return services.request(secretary, office, order_data(**changes), {siti.id: 30, ani.id: 30})


def _quote_all(bulk, price=22000, capacity=100):
    for share in bulk.shares:
        services.quote(share.store.owner, share, price, capacity, "Lemper, risol, kue lapis, air")


# --- the office ------------------------------------------------------------------------------


def test_an_office_registers_and_needs_verification(create_user):
    user = create_user()
    office = services.register(
        user,
        office_data(
            name="SDN Cibodas 3",
            kind="sekolah",
            address="Jl. Cibodas Raya 3",
            kelurahan_id=kelurahan("Cibodas").id,
            phone="0812-1111-2222",
        ),
    )
    assert office.is_admin(user)
    assert office.has_member(user)
    assert office.phone == "6281211112222"
    assert office.npwp == ""
    assert not office.is_verified


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"name": "SD"}, "nama instansi"),
        ({"kind": "partai"}, "jenis"),
        ({"address": "Jl"}, "alamat"),
        ({"kelurahan_id": 999999}, "kelurahan"),
        ({"phone": "12"}, "WhatsApp"),
        ({"npwp": "12345"}, "NPWP"),
    ],
)
def test_registration_checks(create_user, changes, words):
    with pytest.raises(DomainError, match=words):
        services.register(create_user(), office_data(**changes))


def test_who_verifies(office, create_user, create_store):
    from marketplace.kim.services import ensure_group

    other = services.register(
        create_user(), office_data(name="PT Roti Sejahtera", kind="perusahaan")
    )
    uwung = ensure_group(kelurahan("Uwung Jaya"))
    cibodas = ensure_group(kelurahan("Cibodas"))
    with pytest.raises(NotAllowed):
        services.verify(create_user(Role.KIM_ADMIN, kim_group=cibodas), other)
    with pytest.raises(NotAllowed):
        services.verify(create_user(Role.SELLER), other)
    kim_admin = create_user(Role.KIM_ADMIN, kim_group=uwung)
    assert other in services.to_verify(kim_admin)
    services.verify(kim_admin, other)
    assert other.is_verified
    assert other not in services.to_verify(kim_admin)


def test_people_allowed_to_order(office, create_user):
    secretary = office.members[0].user
    staff = create_user(name="Pak Dodi", phone="6281355550002")
    with pytest.raises(DomainError, match="Belum ada akun"):
        services.add_member(secretary, office, "081355559999")
    member = services.add_member(secretary, office, "0813-5555-0002")
    assert office.has_member(staff)
    assert not office.is_admin(staff)
    with pytest.raises(NotAllowed):
        services.add_member(staff, office, "081355550001")
    with pytest.raises(DomainError, match="sudah dapat"):
        services.add_member(secretary, office, "081355550002")
    # a member orders; a stranger does not
    stranger = create_user(phone="6281355550003")
    with pytest.raises(NotAllowed):
        services.request(stranger, office, order_data(boxes=10), {})
    services.remove_member(secretary, office, member.id)
    assert not office.has_member(staff)
    with pytest.raises(DomainError, match="pengelola"):
        services.remove_member(secretary, office, office.members[0].id)


def test_an_unverified_office_cannot_order(create_user, caterers):
    user = create_user()
    office = services.register(user, office_data(name="Kantor Baru"))
    with pytest.raises(DomainError, match="belum diverifikasi"):
        services.request(user, office, order_data(), {caterers["siti"].id: 60})


# --- splitting and checks ------------------------------------------------------------------


def test_even_split():
    assert services.split(60, 2) == [30, 30]
    assert services.split(61, 3) == [21, 20, 20]
    assert services.split(5, 1) == [5]
    assert services.split(2, 3) == [1, 1, 0]


def test_share_out_fills_in_what_was_not_typed():
    assert services.share_out(60, [1, 2], {}) == {1: 30, 2: 30}
    assert services.share_out(60, [1, 2, 3], {1: 40}) == {1: 40, 2: 10, 3: 10}
    assert services.share_out(60, [1, 2], {1: 25, 2: 35}) == {1: 25, 2: 35}
    assert services.share_out(60, [1], {1: -1}) == {1: -1}  # refused later, with a message
    assert services.share_out(10, [1, 2], {1: 30}) == {1: 30, 2: 0}


def test_a_split_order_asks_each_store(office, caterers):
    bulk = _split_order(office, caterers)
    assert bulk.status == BulkStatus.REQUESTED
    assert sorted((s.store.name, s.boxes, s.status) for s in bulk.shares) == [
        ("Dapur Bu Siti", 30, "invited"),
        ("Kue Bu Ani", 30, "invited"),
    ]
    assert bulk.deliver_date == thursday_noon().date()
    # each store hears of it (WhatsApp link for the seller)
    whatsapps = db.session.scalars(
        select(Notification.recipient).where(Notification.channel == "whatsapp")
    ).all()
    assert {caterers["siti"].whatsapp, caterers["ani"].whatsapp} <= set(whatsapps)


@pytest.mark.parametrize(
    ("changes", "shares", "words"),
    [
        ({}, {"siti": 30, "ani": 20}, "berjumlah 50 kotak"),
        ({}, {"siti": 60, "far": 0}, "terverifikasi di kelurahan"),
        ({}, {"far": 60}, "terverifikasi di kelurahan"),
        ({}, {}, "setidaknya satu toko"),
        ({"boxes": 0}, {"siti": 0}, "Jumlah kotak"),
        ({"boxes": 6000}, {"siti": 6000}, "Jumlah kotak"),
        ({"budget_per_box": 0}, {"siti": 60}, "Anggaran"),
        ({"terms_days": 45}, {"siti": 60}, "jangka bayar"),
        ({"title": "  "}, {"siti": 60}, "keperluannya"),
        ({"place": ""}, {"siti": 60}, "tempat antar"),
        ({"deliver_at": None}, {"siti": 60}, "tanggal dan jam"),
        ({"deliver_at": "now"}, {"siti": 60}, "paling lambat"),
        ({"deliver_at": "far"}, {"siti": 60}, "90 hari"),
    ],
)
def test_order_checks_change_nothing(office, caterers, changes, shares, words):
    from marketplace.core.db import to_jakarta

    if changes.get("deliver_at") == "now":
        changes["deliver_at"] = to_jakarta(utcnow() + timedelta(hours=2)).replace(tzinfo=None)
    if changes.get("deliver_at") == "far":
        changes["deliver_at"] = to_jakarta(utcnow() + timedelta(days=120)).replace(tzinfo=None)
    secretary = office.members[0].user
    with pytest.raises(DomainError, match=words):
        services.request(
            secretary,
            office,
            order_data(**changes),
            {caterers[name].id: boxes for name, boxes in shares.items()},
        )
    assert services.bulk_orders_of(office) == []


# --- quotations and capacity --------------------------------------------------------------


def test_quotation_within_budget_and_by_the_store_only(office, caterers):
    bulk = _split_order(office, caterers)
    share = bulk.shares[0]
    with pytest.raises(NotAllowed):
        services.quote(caterers["far"].owner, share, 20000, 100, "Lemper")
    with pytest.raises(DomainError, match="melebihi anggaran"):
        services.quote(share.store.owner, share, 26000, 100, "Lemper, risol")
    with pytest.raises(DomainError, match="isi kotaknya"):
        services.quote(share.store.owner, share, 20000, 100, "")
    services.quote(share.store.owner, share, 22000, 100, "Lemper, risol, air")
    assert share.status == ShareStatus.QUOTED
    assert share.amount == 30 * 22000
    # requoting before the purchase order is allowed
    services.quote(share.store.owner, share, 21000, 100, "Lemper, risol, air")
    assert share.amount == 30 * 21000


def test_capacity_for_the_day_counts_every_office_order(office, caterers):
    siti = caterers["siti"]
    secretary = office.members[0].user
    first = services.request(secretary, office, order_data(boxes=40), {siti.id: 40})
    services.quote(siti.owner, first.shares[0], 20000, 50, "Nasi kotak ayam")
    second = services.request(
        secretary, office, order_data(boxes=20, title="Pelatihan kader"), {siti.id: 20}
    )
    with pytest.raises(DomainError, match="Kapasitas 50 kotak tidak cukup: 40"):
        services.quote(siti.owner, second.shares[0], 20000, 50, "Nasi kotak ayam")
    assert second.shares[0].status == ShareStatus.INVITED
    services.quote(siti.owner, second.shares[0], 20000, 60, "Nasi kotak ayam")
    assert services.boxes_booked(siti.id, first.deliver_date) == 60
    # another day is free
    other_day = services.request(
        secretary,
        office,
        order_data(boxes=50, deliver_at=thursday_noon() + timedelta(days=7)),
        {siti.id: 50},
    )
    services.quote(siti.owner, other_day.shares[0], 20000, 50, "Nasi kotak ayam")


def test_a_declined_share_goes_to_another_store(office, caterers, create_store):
    bulk = _split_order(office, caterers)
    secretary = office.members[0].user
    ani_share = next(s for s in bulk.shares if s.store_id == caterers["ani"].id)
    services.decline(caterers["ani"].owner, ani_share, "Hari Kamis penuh pesanan")
    assert services.unassigned(bulk) == 30
    with pytest.raises(DomainError, match="belum punya toko"):
        services.place_purchase_order(secretary, bulk)
    third = create_store(name="Dapur Pak Udin")
    with pytest.raises(DomainError, match="Hanya 30 kotak"):
        services.add_store(secretary, bulk, third.id, 31)
    services.add_store(secretary, bulk, third.id, 30)
    assert services.unassigned(bulk) == 0
    with pytest.raises(DomainError, match="Menunggu penawaran dari"):
        services.place_purchase_order(secretary, bulk)
    for share in bulk.shares:
        if share.status == ShareStatus.INVITED:
            services.quote(share.store.owner, share, 22000, 100, "Nasi kotak ayam")
    services.place_purchase_order(secretary, bulk)
    assert bulk.status == BulkStatus.ORDERED
    assert sorted(s.status for s in bulk.shares) == ["declined", "ordered", "ordered"]


# --- purchase order, delivery on terms, payment --------------------------------------------


def _outstanding(store):
    return credit.outstanding_total(store, credit.RECEIVABLE)


def test_terms_receivables_and_payment(office, caterers):
    bulk = _split_order(office, caterers, terms_days=30)
    secretary = office.members[0].user
    _quote_all(bulk)
    services.place_purchase_order(secretary, bulk)
    with pytest.raises(DomainError, match="sudah dibuat"):
        services.place_purchase_order(secretary, bulk)
    siti_share, ani_share = sorted(bulk.shares, key=lambda s: s.store.name)
    siti, ani = siti_share.store, ani_share.store
    services.deliver(siti.owner, siti_share)
    assert siti_share.status == ShareStatus.DELIVERED
    assert siti_share.due_on == jakarta_today() + timedelta(days=30)
    assert _outstanding(siti) == 30 * 22000
    debt = db.session.get(Debt, siti_share.debt_id)
    assert debt.customer.name == office.name
    assert debt.due_on == siti_share.due_on
    with pytest.raises(DomainError, match="surat pesanan"):
        services.deliver(siti.owner, siti_share)  # once
    assert bulk.status == BulkStatus.ORDERED
    services.deliver(ani.owner, ani_share)
    assert bulk.status == BulkStatus.DELIVERED
    # the office pays one invoice; the store confirms the money in
    services.report_payment(secretary, siti_share, "SP2D 00123/2026")
    assert siti_share.office_reference == "SP2D 00123/2026"
    assert _outstanding(siti) == 660000  # the office's word alone changes no book
    services.receive_payment(siti.owner, siti_share)
    assert siti_share.status == ShareStatus.PAID
    assert _outstanding(siti) == 0
    received = db.session.scalars(
        select(CashEntry).where(CashEntry.store_id == siti.id, CashEntry.kind == "terima_piutang")
    ).all()
    assert [(e.amount, e.method) for e in received] == [(660000, "transfer")]
    with pytest.raises(DomainError, match="sudah lunas"):
        services.receive_payment(siti.owner, siti_share)
    # the other store's invoice is still its receivable
    assert _outstanding(ani) == 660000
    assert bulk.status == BulkStatus.DELIVERED
    services.receive_payment(ani.owner, ani_share)
    assert bulk.status == BulkStatus.PAID


def test_office_receivable_raises_the_limit_it_needs(office, caterers):
    """Two invoices of one office at one store: the office customer's limit grows to hold
    both, never below what is owed."""
    siti = caterers["siti"]
    secretary = office.members[0].user
    for title in ("Rapat A", "Rapat B"):
        bulk = services.request(secretary, office, order_data(boxes=10, title=title), {siti.id: 10})
        services.quote(siti.owner, bulk.shares[0], 20000, 100, "Risol")
        services.place_purchase_order(secretary, bulk)
        services.deliver(siti.owner, bulk.shares[0])
    assert _outstanding(siti) == 400000


def test_an_office_invoice_never_lands_on_a_persons_kasbon(office, caterers):
    """The office gave the number of someone who already buys on kasbon at the store: the
    office's invoice opens the office's own receivable; the person's name, limit and debt stay
    theirs, and either can be added or changed later without touching the other."""
    siti = caterers["siti"]
    neighbour = credit.save_customer(siti.owner, siti, "Pak Dodi", office.phone, 50000)
    credit.sell_on_credit(siti.owner, neighbour, credit.DebtData(amount=20000, description="Kopi"))
    secretary = office.members[0].user
    bulk = services.request(secretary, office, order_data(boxes=10), {siti.id: 10})
    services.quote(siti.owner, bulk.shares[0], 20000, 100, "Risol")
    services.place_purchase_order(secretary, bulk)
    services.deliver(siti.owner, bulk.shares[0])

    invoice = db.session.get(Debt, bulk.shares[0].debt_id)
    assert invoice.customer is not neighbour
    assert (invoice.customer.name, invoice.customer.institution_id) == (office.name, office.id)
    assert invoice.customer.phone == neighbour.phone
    assert (neighbour.name, neighbour.credit_limit, neighbour.institution_id) == (
        "Pak Dodi",
        50000,
        None,
    )
    assert credit.outstanding_of(neighbour) == 20000
    assert credit.outstanding_of(invoice.customer) == 200000
    # the seller raises the person's limit: the office's row is left alone
    assert credit.save_customer(siti.owner, siti, "Pak Dodi", office.phone, 80000) is neighbour
    assert invoice.customer.credit_limit == 200000
    assert len(credit.customers_of(siti)) == 2


def test_cancel_before_delivery_only(office, caterers):
    bulk = _split_order(office, caterers)
    secretary = office.members[0].user
    _quote_all(bulk)
    services.place_purchase_order(secretary, bulk)
    with pytest.raises(DomainError, match="alasan"):
        services.cancel(secretary, bulk, " ")
    services.deliver(bulk.shares[0].store.owner, bulk.shares[0])
    with pytest.raises(DomainError, match="sudah diantar"):
        services.cancel(secretary, bulk, "Rapat ditunda")
    fresh = _split_order(office, caterers, title="Rapat lain")
    services.cancel(secretary, fresh, "Rapat ditunda")
    assert fresh.status == BulkStatus.CANCELLED
    assert {s.status for s in fresh.shares} == {"cancelled"}
    assert services.boxes_booked(caterers["siti"].id, fresh.deliver_date) == 30  # first order


def test_reminders_before_due_and_when_overdue(office, caterers):
    bulk = _split_order(office, caterers, terms_days=7)
    secretary = office.members[0].user
    _quote_all(bulk)
    services.place_purchase_order(secretary, bulk)
    share = bulk.shares[0]
    services.deliver(share.store.owner, share)
    today = jakarta_today()
    assert services.remind_due(today) == 0  # due in 7 days
    assert services.remind_due(today + timedelta(days=4)) == 1
    assert services.remind_due(today + timedelta(days=5)) == 0  # once before the due day
    assert services.remind_due(today + timedelta(days=8)) == 1  # overdue
    assert services.remind_due(today + timedelta(days=20)) == 0
    subjects = db.session.scalars(
        select(Notification.subject).where(Notification.recipient == office.email)
    ).all()
    assert any("Pengingat tagihan" in s for s in subjects)
    assert any("lewat jatuh tempo" in s for s in subjects)
    services.receive_payment(share.store.owner, share)


def test_spend_by_month_and_kelurahan(office, caterers):
    bulk = _split_order(office, caterers)
    _quote_all(bulk)
    services.place_purchase_order(office.members[0].user, bulk)
    for share in bulk.shares:
        services.deliver(share.store.owner, share)
    rows = services.spend_by_month()
    month = jakarta_today().strftime("%Y-%m")
    row = next(r for r in rows if r.kelurahan == "Uwung Jaya")
    assert (row.month, row.stores, row.boxes, row.amount) == (month, 2, 60, 60 * 22000)
    assert services.spend_by_month(kelurahan("Cibodasari").id) == []
