import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.core.db import to_jakarta, utcnow
from marketplace.core.errors import DomainError, InvalidTransition, NotAllowed
from marketplace.extensions import db
from marketplace.stores import services, states
from marketplace.stores.models import Store, StoreStatus, StoreVerificationEvent
from tests.factories import kelurahan


def store_form(**overrides):
    data = {
        "name": "Warung Bu Tini",
        "whatsapp": "0812-1111-2222",
        "address": "Jl. Melati no. 3",
        "rt": "2",
        "rw": "5",
        "kelurahan_id": str(kelurahan("Uwung Jaya").id),
        "landmark": "Blok B no. 12, dekat masjid",
        "offers_pickup": "y",
        "offers_delivery": "y",
        "cash_on_pickup": "y",
        "cash_on_delivery": "y",
        "delivery_fee": "5.000",
        "delivery_rws": "05, 3",
        "nib_number": "9120001234567",
        "halal_number": "ID3611",
        "halal_expires": "2030-01-31",
    }
    data.update(overrides)
    return data


def test_customer_opens_a_store_that_waits_for_verification(client, create_user, login):
    user = create_user(Role.CUSTOMER)
    login(user)
    response = client.post("/toko-saya/baru", data=store_form())
    assert response.status_code == 302
    store = db.session.scalar(select(Store).where(Store.owner_id == user.id))
    # onboarding goes on to step 2, the opening hours
    assert response.headers["Location"] == f"/toko-saya/{store.id}/jam?langkah=2"
    assert store.status == StoreStatus.PENDING
    assert store.slug == "warung-bu-tini"
    assert store.whatsapp == "6281211112222"
    assert (store.rt, store.rw) == ("002", "005")
    assert store.delivery_fee == 5000
    # cash is taken; card payments stay off until the seller turns them on
    assert (store.cash_on_pickup, store.cash_on_delivery) == (True, True)
    assert (store.card_on_pickup, store.card_on_delivery) == (False, False)
    assert user.role == Role.SELLER
    events = store.verification_events
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        (None, "pending", user.id)
    ]
    # the rest comes later, on the full form
    response = client.post(f"/toko-saya/{store.id}/ubah", data=store_form())
    assert response.status_code == 302
    assert store.delivery_rws == "03,05"
    assert {c.kind for c in store.credentials} == {"nib", "halal"}
    # Pending stores are invisible to the public, visible to the owner.
    assert client.get(f"/toko/{store.slug}").status_code == 200
    client.post("/akun/keluar")
    assert client.get(f"/toko/{store.slug}").status_code == 404


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Uwung Jaya", "Uwung Jaya"),
        ("uwung jaya", "Uwung Jaya"),
        ("Kel. Uwung  Jaya", "Uwung Jaya"),
        ("Uwung Jaya, Cibodas", "Uwung Jaya"),
        ("15123", "Belendung"),  # a postal code of one kelurahan
    ],
)
def test_the_kelurahan_is_typed_by_name_or_postal_code(client, create_user, login, typed, found):
    user = create_user(Role.SELLER)
    login(user)
    response = client.post("/toko-saya/baru", data=store_form(kelurahan_id=typed))
    assert response.status_code == 302
    store = db.session.scalar(select(Store).where(Store.owner_id == user.id))
    assert store.kelurahan.name == found


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"whatsapp": "12"}, "Nomor WhatsApp tidak valid"),
        ({"kelurahan_id": "999999"}, "Pilih kelurahan"),
        ({"kelurahan_id": "Menteng"}, "tidak ada di Kota Tangerang"),
        ({"kelurahan_id": "15138"}, "Kode pos 15138 dipakai beberapa kelurahan"),
        ({"kelurahan_id": "x" * 5000}, "tidak ada di Kota Tangerang"),
        ({"offers_pickup": "", "offers_delivery": ""}, "minimal satu cara"),
        ({"delivery_fee": "gratis"}, "Tulis jumlah dengan angka"),
    ],
)
def test_bad_store_input_gets_a_message_and_changes_nothing(
    client, create_user, login, count_rows, overrides, message
):
    login(create_user(Role.SELLER))
    before = count_rows(Store, StoreVerificationEvent)
    response = client.post("/toko-saya/baru", data=store_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_rows(Store, StoreVerificationEvent) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kelurahan_id": "Menteng"}, "tidak ada di Kota Tangerang"),
        ({"slug": "Bukan Slug!"}, "Alamat toko hanya boleh"),
        ({"delivery_rws": "satu,dua"}, "Daftar RW"),
        ({"latitude": "-6.2"}, "lintang dan bujur"),
        ({"latitude": "abc", "longitude": "1"}, "Isi dengan angka"),
        ({"halal_expires": "31-31-2030"}, "Tanggal tidak valid"),
    ],
)
def test_bad_input_on_the_full_store_form_changes_nothing(
    client, create_store, login, overrides, message
):
    store = create_store()
    login(store.owner)
    before = (store.kelurahan_id, store.slug, store.delivery_rws, store.latitude)
    response = client.post(
        f"/toko-saya/{store.id}/ubah",
        data=store_form(name="Nama Lain", **overrides),
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(store)
    assert store.name != "Nama Lain"
    assert (store.kelurahan_id, store.slug, store.delivery_rws, store.latitude) == before


def test_slug_taken_by_another_store_is_refused(create_store, create_user):
    create_store(slug="warung-ku")
    with pytest.raises(DomainError, match="sudah dipakai"):
        create_store(slug="warung-ku")


def test_same_name_gets_a_unique_slug(create_store):
    first = create_store(name="Warung Sama")
    second = create_store(name="Warung Sama")
    assert (first.slug, second.slug) == ("warung-sama", "warung-sama-2")


def test_kim_admin_verifies_a_store_of_their_kelurahan(
    client, create_store, create_user, create_kim_group, login
):
    store = create_store(status=StoreStatus.PENDING)
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    login(admin)
    assert store.name in client.get("/kim/").get_data(as_text=True)
    assert client.post(f"/kim/toko/{store.id}/verifikasi").status_code == 302
    assert store.status == StoreStatus.VERIFIED
    assert store.verified_at is not None
    last = store.verification_events[-1]
    assert (last.actor_id, last.from_status, last.to_status) == (admin.id, "pending", "verified")
    client.post("/akun/keluar")
    assert client.get(f"/toko/{store.slug}").status_code == 200


def test_rejection_reason_is_shown_and_resubmission_goes_back_to_pending(
    client, create_store, create_user, create_kim_group, login
):
    store = create_store(status=StoreStatus.PENDING)
    admin = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    login(admin)
    response = client.post(f"/kim/toko/{store.id}/tolak", data={"reason": ""})
    assert response.status_code == 400
    assert store.status == StoreStatus.PENDING
    client.post(f"/kim/toko/{store.id}/tolak", data={"reason": "Alamat kurang lengkap"})
    assert store.status == StoreStatus.REJECTED
    client.post("/akun/keluar")
    assert client.get(f"/toko/{store.slug}").status_code == 404

    login(store.owner)
    page = client.get("/toko-saya").get_data(as_text=True)
    assert "Alamat kurang lengkap" in page
    response = client.post(
        f"/toko-saya/{store.id}/ubah",
        data=store_form(name=store.name, slug=store.slug, address="Jl. Lengkap RT 1"),
    )
    assert response.status_code == 302
    assert store.status == StoreStatus.PENDING
    assert [e.to_status for e in store.verification_events] == ["pending", "rejected", "pending"]


def test_kim_admin_of_another_kelurahan_cannot_verify(create_store, create_user, create_kim_group):
    store = create_store(status=StoreStatus.PENDING, area="Uwung Jaya")
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    with pytest.raises(NotAllowed):
        services.verify_store(store, other)
    assert store.status == StoreStatus.PENDING
    assert services.stores_awaiting_verification(other) == []


def test_city_admin_verifies_anywhere(create_store, create_user):
    store = create_store(status=StoreStatus.PENDING, area="Cibodasari")
    services.verify_store(store, create_user(Role.CITY_ADMIN))
    assert store.status == StoreStatus.VERIFIED


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, "pending", True),
        (None, "verified", False),
        ("pending", "verified", True),
        ("pending", "rejected", True),
        ("pending", "pending", False),
        ("rejected", "pending", True),
        ("rejected", "verified", False),
        ("verified", "rejected", True),
        ("verified", "pending", False),
    ],
)
def test_verification_transitions(current, new, allowed):
    assert states.can_transition(current, new) is allowed


