"""Password recovery without e-mail: a one-time code by WhatsApp, or a link the KIM hands over
in person (recorded)."""

import re

import pytest
from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import AuditEvent, Role
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.kim.models import KimGroup
from tests.stripe_fixtures import commit_and_settle


def _code(whatsapp_api, phone: str) -> str:
    [*_, message] = whatsapp_api.to(phone)
    assert message["template"]["name"] == "kode_reset"
    [code] = whatsapp_api.texts(message)
    assert re.fullmatch(r"\d{6}", code)
    return code


def _submit(client, phone, code, password="sandi-baru-123"):  # noqa: S107 - a test password
    return client.post(
        "/akun/kode-reset",
        data={"phone": phone, "code": code, "new": password, "confirm": password},
    )


def test_a_seller_without_email_resets_by_whatsapp_code(client, create_user, whatsapp_api):
    user = create_user(Role.SELLER, phone="6281299990001")
    answer = client.post("/akun/lupa-kata-sandi", data={"login": "0812-9999-0001"})
    assert answer.status_code == 302
    assert "/akun/kode-reset" in answer.headers["Location"]
    code = _code(whatsapp_api, "6281299990001")
    wrong = "000000" if code != "000000" else "111111"
    page = _submit(client, "081299990001", wrong)
    assert page.status_code == 400
    assert "Kode salah" in page.get_data(as_text=True)
    assert _submit(client, "081299990001", code).status_code == 302
    assert services.authenticate(user.phone, "sandi-baru-123") == user
    # The code works once
    assert _submit(client, "081299990001", code, "lain-lagi-123").status_code == 400
    assert services.authenticate(user.phone, "sandi-baru-123") == user


def test_five_wrong_guesses_kill_the_code(client, create_user, whatsapp_api):
    user = create_user(Role.CUSTOMER, phone="6281299990002")
    client.post("/akun/lupa-kata-sandi", data={"login": "081299990002"})
    code = _code(whatsapp_api, "6281299990002")
    guesses = [f"{n:06d}" for n in range(10) if f"{n:06d}" != code][:5]
    for guess in guesses:
        assert _submit(client, "081299990002", guess).status_code == 400
    assert _submit(client, "081299990002", code).status_code == 400
    with pytest.raises(DomainError):
        services.authenticate(user.phone, "sandi-baru-123")
    # A new code replaces it
    client.post("/akun/lupa-kata-sandi", data={"login": "081299990002"})
    assert _submit(client, "081299990002", _code(whatsapp_api, "6281299990002")).status_code == 302


def test_an_unknown_number_gets_the_same_answer_and_no_message(client, whatsapp_api):
    answer = client.post("/akun/lupa-kata-sandi", data={"login": "081299990003"})
    assert answer.status_code == 302
    assert "/akun/kode-reset" in answer.headers["Location"]
    commit_and_settle()
    assert whatsapp_api.accepted == []


def _kim_admin(create_user, store):
    group = KimGroup(kelurahan_id=store.kelurahan_id, name="KIM Uji")
    db.session.add(group)
    db.session.flush()
    return create_user(Role.KIM_ADMIN, kim_group=group)


def test_the_kim_hands_a_seller_a_reset_link_in_person(client, create_store, create_user, login):
    store = create_store(area="Uwung Jaya")
    seller = store.owner
    kim = _kim_admin(create_user, store)
    login(kim)
    page = client.post("/kim/bantu-kata-sandi", data={"phone": "0" + seller.phone[2:]})
    assert page.status_code == 200
    link = re.search(
        r'value="(http://localhost/akun/atur-ulang/[^"]+)"', page.get_data(as_text=True)
    )
    assert link
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert (event.actor_id, event.subject_id, event.action) == (
        kim.id,
        seller.id,
        "assisted_password_reset",
    )
    client.post("/akun/keluar")
    path = link.group(1).replace("http://localhost", "")
    answer = client.post(path, data={"new": "sandi-baru-123", "confirm": "sandi-baru-123"})
    assert answer.status_code == 302
    assert services.authenticate(seller.phone, "sandi-baru-123") == seller


def test_who_may_help_whom(create_store, create_user):
    store = create_store(area="Uwung Jaya")
    elsewhere = create_store(area="Cibodasari")
    kim = _kim_admin(create_user, store)
    city = create_user(Role.CITY_ADMIN)
    customer = create_user(Role.CUSTOMER)
    assert services.may_assist(kim, store.owner)
    assert not services.may_assist(kim, elsewhere.owner)  # another kelurahan
    assert not services.may_assist(kim, customer)  # no kelurahan to vouch for: the city helps
    assert services.may_assist(city, customer)
    assert services.may_assist(city, kim)
    assert not services.may_assist(city, create_user(Role.CITY_ADMIN))
    with pytest.raises(DomainError, match="kelurahan Anda"):
        services.assisted_reset(kim, "0" + elsewhere.owner.phone[2:])
    with pytest.raises(DomainError, match="Tidak ada akun"):
        services.assisted_reset(city, "081200000000")
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == 0
