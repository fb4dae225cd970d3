"""Permission matrix: every URL that changes or shows private data, tried as every kind of actor.

The wrong actors get a redirect to login (anonymous), 403 or 404, and the database is unchanged.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_login.utils import _create_identifier

from marketplace.accounts.models import Role
from marketplace.books import credit
from marketplace.books import services as books
from marketplace.books.models import LedgerEntry
from marketplace.catalog import services as catalog
from marketplace.core.db import jakarta_today
from marketplace.core.images import Uploads
from marketplace.events import services as events
from marketplace.extensions import db
from marketplace.kim import announcements, aspirations, featured, trainings
from marketplace.kim.models import KimMember
from marketplace.orders import services as order_services
from marketplace.orders.cart import SessionCart, add_to_cart
from marketplace.promotions import campaigns
from marketplace.promotions import services as promos
from marketplace.reviews import services as reviews
from tests.factories import PASSWORD, jpeg_bytes

ACTORS = [
    "anonymous",
    "customer",
    "owner",
    "other_seller",
    "kim_admin",
    "other_kim_admin",
    "city_admin",
]
OWNER = {"owner"}
KIM = {"kim_admin", "city_admin"}
CITY = {"city_admin"}
SIGNED_IN = set(ACTORS) - {"anonymous"}
ADMINS = {"kim_admin", "other_kim_admin", "city_admin"}


@dataclass
class World:
    users: dict
    store: object
    pending: object
    product: object
    hidden: object
    photo: object
    group: object
    option: object
    kim: object
    member: object
    spare_category: object
    order: object
    accepted: object
    ready: object
    promo: object
    slot: object
    announcement: object
    report: object
    aspiration: object
    training: object
    registration: object
    event: object
    booth: object
    campaign: object
    campaign_code: object
    review: object
    entry: object
    customer_credit: object
    debt: object


@pytest.fixture
def world(app, create_user, create_store, create_product, create_kim_group):
    kim = create_kim_group("Uwung Jaya")
    other_kim = create_kim_group("Cibodasari")
    users = {
        "customer": create_user(Role.CUSTOMER),
        "owner": create_user(Role.SELLER),
        "other_seller": create_user(Role.SELLER),
        "kim_admin": create_user(Role.KIM_ADMIN, kim_group=kim),
        "other_kim_admin": create_user(Role.KIM_ADMIN, kim_group=other_kim),
        "city_admin": create_user(Role.CITY_ADMIN),
    }
    store = create_store(owner=users["owner"], area="Uwung Jaya")
    pending = create_store(owner=users["owner"], area="Uwung Jaya", status="pending")
    create_store(owner=users["other_seller"], area="Cibodasari")
    product = create_product(store)
    hidden = create_product(store, name="Menu Rahasia")
    catalog.set_hidden(hidden, True)
    photo = catalog.add_photo(product, io.BytesIO(jpeg_bytes()), Uploads.from_config(app.config))
    group = catalog.save_option_group(product, "Level", "Pedas\nSedang", False, True)
    member = KimMember(name="Sekretaris", office="sekretaris")
    kim.members.append(member)
    spare = catalog.create_category(users["city_admin"], "Kategori Kosong")
    training = trainings.create_training(
        users["kim_admin"], "Foto produk", "foto", "Aula", datetime(2030, 1, 1, 9), 10
    )
    notice = announcements.save_announcement(
        users["kim_admin"],
        announcements.AnnouncementData(
            kind="berita", title="Kabar", summary="Ringkas", body="Isi", source="KIM Uwung Jaya"
        ),
    )
    bazaar = events.save_event(
        users["kim_admin"],
        events.EventData(
            title="Bazar",
            place="Lapangan",
            starts_on=jakarta_today() + timedelta(days=3),
            ends_on=jakarta_today() + timedelta(days=3),
            opens_at=time(16),
            closes_at=time(21),
            booth_quota=5,
        ),
    )
    festival = campaigns.save_campaign(
        users["kim_admin"],
        campaigns.CampaignData(
            title="Festival", starts_at=datetime(2030, 1, 1), ends_at=datetime(2030, 1, 8)
        ),
    )
    orders = [_order(store, product, f"perm-{n}") for n in range(3)]
    order_services.accept_order(orders[1], users["owner"])
    order_services.accept_order(orders[2], users["owner"])
    order_services.mark_ready(orders[2], users["owner"])
    done = _order(store, product, "perm-done")
    for step in (
        order_services.accept_order,
        order_services.mark_ready,
        order_services.complete_order,
    ):
        step(done, users["owner"])
    review = reviews.write_review(done, None, reviews.ReviewData(rating=4, text="Enak"))
    entry = books.record_entry(
        users["owner"],
        store,
        books.EntryData(kind="pengeluaran", amount=5000, category="bahan baku"),
        io.BytesIO(jpeg_bytes()),
        Uploads.from_config(app.config).private(),
    )
    customer_credit = credit.save_customer(users["owner"], store, "Bu Ani", "081288887777", 50000)
    debt = credit.sell_on_credit(users["owner"], customer_credit, credit.DebtData(20000))
    # card money held for the store, from its completed order (what a capture would post)
    db.session.add(
        LedgerEntry(
            store_id=store.id, kind="capture", amount=5000, order_id=done.id, source_key="perm"
        )
    )
    db.session.commit()
    return World(
        users,
        store,
        pending,
        product,
        hidden,
        photo,
        group,
        group.options[0],
        kim,
        member,
        spare,
        *orders,
        promos.save_code(store, promos.CodeData(code="HEMAT10", kind="percent", value=10)),
        featured.schedule_slot(
            users["kim_admin"], store, "Unggul", datetime(2030, 1, 1), datetime(2030, 1, 2)
        ),
        notice,
        announcements.report(notice, None, "Informasi ini keliru sekali"),
        aspirations.send(
            users["customer"], store.kelurahan_id, "keluhan", "Jalan depan pasar rusak"
        ),
        training,
        trainings.register(users["owner"], training),
        bazaar,
        events.apply_for_booth(users["owner"], bazaar, store),
        festival,
        promos.save_code(festival, promos.CodeData(code="FESTIVAL", kind="fixed", value=1000)),
        review,
        entry,
        customer_credit,
        debt,
    )


def _order(store, product, token):
    cart = SessionCart({})
    add_to_cart(cart, product, [o.options[0].id for o in product.option_groups], 1)
    slot = order_services.available_slots(store, 0)[0]
    data = order_services.CheckoutData(
        checkout_token=token,
        name="Dewi",
        phone="081300001111",
        fulfilment="pickup",
        fulfil_at=slot.isoformat(),
    )
    return order_services.place_order(cart, store.id, data)


def store_form(w):
    return {
        "name": "Ganti Nama",
        "whatsapp": "081200001111",
        "address": "Jl. X",
        "rt": "1",
        "rw": "2",
        "kelurahan_id": w.store.kelurahan_id,
        "offers_pickup": "y",
        "cash_on_pickup": "y",
    }


def product_form(w):
    return {
        "name": "Ganti",
        "category_id": w.product.category_id,
        "price": "1000",
        "stock_mode": "unlimited",
        "lead_days": "0",
    }


def event_form(w):
    day = (jakarta_today() + timedelta(days=5)).isoformat()
    return {
        "title": "Bazar Baru",
        "place": "Aula",
        "starts_on": day,
        "ends_on": day,
        "opens_at": "09:00",
        "closes_at": "12:00",
        "booth_quota": "3",
    }


def campaign_form(w):
    return {
        "title": "Festival Baru",
        "starts_at": "2030-02-01T08:00",
        "ends_at": "2030-02-03T08:00",
    }


# (method, url, data, allowed actors)
CASES = [
    ("GET", lambda w: "/toko-saya", None, {"customer", "owner", "other_seller"}),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/ubah", None, OWNER),
    ("POST", lambda w: f"/toko-saya/{w.store.id}/ubah", store_form, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/jam", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/jam",
        lambda w: {"d1_0_open": "08:00", "d1_0_close": "09:00"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/tutup-sementara",
        lambda w: {"reason": "Libur"},
        OWNER,
    ),
    ("POST", lambda w: f"/toko-saya/{w.store.id}/buka", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/riwayat", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/produk", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/produk/baru", None, OWNER),
    ("POST", lambda w: f"/toko-saya/{w.store.id}/produk/baru", product_form, OWNER),
    ("GET", lambda w: f"/toko-saya/produk/{w.product.id}", None, OWNER),
    ("POST", lambda w: f"/toko-saya/produk/{w.product.id}", product_form, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/produk/{w.product.id}/foto",
        lambda w: {"photo": (io.BytesIO(jpeg_bytes()), "a.jpg")},
        OWNER,
    ),
    ("POST", lambda w: f"/toko-saya/foto/{w.photo.id}/hapus", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/produk/{w.product.id}/habis",
        lambda w: {"sold_out": "1"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/produk/{w.product.id}/sembunyikan",
        lambda w: {"hidden": "1"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/produk/{w.product.id}/pindah",
        lambda w: {"direction": "down"},
        OWNER,
    ),
    ("POST", lambda w: f"/toko-saya/produk/{w.product.id}/hapus", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/produk/{w.product.id}/pilihan",
        lambda w: {"name": "Ukuran", "options": "Besar +1000"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/pilihan/{w.group.id}",
        lambda w: {"name": "L", "options": "A"},
        OWNER,
    ),
    ("POST", lambda w: f"/toko-saya/pilihan/{w.group.id}/hapus", None, OWNER),
    ("POST", lambda w: f"/toko-saya/opsi/{w.option.id}/habis", lambda w: {"sold_out": "1"}, OWNER),
    ("GET", lambda w: f"/toko/{w.pending.slug}", None, {"owner", "kim_admin", "city_admin"}),
    ("GET", lambda w: f"/produk/{w.hidden.id}", None, OWNER),
    ("GET", lambda w: "/kim/", None, {"kim_admin", "other_kim_admin", "city_admin"}),
    ("GET", lambda w: f"/kim/toko/{w.pending.id}", None, KIM),
    ("POST", lambda w: f"/kim/toko/{w.pending.id}/verifikasi", None, KIM),
    ("POST", lambda w: f"/kim/toko/{w.pending.id}/tolak", lambda w: {"reason": "Kurang"}, KIM),
    ("GET", lambda w: f"/kim/grup/{w.kim.id}", None, KIM),
    (
        "POST",
        lambda w: f"/kim/grup/{w.kim.id}/anggota",
        lambda w: {"name": "Budi", "office": "anggota"},
        KIM,
    ),
    ("POST", lambda w: f"/kim/anggota/{w.member.id}/hapus", None, KIM),
    (
        "POST",
        lambda w: f"/kim/grup/{w.kim.id}/admin",
        lambda w: {"phone": w.users["customer"].phone},
        CITY,
    ),
    ("GET", lambda w: "/kim/grup/baru", None, CITY),
    ("GET", lambda w: "/admin/pembayaran-ditahan", None, CITY),
    ("GET", lambda w: "/admin/pesan/", None, CITY),
    ("GET", lambda w: "/kim/bantu-kata-sandi", None, ADMINS),
    ("GET", lambda w: "/kim/toko", None, ADMINS),
    ("GET", lambda w: "/admin/pesan/?status=failed", None, CITY),
    ("POST", lambda w: f"/admin/pesan/{w.order.notifications[0].id}/kirim-ulang", None, CITY),
    ("POST", lambda w: f"/admin/pembayaran-ditahan/{w.order.id}/teruskan", None, CITY),
    (
        "POST",
        lambda w: f"/admin/pembayaran-ditahan/{w.order.id}/tolak",
        lambda w: {"reason": "Jumlah tidak cocok"},
        CITY,
    ),
    (
        "POST",
        lambda w: "/kim/grup/baru",
        lambda w: {"kelurahan_id": w.store.kelurahan_id + 1},
        CITY,
    ),
    ("GET", lambda w: "/admin/wilayah", None, CITY),
    (
        "POST",
        lambda w: "/admin/wilayah",
        lambda w: {"kecamatan_id": w.store.kelurahan.kecamatan_id, "name": "Kelurahan Baru"},
        CITY,
    ),
    ("GET", lambda w: f"/admin/wilayah/{w.store.kelurahan_id}", None, CITY),
    (
        "POST",
        lambda w: f"/admin/wilayah/{w.store.kelurahan_id}",
        lambda w: {"name": "Nama Baru"},
        CITY,
    ),
    ("GET", lambda w: "/admin/kategori/", None, CITY),
    ("POST", lambda w: "/admin/kategori/", lambda w: {"name": "Kategori Baru"}, CITY),
    ("GET", lambda w: f"/admin/kategori/{w.product.category_id}", None, CITY),
    (
        "POST",
        lambda w: f"/admin/kategori/{w.product.category_id}",
        lambda w: {"name": "Ganti"},
        CITY,
    ),
    (
        "POST",
        lambda w: f"/admin/kategori/{w.product.category_id}/pindah",
        lambda w: {"direction": "up"},
        CITY,
    ),
    ("POST", lambda w: f"/admin/kategori/{w.spare_category.id}/hapus", None, CITY),
    ("GET", lambda w: "/akun/kata-sandi", None, SIGNED_IN),
    ("GET", lambda w: "/pesanan-saya", None, SIGNED_IN),
    ("GET", lambda w: "/kim/unggulan", None, {"kim_admin", "other_kim_admin", "city_admin"}),
    (
        "POST",
        lambda w: "/kim/unggulan",
        lambda w: {
            "store_id": w.store.id,
            "headline": "Unggul",
            "position": "1",
            "starts_at": "2030-01-01T08:00",
            "ends_at": "2030-01-02T08:00",
        },
        KIM,
    ),
    (
        "POST",
        lambda w: "/kim/unggulan/rotasi",
        lambda w: {
            "kelurahan_id": w.store.kelurahan_id,
            "first_day": "2030-01-01",
            "days": "2",
            "per_day": "1",
            "headline": "Giliran",
        },
        KIM,
    ),
    ("POST", lambda w: f"/kim/unggulan/{w.slot.id}/hapus", None, KIM),
    ("GET", lambda w: "/kim/pengumuman", None, ADMINS),
    (
        "POST",
        lambda w: "/kim/pengumuman",
        lambda w: {
            "kind": "berita",
            "title": "Kabar",
            "summary": "Ringkas",
            "body": "Isi",
            "source": "KIM",
        },
        ADMINS,
    ),
    ("GET", lambda w: f"/kim/pengumuman/{w.announcement.id}", None, KIM),
    (
        "POST",
        lambda w: f"/kim/pengumuman/{w.announcement.id}",
        lambda w: {
            "kind": "berita",
            "title": "Ganti",
            "summary": "Ringkas",
            "body": "Isi",
            "source": "KIM",
        },
        KIM,
    ),
    ("GET", lambda w: "/kim/laporan", None, ADMINS),
    ("GET", lambda w: "/suara-warga/saya", None, SIGNED_IN),
    ("GET", lambda w: "/kim/suara-warga", None, ADMINS),
    ("GET", lambda w: "/kim/pelatihan", None, ADMINS),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/siaran", None, OWNER),
    ("GET", lambda w: "/diikuti", None, SIGNED_IN),
    ("GET", lambda w: f"/kim/pelatihan/{w.training.id}", None, KIM),
    (
        "POST",
        lambda w: f"/kim/pelatihan/peserta/{w.registration.id}",
        lambda w: {"attended": "1"},
        KIM,
    ),
    (
        "POST",
        lambda w: f"/pelatihan/{w.training.id}/daftar",
        None,
        {"owner", "other_seller", "customer"},
    ),
    (
        "POST",
        lambda w: f"/kim/suara-warga/{w.aspiration.id}",
        lambda w: {"status": "ditutup", "note": "Selesai"},
        KIM,
    ),
    ("POST", lambda w: f"/kim/laporan/{w.report.id}", lambda w: {"action": "dismissed"}, KIM),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/promo", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/promo",
        lambda w: {"code": "BARU10", "kind": "percent", "value": "10"},
        OWNER,
    ),
    ("GET", lambda w: f"/toko-saya/promo/{w.promo.id}", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/promo/{w.promo.id}",
        lambda w: {"code": "GANTI", "kind": "fixed", "value": "1000"},
        OWNER,
    ),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/pesanan", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/pesanan/jumlah", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/rekap", None, OWNER),
    ("GET", lambda w: f"/toko-saya/pesanan/{w.order.id}", None, OWNER),
    ("POST", lambda w: f"/toko-saya/pesanan/{w.order.id}/terima", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/pesanan/{w.order.id}/tolak",
        lambda w: {"reason": "Habis"},
        OWNER,
    ),
    ("POST", lambda w: f"/toko-saya/pesanan/{w.accepted.id}/siap", None, OWNER),
    ("POST", lambda w: f"/toko-saya/pesanan/{w.ready.id}/selesai", None, OWNER),
    ("GET", lambda w: "/kim/acara", None, ADMINS),
    ("POST", lambda w: "/kim/acara", event_form, ADMINS),
    ("GET", lambda w: f"/kim/acara/{w.event.id}", None, KIM),
    ("POST", lambda w: f"/kim/acara/{w.event.id}", event_form, KIM),
    ("POST", lambda w: f"/kim/acara/booth/{w.booth.id}/terima", None, KIM),
    (
        "POST",
        lambda w: f"/kim/acara/booth/{w.booth.id}/tolak",
        lambda w: {"reason": "Penuh"},
        KIM,
    ),
    (
        "POST",
        lambda w: f"/acara/{w.event.id}/booth",
        lambda w: {"store_id": w.store.id},
        OWNER,
    ),
    ("POST", lambda w: f"/acara/booth/{w.booth.id}/batal", None, OWNER),
    ("GET", lambda w: "/kim/kampanye", None, ADMINS),
    ("POST", lambda w: "/kim/kampanye", campaign_form, ADMINS),
    ("GET", lambda w: f"/kim/kampanye/{w.campaign.id}", None, KIM),
    ("POST", lambda w: f"/kim/kampanye/{w.campaign.id}", campaign_form, KIM),
    (
        "POST",
        lambda w: f"/kim/kampanye/{w.campaign.id}/kode",
        lambda w: {"code-code": "BARU", "code-kind": "fixed", "code-value": "500"},
        KIM,
    ),
    ("GET", lambda w: f"/kim/kampanye/kode/{w.campaign_code.id}", None, KIM),
    (
        "POST",
        lambda w: f"/kim/kampanye/kode/{w.campaign_code.id}",
        lambda w: {"code": "GANTI", "kind": "fixed", "value": "700"},
        KIM,
    ),
    (
        "POST",
        lambda w: f"/kampanye/{w.campaign.id}/ikut",
        lambda w: {"store_id": w.store.id},
        OWNER,
    ),
    ("GET", lambda w: f"/toko-saya/promo/{w.campaign_code.id}", None, set()),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/ulasan", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/ulasan/{w.review.id}/balas",
        lambda w: {"text": "Terima kasih"},
        OWNER,
    ),
    ("POST", lambda w: f"/ulasan/{w.review.id}/lapor", lambda w: {"reason": "spam"}, SIGNED_IN),
    ("GET", lambda w: "/kim/ulasan", None, ADMINS),
    (
        "POST",
        lambda w: f"/kim/ulasan/{w.review.id}/sembunyikan",
        lambda w: {"reason": "Spam"},
        KIM,
    ),
    (
        "POST",
        lambda w: f"/kim/ulasan/{w.review.id}/tampilkan",
        lambda w: {"reason": "Keliru"},
        KIM,
    ),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/buku-kas", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/buku-kas?periode=minggu", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/buku-kas/catat",
        lambda w: {"kind": "pengeluaran", "amount": "1.000", "category": "kemasan"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/buku-kas/kategori",
        lambda w: {"kind": "pengeluaran", "name": "Es batu"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/buku-kas/{w.entry.id}/keterangan",
        lambda w: {"note": "Beras"},
        OWNER,
    ),
    ("POST", lambda w: f"/toko-saya/buku-kas/{w.entry.id}/hapus", None, OWNER),
    ("GET", lambda w: f"/toko-saya/buku-kas/{w.entry.id}/nota", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/buku-kas.csv", None, OWNER),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/saldo", None, OWNER),
    ("GET", lambda w: f"/media/private/{w.entry.receipt_thumb}", None, set()),
    ("GET", lambda w: f"/media/{w.entry.receipt_thumb}", None, set()),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/utang-piutang", None, OWNER),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/pelanggan",
        lambda w: {"name": "Pak Budi", "phone": "081277776666", "credit_limit": "10.000"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/pelanggan/{w.customer_credit.id}/kasbon",
        lambda w: {"amount": "5.000"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/{w.store.id}/utang",
        lambda w: {"supplier": "Toko Beras", "amount": "5.000"},
        OWNER,
    ),
    (
        "POST",
        lambda w: f"/toko-saya/utang-piutang/{w.debt.id}/bayar",
        lambda w: {"amount": "5.000", "method": "tunai"},
        OWNER,
    ),
    ("GET", lambda w: f"/toko-saya/{w.store.id}/laporan-bulanan", None, OWNER),
    ("GET", lambda w: "/kim/dampak", None, ADMINS),
    ("GET", lambda w: "/kim/dampak.csv", None, ADMINS),
    ("GET", lambda w: "/admin/pembayaran", None, CITY),
    ("GET", lambda w: f"/admin/pembayaran/{w.store.id}", None, CITY),
    (
        "POST",
        lambda w: f"/admin/pembayaran/{w.store.id}",
        lambda w: {"amount": "1.000", "reference": "TRF-1"},
        CITY,
    ),
]


def database_digest() -> str:
    """A fingerprint of every row of every table."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(sa.select(table).order_by(*order)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def sign_in_as(client, user) -> None:
    """Put ``user`` in the client's session the way a login does (skips the slow KDF)."""
    from marketplace.accounts.services import SESSION_ID_KEY, open_login_session

    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            with client.application.test_request_context(environ_base=client.environ_base):
                session["_id"] = _create_identifier()
            session[SESSION_ID_KEY] = open_login_session(user)
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


