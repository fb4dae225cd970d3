"""An office orders 60 snack boxes for Thursday on a 360 px phone, split over two stores of the
kelurahan; both stores quote within the budget, the office issues the purchase order, both
deliver, the office pays one invoice later — and both stores' books are right."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.books import credit
from marketplace.books.models import CashEntry
from marketplace.extensions import db
from marketplace.institutions import services
from marketplace.stores.models import Store
from tests.e2e.conftest import sign_in
from tests.factories import add_user, build_store
from tests.institutions.conftest import office_data, thursday_noon

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def kampung(live_app):
    with live_app.app_context():
        admin = add_user(Role.CITY_ADMIN, "6281100000071")
        siti = build_store(
            add_user(Role.SELLER, "6281200000071", "Bu Siti"), admin, "Dapur Bu Siti"
        )
        ani = build_store(add_user(Role.SELLER, "6281200000072", "Bu Ani"), admin, "Kue Bu Ani")
        secretary = add_user(Role.CUSTOMER, "6281300000071", "Bu Rina")
        office = services.register(secretary, office_data(phone="081300000070"))
        services.verify(admin, office)
        db.session.commit()
        return {"siti": siti.id, "ani": ani.id, "office": office.id}


def _seller_quotes(page, base, store_id, price):
    page.goto(f"{base}/toko-saya/{store_id}/pesanan-instansi")
    expect(page.get_by_text("Kantor Kelurahan Uwung Jaya · 30 kotak")).to_be_visible()
    page.get_by_label("Harga per kotak (Rp)").fill(price)
    page.get_by_label("Sanggup berapa kotak hari itu").fill("80")
    page.get_by_label("Isi kotak").fill("Lemper, risol, kue lapis, air mineral")
    page.get_by_role("button", name="Sanggup, kirim penawaran").click()
    expect(page.get_by_text("Penawaran terkirim ke instansi.")).to_be_visible()
    _no_sideways_scroll(page)


def test_sixty_boxes_for_thursday_over_two_stores(live_server, live_app, phone, kampung):
    # The office's secretary orders on her phone
    office = phone()
    sign_in(office, live_server, "081300000071")
    office.goto(f"{live_server}/instansi/{kampung['office']}/pesan")
    office.get_by_label("Keperluan").fill("Rapat koordinasi Musrenbang")
    office.get_by_label("Tanggal dan jam antar").fill(thursday_noon().strftime("%Y-%m-%dT%H:%M"))
    office.get_by_label("Tempat antar", exact=True).fill("Aula Kantor Kelurahan Uwung Jaya")
    office.get_by_label("Jumlah kotak / porsi").fill("60")
    office.get_by_label("Anggaran per kotak (Rp)").fill("25.000")
    office.get_by_label("Dapur Bu Siti").check()
    office.get_by_label("Kue Bu Ani").check()
    _no_sideways_scroll(office)
    office.get_by_role("button", name="Kirim permintaan ke toko").click()
    expect(office.get_by_text("terkirim ke toko")).to_be_visible()
    expect(office.get_by_text("Menunggu penawaran", exact=True)).to_have_count(2)
    bulk_url = office.url

    # Both stores confirm their 30 boxes for Thursday
    siti, ani = phone(), phone()
    sign_in(siti, live_server, "081200000071")
    sign_in(ani, live_server, "081200000072")
    _seller_quotes(siti, live_server, kampung["siti"], "22.000")
    _seller_quotes(ani, live_server, kampung["ani"], "23.000")

    # The office accepts: a purchase order to each store
    office.goto(bulk_url)
    expect(office.get_by_text("Rp1.350.000")).to_be_visible()
    office.get_by_role("button", name="Setujui penawaran dan buat surat pesanan").click()
    expect(office.get_by_text("Surat pesanan terkirim")).to_be_visible()

    # Both deliver on Thursday: invoices become their receivables
    for page, store_id in ((siti, kampung["siti"]), (ani, kampung["ani"])):
        page.goto(f"{live_server}/toko-saya/{store_id}/pesanan-instansi")
        page.get_by_role("button", name="Sudah diantar, buat tagihan").click()
        expect(page.get_by_text("tagihan dibuat")).to_be_visible()

    # The office prints Bu Siti's invoice and pays it later
    office.goto(bulk_url)
    office.get_by_role("link", name="Tagihan INV-").first.click()
    expect(office.get_by_role("heading", name="Tagihan / Kwitansi")).to_be_visible()
    expect(office.get_by_text("Rp660.000").first).to_be_visible()
    _no_sideways_scroll(office)
    office.goto(bulk_url)
    office.get_by_label("Nomor referensi transfer").first.fill("SP2D 00123/2026")
    office.get_by_role("button", name="Sudah kami transfer").first.click()
    expect(office.get_by_text("Toko akan mengonfirmasi uang masuk")).to_be_visible()

    siti.goto(f"{live_server}/toko-saya/{kampung['siti']}/pesanan-instansi")
    expect(siti.get_by_text("SP2D 00123/2026")).to_be_visible()
    siti.get_by_role("button", name="Uang sudah masuk, tandai lunas").click()
    expect(siti.get_by_text("Tagihan lunas")).to_be_visible()

    # Both books are right: Bu Siti was paid, Bu Ani is still owed
    with live_app.app_context():
        siti_store = db.session.get(Store, kampung["siti"])
        ani_store = db.session.get(Store, kampung["ani"])
        assert credit.outstanding_total(siti_store, credit.RECEIVABLE) == 0
        assert credit.outstanding_total(ani_store, credit.RECEIVABLE) == 30 * 23000
        received = db.session.scalars(
            select(CashEntry.amount).where(
                CashEntry.store_id == siti_store.id, CashEntry.kind == "terima_piutang"
            )
        ).all()
        assert received == [30 * 22000]
        assert not db.session.scalars(
            select(CashEntry).where(CashEntry.store_id == ani_store.id)
        ).all()
        db.session.remove()
    # Bu Ani's receivables page shows what the office owes her
    ani.goto(f"{live_server}/toko-saya/{kampung['ani']}/utang-piutang")
    expect(ani.get_by_text("Kantor Kelurahan Uwung Jaya").first).to_be_visible()
