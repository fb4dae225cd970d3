"""Office orders over HTTP: every page answers its own people only, forms refuse hostile input
with a message and change nothing, the printable documents carry both parties."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.institutions import services
from marketplace.institutions.models import BulkOrder, Institution
from tests.factories import kelurahan
from tests.institutions.conftest import order_data, thursday_noon


def test_register_an_office(client, login, create_user):
    user = create_user(phone="6281355552001")
    login(user)
    assert client.get("/instansi").status_code == 200
    page = client.get("/instansi/daftar")
    assert page.status_code == 200
    bad = client.post(
        "/instansi/daftar",
        data={
            "name": "SD",
            "kind": "sekolah",
            "address": "Jl. Cibodas 3",
            "kelurahan_id": kelurahan("Cibodas").id,
            "phone": "081211112222",
        },
    )
    assert bad.status_code == 400
    assert "nama instansi" in bad.get_data(as_text=True)
    assert db.session.scalar(select(Institution)) is None
    good = client.post(
        "/instansi/daftar",
        data={
            "name": "SDN Cibodas 3",
            "kind": "sekolah",
            "address": "Jl. Cibodas Raya 3",
            "kelurahan_id": kelurahan("Cibodas").id,
            "phone": "081211112222",
            "npwp": "",
        },
    )
    assert good.status_code == 302
    institution = db.session.scalar(select(Institution))
    assert institution.is_admin(user)
    assert institution.npwp == ""
    shown = client.get(good.location).get_data(as_text=True)
    assert "Menunggu verifikasi" in shown
    assert "SDN Cibodas 3" in shown


def test_verification_page_for_admins(client, login, office, create_user):
    assert client.get("/admin/instansi").status_code in (302, 401)
    login(create_user(Role.SELLER, phone="6281355552002"))
    assert client.get("/admin/instansi").status_code == 403


def _order_form(*stores, **changes) -> dict:
    """The office's order form as a browser posts it, the ``stores`` ticked."""
    data = {
        "title": "Rapat",
        "deliver_at": thursday_noon().strftime("%Y-%m-%dT%H:%M"),
        "place": "Aula kelurahan",
        "kelurahan_id": kelurahan("Uwung Jaya").id,
        "boxes": "60",
        "budget_per_box": "25.000",
        "terms_days": "14",
        **{f"toko-{store.id}": "1" for store in stores},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("boxes", "enam puluh", "bilangan bulat"),
        ("boxes", "99999999999999999999", "Antara"),
        ("budget_per_box", "banyak", "angka"),
        ("deliver_at", "kamis", "tidak valid"),
        ("title", "x" * 500, "Panjang"),
        ("terms_days", "45", "pilihan"),
    ],
)
def test_hostile_order_input_gets_a_message(client, login, office, caterers, field, value, words):
    login(office.members[0].user)
    data = _order_form(caterers["siti"], **{field: value})
    response = client.post(f"/instansi/{office.id}/pesan", data=data)
    assert response.status_code == 400
    assert words.lower() in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(BulkOrder)) is None


@pytest.mark.parametrize("typed", ["99999999999999999999", "٣٠", "-5", "0", "tiga puluh"])
def test_hostile_box_counts_per_store_get_a_message(client, login, office, caterers, typed):
    login(office.members[0].user)
    siti = caterers["siti"]
    response = client.post(
        f"/instansi/{office.id}/pesan", data=_order_form(siti, **{f"kotak-{siti.id}": typed})
    )
    assert response.status_code == 400
    assert "kotak" in response.get_data(as_text=True)
    assert db.session.scalar(select(BulkOrder)) is None


def test_order_split_evenly_over_ticked_stores(client, login, office, caterers):
    login(office.members[0].user)
    page = client.get(f"/instansi/{office.id}/pesan").get_data(as_text=True)
    assert "Dapur Bu Siti" in page
    assert "Kue Bu Ani" in page
    assert "Warung Jauh" not in page
    response = client.post(
        f"/instansi/{office.id}/pesan",
        data=_order_form(
            caterers["siti"],
            caterers["ani"],
            boxes="61",
            budget_per_box="25rb",
            terms_days="30",
            halal="y",
            no_msg="y",
        ),
    )
    assert response.status_code == 302
    bulk = db.session.scalar(select(BulkOrder))
    assert sorted(s.boxes for s in bulk.shares) == [30, 31]
    assert (bulk.budget_per_box, bulk.terms_days, bulk.no_msg) == (25000, 30, True)
    assert "Menunggu penawaran" in client.get(response.location).get_data(as_text=True)


def test_pages_of_each_side_and_the_documents(client, login, office, caterers, create_user):
    secretary = office.members[0].user
    siti = caterers["siti"]
    bulk = services.request(secretary, office, order_data(boxes=20), {siti.id: 20})
    db.session.commit()
    share = bulk.shares[0]
    # the seller quotes over HTTP; a hostile price is refused with a message
    login(siti.owner)
    store_page = client.get(f"/toko-saya/{siti.id}/pesanan-instansi").get_data(as_text=True)
    assert "Kantor Kelurahan Uwung Jaya" in store_page
    bad = client.post(
        f"/toko-saya/pesanan-instansi/{share.id}/penawaran",
        data={"price_per_box": "30.000", "day_capacity": "50", "menu": "Risol"},
        follow_redirects=True,
    )
    assert "melebihi anggaran" in bad.get_data(as_text=True)
    ok = client.post(
        f"/toko-saya/pesanan-instansi/{share.id}/penawaran",
        data={"price_per_box": "20.000", "day_capacity": "50", "menu": "Risol, lemper"},
    )
    assert ok.status_code == 302
    assert client.get(f"/instansi/dokumen/{share.id}").status_code == 404  # no PO yet
    # another seller sees nothing of it
    login(caterers["ani"].owner)
    assert client.post(f"/toko-saya/pesanan-instansi/{share.id}/diantar").status_code == 403
    assert client.get(f"/instansi/pesanan/{bulk.id}").status_code == 403
    # the office issues the purchase order; the seller delivers
    login(secretary)
    assert client.post(f"/instansi/pesanan/{bulk.id}/surat-pesanan").status_code == 302
    po = client.get(f"/instansi/dokumen/{share.id}").get_data(as_text=True)
    assert "Surat Pesanan" in po
    assert share.po_number in po
    login(siti.owner)
    assert client.post(f"/toko-saya/pesanan-instansi/{share.id}/diantar").status_code == 302
    invoice = client.get(f"/instansi/dokumen/{share.id}").get_data(as_text=True)
    assert share.invoice_number in invoice
    assert "012345678901000" in invoice  # the office's NPWP
    assert siti.name in invoice
    assert "Rp400.000" in invoice
    login(create_user(phone="6281355552009"))
    assert client.get(f"/instansi/dokumen/{share.id}").status_code == 403


def test_spend_pages(client, login, office, caterers, create_user):
    login(create_user(Role.CITY_ADMIN, phone="6281355552010"))
    assert client.get("/kim/belanja-instansi").status_code == 200
    csv = client.get("/kim/belanja-instansi.csv")
    assert csv.status_code == 200
    assert csv.data.decode("utf-8-sig").startswith("bulan,")