def test_verifying_twice_is_an_invalid_transition(create_store, create_user):
    store = create_store()
    with pytest.raises(InvalidTransition):
        services.verify_store(store, create_user(Role.CITY_ADMIN))


def test_overlapping_periods_are_refused(create_store):
    store = create_store()
    with pytest.raises(DomainError, match="bertumpuk"):
        services.set_opening_hours(
            store,
            [services.PeriodData(0, time(6), time(10)), services.PeriodData(0, time(9), time(12))],
        )


def test_hours_form_saves_periods(client, create_store, login):
    store = create_store()
    login(store.owner)
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={
            "d0_0_open": "06:00",
            "d0_0_close": "10:00",
            "d0_1_open": "16:00",
            "d0_1_close": "21:00",
            "d4_0_open": "18:00",
            "d4_0_close": "02:00",
        },
    )
    assert response.status_code == 302
    assert [(p.weekday, p.opens_at, p.closes_at) for p in store.periods] == [
        (0, time(6), time(10)),
        (0, time(16), time(21)),
        (4, time(18), time(2)),
    ]


def test_hours_form_with_half_a_period_is_refused(client, create_store, login):
    store = create_store()
    login(store.owner)
    before = [(p.weekday, p.opens_at) for p in store.periods]
    response = client.post(f"/toko-saya/{store.id}/jam", data={"d0_0_open": "06:00"})
    assert response.status_code == 400
    assert "Isi jam buka dan jam tutup" in response.get_data(as_text=True)
    response = client.post(
        f"/toko-saya/{store.id}/jam", data={"d0_0_open": "25:99", "d0_0_close": "1"}
    )
    assert response.status_code == 400
    assert [(p.weekday, p.opens_at) for p in store.periods] == before