@pytest.mark.parametrize(
    ("method", "url", "data", "allowed"), CASES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_permission_matrix(client, world, method, url, data, allowed):
    target = url(world)
    # Refused actors first: each must leave the database exactly as it was.
    for actor in sorted(set(ACTORS) - allowed) + sorted(allowed):
        sign_in_as(client, world.users.get(actor))
        attempt = db.session.begin_nested()
        before = database_digest()
        response = client.open(target, method=method, data=data(world) if data else None)
        response.close()  # a file response (a receipt) holds its file open until closed
        where = f"{actor} {method} {target}: {response.status_code}"
        if actor in allowed:
            assert response.status_code in (200, 302), where
            if response.status_code == 302:
                assert "/akun/masuk" not in response.headers["Location"], where
        else:
            if actor == "anonymous" and response.status_code == 302:
                assert "/akun/masuk" in response.headers["Location"], where
            else:
                assert response.status_code in (403, 404), where
            assert database_digest() == before, f"{where} changed the database"
        # Undo whatever an allowed actor did, so that every actor meets the same world.
        attempt.rollback()
        db.session.expire_all()


def test_sign_in_helper_matches_a_real_login(client, world):
    sign_in_as(client, world.users["owner"])
    assert client.get(f"/toko-saya/{world.store.id}/ubah").status_code == 200
    sign_in_as(client, None)
    assert client.get(f"/toko-saya/{world.store.id}/ubah").status_code == 302
    response = client.post(
        "/akun/masuk", data={"login": world.users["owner"].phone, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(f"/toko-saya/{world.store.id}/ubah").status_code == 200
