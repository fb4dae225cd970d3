"""Suara Warga: residents write to their KIM; the KIM answers; answers may be shown anonymously."""

import pytest

from marketplace.accounts.models import Role
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import limiter
from marketplace.kim import aspirations as service
from marketplace.kim.models import Aspiration
from tests.factories import kelurahan


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def test_resident_sends_and_follows_and_kim_answers(
    client, kim_admin, create_user, login, count_rows
):
    resident = create_user(name="Pak Rahmat", phone="6281377700001")
    login(resident)
    response = client.post(
        "/suara-warga/kirim",
        data={
            "kelurahan_id": kelurahan("Uwung Jaya").id,
            "category": "keluhan",
            "text": "Lampu jalan di RW 05 mati sudah seminggu.",
        },
    )
    assert response.status_code == 302
    item = Aspiration.query.one()
    assert item.status == "diterima"
    client.post("/akun/keluar")
    login(kim_admin)
    queue = client.get("/kim/suara-warga").get_data(as_text=True)
    assert "Lampu jalan" in queue
    # kinds and states in words, in the reader's language
    assert ">Keluhan<" in queue
    assert ">Diterima<" in queue
    client.post("/bahasa", data={"lang": "en"})
    english = client.get("/kim/suara-warga").get_data(as_text=True)
    assert ">Complaint<" in english
    assert ">keluhan<" not in english
    assert ">diterima<" not in english
    client.post("/bahasa", data={"lang": "id"})
    client.post(
        f"/kim/suara-warga/{item.id}",
        data={"status": "diteruskan", "note": "Ke Dinas PU", "target": "lainnya"},
    )
    client.post(
        f"/kim/suara-warga/{item.id}",
        data={"status": "dijawab", "note": "Sudah diperbaiki Dinas PU.", "publish": "y"},
    )
    assert (item.status, item.answer, item.published) == (
        "dijawab",
        "Sudah diperbaiki Dinas PU.",
        True,
    )
    assert [e.status for e in item.events] == ["diterima", "diteruskan", "dijawab"]
    public = client.get("/suara-warga").get_data(as_text=True)
    assert "Sudah diperbaiki Dinas PU." in public
    assert "Pak Rahmat" not in public
    assert "0813-7770-0001" not in public
    client.post("/akun/keluar")
    login(resident)
    assert "Sudah diperbaiki" in client.get("/suara-warga/saya").get_data(as_text=True)


@pytest.mark.parametrize(
    ("area", "category", "text", "message"),
    [
        ("Uwung Jaya", "keluhan", "pendek", "minimal 15"),
        ("Uwung Jaya", "gosip", "Lampu jalan mati seminggu", "Pilih jenis"),
        ("Paninggilan", "saran", "Mohon pelatihan foto produk", "belum punya KIM"),
    ],
)
def test_bad_aspirations_are_refused(kim_admin, create_user, area, category, text, message):
    with pytest.raises(DomainError, match=message):
        service.send(create_user(), kelurahan(area).id, category, text)


def test_only_the_kelurahan_kim_handles(kim_admin, create_user, create_kim_group):
    item = service.send(
        create_user(), kelurahan("Uwung Jaya").id, "saran", "Adakan bazar tiap bulan di lapangan"
    )
    other = create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Cibodasari"))
    with pytest.raises(NotAllowed):
        service.respond(other, item, "dijawab", "Bukan wilayah saya", True)
    assert service.queue(other) == []
    with pytest.raises(DomainError, match="jawaban"):
        service.respond(kim_admin, item, "dijawab", "", False)
    city = create_user(Role.CITY_ADMIN)
    service.respond(city, item, "ditutup", "Selesai", False)
    assert item.status == "ditutup"


def test_sending_is_rate_limited(app, client, kim_admin, create_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "ASPIRATION_RATE_LIMIT", "2 per hour")
    limiter.reset()
    login(create_user())
    form = {
        "kelurahan_id": kelurahan("Uwung Jaya").id,
        "category": "saran",
        "text": "Mohon diadakan pelatihan pembukuan",
    }
    codes = [client.post("/suara-warga/kirim", data=form).status_code for _ in range(3)]
    limiter.reset()
    assert codes == [302, 302, 429]