def test_pause_and_resume(client, create_store, login):
    store = create_store()
    login(store.owner)
    until = (datetime.now() + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/toko-saya/{store.id}/tutup-sementara", data={"reason": "Libur Lebaran", "until": until}
    )
    assert store.is_paused
    assert store.paused_until > utcnow()
    page = client.get(f"/toko/{store.slug}").get_data(as_text=True)
    assert "Tutup sementara" in page
    assert "Libur Lebaran" in page
    client.post(f"/toko-saya/{store.id}/buka")
    assert not store.is_paused


def test_pause_in_the_past_is_refused(create_store):
    store = create_store()
    with pytest.raises(DomainError, match="masa depan"):
        services.pause_store(store, "Libur", datetime(2020, 1, 1, 8, 0))
    assert not store.is_paused


def test_closed_store_stays_visible_with_reopening_time(client, create_store):
    # open one minute a day, twelve hours away from now (03:00 at 20:00 UTC would be open)
    hour = 15 if 2 <= to_jakarta(utcnow()).hour <= 4 else 3
    store = create_store(periods=[(d, time(hour, 0), time(hour, 1)) for d in range(7)])
    page = client.get(f"/toko/{store.slug}").get_data(as_text=True)
    assert "Tutup" in page
    assert "buka lagi" in page


def test_storefront_shows_badges_and_whatsapp_link(client, create_store):
    store = create_store()
    services.set_credential(store, "halal", "ID-HALAL-1", date(2030, 1, 1))
    services.set_credential(store, "pirt", "PIRT-EXPIRED", date(2020, 1, 1))
    page = client.get(f"/toko/{store.slug}").get_data(as_text=True)
    assert "Halal ✓" in page
    assert "PIRT ✓" not in page  # expired credentials are not shown as badges
    assert f"https://wa.me/{store.whatsapp}?text=" in page


def test_closed_dates_are_saved_shown_and_validated(client, create_store, login):
    store = create_store()
    login(store.owner)
    next_year = date.today().year + 1
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={
            "d0_0_open": "06:00",
            "d0_0_close": "10:00",
            "closed_dates": (
                f"{next_year}-12-25 Libur Natal\n2020-01-01 lampau\n01-01-{next_year + 1}"
            ),
        },
    )
    assert response.status_code == 302
    assert [(c.day, c.note) for c in store.closed_dates] == [
        (date(next_year, 12, 25), "Libur Natal"),
        (date(next_year + 1, 1, 1), ""),
    ]
    assert "Libur Natal" in client.get(f"/toko/{store.slug}").get_data(as_text=True)
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={"d0_0_open": "07:00", "d0_0_close": "10:00", "closed_dates": "besok lusa"},
    )
    assert response.status_code == 400
    assert "Tanggal libur tidak dikenali" in response.get_data(as_text=True)
    assert store.periods[0].opens_at == time(6)  # nothing changed
    assert len(store.closed_dates) == 2


def test_the_new_store_form_asks_instead_of_guessing(client, create_user, login, count_rows):
    user = create_user(Role.SELLER, phone="6281277778888")
    login(user)
    page = client.get("/toko-saya/baru").get_data(as_text=True)
    # the WhatsApp number from sign-up is already there
    assert 'value="0812-7777-8888"' in page or 'value="081277778888"' in page
    # no kelurahan is chosen for the seller: it is typed (by name or postal code), with the
    # 104 kelurahan offered as suggestions
    assert re.search(r'name="kelurahan_id"[^>]*value=""', page)
    assert page.count("<option value=") >= 104
    # card payments are not offered on the first step: they start off
    assert "card_on_pickup" not in page
    # skipping the kelurahan is refused with a reason, and nothing is created
    before = count_rows(Store)
    response = client.post("/toko-saya/baru", data=store_form(kelurahan_id="0"))
    assert response.status_code == 400
    assert "Pilih kelurahan toko Anda" in response.get_data(as_text=True)
    assert count_rows(Store) == before


