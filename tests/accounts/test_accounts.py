import logging
import re

import pytest
from sqlalchemy import select

from marketplace.accounts import services
from marketplace.accounts.models import Role, User
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from tests.factories import PASSWORD


def signup(client, **fields):
    data = {"name": "Siti Aminah", "phone": "0812-3456-7890", "password": "rahasia123"}
    data.update(fields)
    return client.post("/akun/daftar", data=data)


def test_signup_creates_customer_with_normalised_phone(client):
    response = signup(client, email="Siti@Example.ID")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.phone == "6281234567890"))
    assert user.role == Role.CUSTOMER
    assert user.email == "siti@example.id"
    assert user.password_hash.startswith("scrypt:")


def test_signup_as_seller_goes_to_open_a_store(client):
    response = signup(client, wants_to_sell="y")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/toko-saya/baru")


def test_duplicate_phone_in_another_format_is_refused(client, count_rows):
    assert signup(client).status_code == 302
    client.post("/akun/keluar")
    before = count_rows(User)
    response = signup(client, phone="+62 812 3456 7890", name="Orang Lain")
    assert response.status_code == 400
    assert "sudah terdaftar" in response.get_data(as_text=True)
    assert count_rows(User) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"phone": "12345"}, "Nomor WhatsApp tidak valid"),
        ({"password": "pendek"}, "Panjang isian"),
        ({"name": ""}, "Wajib diisi"),
        ({"email": "bukan-email"}, "Alamat e-mail tidak valid"),
    ],
)
def test_bad_signup_input_gets_a_message_and_changes_nothing(client, count_rows, fields, message):
    before = count_rows(User)
    response = signup(client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_rows(User) == before


def test_login_by_phone_in_any_format_and_by_email(client, create_user):
    user = create_user(email="dewi@example.id", phone="6281311112222")
    for login in ("081311112222", "+6281311112222", "dewi@example.id", "DEWI@example.id"):
        response = client.post("/akun/masuk", data={"login": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert client.get("/akun/kata-sandi").status_code == 200
        client.post("/akun/keluar")
        assert client.get("/akun/kata-sandi").status_code == 302
    assert user.last_login_at is not None


@pytest.mark.parametrize("login", ["081311112222", "tidak@ada.id", "0899"])
def test_wrong_password_or_unknown_login_is_refused(client, create_user, login):
    create_user(phone="6281311112222")
    response = client.post("/akun/masuk", data={"login": login, "password": "salah-sandi"})
    assert response.status_code == 400
    assert "kata sandi salah" in response.get_data(as_text=True)


def test_session_is_renewed_at_login(client, create_user):
    user = create_user()
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    client.post("/akun/masuk", data={"login": user.phone, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}.{user.auth_version}"


def test_change_password_signs_out_other_sessions(app, client, create_user, login):
    user = create_user()
    other = app.test_client()
    other.post("/akun/masuk", data={"login": user.phone, "password": PASSWORD})
    login(user)
    response = client.post(
        "/akun/kata-sandi",
        data={"current": PASSWORD, "new": "sandi-baru-123", "confirm": "sandi-baru-123"},
    )
    assert response.status_code == 302
    assert client.get("/akun/kata-sandi").status_code == 200  # this session continues
    assert other.get("/akun/kata-sandi").status_code == 302  # the other one is signed out
    with pytest.raises(DomainError):
        services.authenticate(user.phone, PASSWORD)
    assert services.authenticate(user.phone, "sandi-baru-123") == user


def test_change_password_with_wrong_current_is_refused(client, create_user, login):
    user = create_user()
    login(user)
    old_hash = user.password_hash
    response = client.post(
        "/akun/kata-sandi",
        data={"current": "salah", "new": "sandi-baru-123", "confirm": "sandi-baru-123"},
    )
    assert response.status_code == 400
    assert "Kata sandi lama salah" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == old_hash


def _reset_link(caplog) -> str:
    message = "\n".join(r.getMessage() for r in caplog.records)
    return re.search(r"http://localhost(/akun/atur-ulang/\S+)", message).group(1)


def test_password_reset_by_emailed_token_works_once(client, create_user, caplog):
    user = create_user(email="lupa@example.id")
    with caplog.at_level(logging.WARNING):
        response = client.post("/akun/lupa-kata-sandi", data={"login": "lupa@example.id"})
    assert response.status_code == 302
    link = _reset_link(caplog)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new": "sandi-baru-123", "confirm": "sandi-baru-123"})
    assert response.status_code == 302
    assert services.authenticate(user.phone, "sandi-baru-123") == user
    # Reuse: the token named the old password hash, so it is dead now.
    response = client.post(link, data={"new": "lagi-lagi-123", "confirm": "lagi-lagi-123"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/akun/lupa-kata-sandi")
    assert services.authenticate(user.phone, "sandi-baru-123") == user


def test_password_reset_token_expires(app, create_user):
    user = create_user(email="kedaluwarsa@example.id")
    token = services.make_reset_token(user, app.config["SECRET_KEY"])
    with pytest.raises(DomainError, match="kedaluwarsa"):
        services.user_for_reset_token(token, app.config["SECRET_KEY"], max_age=-1)
    assert services.user_for_reset_token(token, app.config["SECRET_KEY"], max_age=3600) == user


def test_forged_reset_token_is_refused(app, create_user):
    create_user()
    with pytest.raises(DomainError, match="tidak valid"):
        services.user_for_reset_token("palsu.token.ini", app.config["SECRET_KEY"], 3600)


def test_unknown_email_gets_the_same_answer(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post("/akun/lupa-kata-sandi", data={"login": "siapa@example.id"})
    assert response.status_code == 302
    assert "atur-ulang" not in caplog.text


def test_open_redirect_after_login_is_refused(client, create_user):
    user = create_user()
    response = client.post(
        "/akun/masuk?next=//evil.example/", data={"login": user.phone, "password": PASSWORD}
    )
    assert "evil" not in response.headers["Location"]


def test_a_look_alike_number_is_the_same_account(client, create_user, count_rows):
    from marketplace.accounts.models import User

    create_user(phone="6281234567890")
    before = count_rows(User)
    response = client.post(
        "/akun/daftar",
        data={"name": "Peniru", "phone": "０８１２３４５６７８９０", "password": "rahasia123"},
    )
    assert response.status_code == 400
    assert "sudah terdaftar" in response.get_data(as_text=True)
    response = client.post(
        "/akun/daftar",
        data={"name": "Peniru", "phone": "٠٨١٢٣٤٥٦٧٨٩١", "password": "rahasia123"},
    )
    assert response.status_code == 400
    assert count_rows(User) == before


def test_a_forged_host_header_does_not_reach_the_reset_link(client, create_user, caplog):
    create_user(email="korban@example.id")
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/akun/lupa-kata-sandi",
            data={"login": "korban@example.id"},
            headers={"Host": "evil.example"},
        )
    assert response.status_code == 302
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "evil.example" not in message
    assert "http://localhost/akun/atur-ulang/" in message  # BASE_URL


def _copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client, create_user, login):
    user = create_user()
    login(user)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/akun/kata-sandi").status_code == 200  # the copy works while signed in
    client.post("/akun/keluar")
    assert thief.get("/akun/kata-sandi").status_code == 302  # and not after
    assert "/akun/masuk" in thief.get("/akun/kata-sandi").headers["Location"]


def test_signing_out_everywhere_ends_every_browser(app, client, create_user, login):
    user = create_user()
    phone = app.test_client()
    phone.post("/akun/masuk", data={"login": user.phone, "password": PASSWORD})
    login(user)
    assert phone.get("/akun/kata-sandi").status_code == 200
    assert 'action="/akun/keluar-semua"' in client.get("/akun/").get_data(as_text=True)
    assert client.post("/akun/keluar-semua").status_code == 302
    assert phone.get("/akun/kata-sandi").status_code == 302
    assert client.get("/akun/kata-sandi").status_code == 302
    # signing in again works as usual
    login(user)
    assert client.get("/akun/kata-sandi").status_code == 200