def test_the_kim_sees_what_it_must_judge(
    client, create_user, create_store, create_product, create_kim_group, login
):
    from marketplace.accounts.models import Role as R

    store = create_store(status=StoreStatus.PENDING, name="Warung Baru")
    create_product(store, name="Kue Cucur", price=3000)
    kim = create_user(R.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))
    login(kim)
    page = client.get(f"/kim/toko/{store.id}").get_data(as_text=True)
    assert "Kue Cucur" in page  # the products
    assert "Rp3.000" in page
    assert "Senin" in page  # the hours
    assert "https://wa.me/" in page  # a WhatsApp number to tap
    assert "openstreetmap.org" in page  # the address on a map
    assert "Menunggu verifikasi" in page  # states in words
    assert ">pending<" not in page
    assert "— → " not in page


def test_usual_hours_in_three_inputs(client, create_store, login, count_rows):
    from marketplace.stores.models import OpeningPeriod

    store = create_store()
    login(store.owner)
    page = client.get(f"/toko-saya/{store.id}/jam").get_data(as_text=True)
    assert "Senin–Sabtu" in page
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={"cepat-preset": "senin_sabtu", "cepat-opens": "07:00", "cepat-closes": "21:00"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    days = sorted((p.weekday, p.opens_at.hour, p.closes_at.hour) for p in store.periods)
    assert days == [(d, 7, 21) for d in range(6)]  # Sunday closed
    # a missing time changes nothing and says so
    before = count_rows(OpeningPeriod)
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={"cepat-preset": "setiap_hari", "cepat-opens": "", "cepat-closes": "21:00"},
    )
    assert response.status_code == 400
    assert "Wajib diisi" in response.get_data(as_text=True)
    assert count_rows(OpeningPeriod) == before
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={"cepat-preset": "tiap-jam", "cepat-opens": "07:00", "cepat-closes": "21:00"},
    )
    assert response.status_code == 400
    assert count_rows(OpeningPeriod) == before


def test_the_quick_hours_take_closed_dates_and_show_what_the_store_has(client, create_store, login):
    from datetime import date

    from marketplace.core.db import jakarta_today

    store = create_store()
    login(store.owner)
    holiday = jakarta_today() + timedelta(days=20)
    response = client.post(
        f"/toko-saya/{store.id}/jam?langkah=2",
        data={
            "cepat-preset": "senin_jumat",
            "cepat-opens": "06:30",
            "cepat-closes": "14:00",
            "cepat-closed_dates": f"{holiday.isoformat()} Syukuran",
        },
    )
    # onboarding step 2 goes on to the first product
    assert response.headers["Location"] == f"/toko-saya/{store.id}/produk/baru?langkah=3"
    db.session.expire_all()
    assert [(c.day, c.note) for c in store.closed_dates] == [(holiday, "Syukuran")]
    # the page shows them back: the preset of its days, its hours, its closed date
    page = client.get(f"/toko-saya/{store.id}/jam").get_data(as_text=True)
    assert re.search(r'<option selected value="senin_jumat"', page)
    assert 'value="06:30"' in page
    assert f"{holiday.isoformat()} Syukuran" in page
    # a bad date refuses the whole form
    response = client.post(
        f"/toko-saya/{store.id}/jam",
        data={
            "cepat-preset": "setiap_hari",
            "cepat-opens": "07:00",
            "cepat-closes": "21:00",
            "cepat-closed_dates": "besok lusa",
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert len(store.periods) == 5
    assert isinstance(store.closed_dates[0].day, date)


def test_storefront_lists_each_days_hours(client, create_store):
    """A store's page lists each weekday with its periods in order, and "Tutup" on a day it
    has none (Monday two periods, Tuesday one past midnight, Sunday none)."""
    store = create_store(
        periods=[
            (0, time(7, 0), time(10, 30)),
            (0, time(17, 0), time(21, 0)),
            (1, time(18, 0), time(2, 0)),
            *[(day, time(8, 0), time(16, 0)) for day in range(2, 6)],
        ]
    )
    page = client.get(f"/toko/{store.slug}").get_data(as_text=True)
    hours = re.search(r'<ul class="hours">(.*?)</ul>', page, re.S).group(1)
    days = [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", hours, re.S)]
    assert days == [
        "<span>Senin</span> 07.00–10.30, 17.00–21.00",
        "<span>Selasa</span> 18.00–02.00",
        "<span>Rabu</span> 08.00–16.00",
        "<span>Kamis</span> 08.00–16.00",
        "<span>Jumat</span> 08.00–16.00",
        "<span>Sabtu</span> 08.00–16.00",
        "<span>Minggu</span> Tutup",
    ]
