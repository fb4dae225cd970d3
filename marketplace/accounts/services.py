"""Account rules: sign-up, login, passwords and reset tokens."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import Role, User
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError
from marketplace.core.phone import InvalidPhone, normalize_phone
from marketplace.extensions import db

MIN_PASSWORD_LENGTH = 8
RESET_SALT = "password-reset"
#: a hash computed once so that unknown logins take as long as wrong passwords
_DUMMY_HASH = generate_password_hash("timing-equaliser", method="scrypt")


@dataclass
class SignUpData:
    name: str
    phone: str
    password: str
    email: str = ""
    wants_to_sell: bool = False


def hash_password(password: str) -> str:
    """Hash with scrypt, a memory-hard KDF."""
    return generate_password_hash(password, method="scrypt")


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Kata sandi minimal 8 karakter."))
    if len(password) > 200:
        raise DomainError(_("Kata sandi terlalu panjang."))


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        raise DomainError(
            _("Nomor WhatsApp tidak valid. Gunakan nomor Indonesia, misalnya 0812-3456-7890.")
        ) from exc


def _email(raw: str | None) -> str | None:
    email = (raw or "").strip().lower()
    return email or None


def register_user(data: SignUpData) -> User:
    """Create a customer (or seller) account; the phone number is the login name."""
    name = data.name.strip()
    if not name:
        raise DomainError(_("Nama wajib diisi."))
    phone = _phone(data.phone)
    email = _email(data.email)
    _check_password_strength(data.password)
    if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise DomainError(_("Nomor WhatsApp ini sudah terdaftar. Silakan masuk."))
    if email and db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(_("E-mail ini sudah terdaftar. Silakan masuk."))
    user = User(
        name=name[:120],
        phone=phone,
        email=email,
        password_hash=hash_password(data.password),
        role=Role.SELLER if data.wants_to_sell else Role.CUSTOMER,
    )
    db.session.add(user)
    db.session.flush()
    return user


def find_by_login(login: str) -> User | None:
    """Find an account by e-mail or by phone number in any Indonesian format."""
    login = (login or "").strip()
    if "@" in login:
        return db.session.scalar(select(User).where(func.lower(User.email) == login.lower()))
    try:
        phone = normalize_phone(login)
    except InvalidPhone:
        return None
    return db.session.scalar(select(User).where(User.phone == phone))


def authenticate(login: str, password: str) -> User:
    """Return the user whose login and password match, or raise a DomainError."""
    user = find_by_login(login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise DomainError(_("Nomor/e-mail atau kata sandi salah."))
    if not check_password_hash(user.password_hash, password or ""):
        raise DomainError(_("Nomor/e-mail atau kata sandi salah."))
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; older sessions stop working."""
    if not check_password_hash(user.password_hash, current or ""):
        raise DomainError(_("Kata sandi lama salah."))
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    _check_password_strength(new)
    user.password_hash = hash_password(new)
    user.auth_version += 1
    db.session.flush()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def make_reset_token(user: User, secret_key: str) -> str:
    """A signed token naming the user and the current password hash (so it works once)."""
    return _serializer(secret_key).dumps({"uid": user.id, "h": user.password_hash[-16:]})


def user_for_reset_token(token: str, secret_key: str, max_age: int) -> User:
    """Return the user a valid token names, or raise a DomainError (expired, used, forged)."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise DomainError(_("Tautan reset sudah kedaluwarsa. Minta tautan baru.")) from exc
    except BadSignature as exc:
        raise DomainError(_("Tautan reset tidak valid.")) from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-16:] != data.get("h"):
        raise DomainError(_("Tautan reset sudah dipakai atau tidak valid. Minta tautan baru."))
    return user


def reset_password(token: str, new: str, secret_key: str, max_age: int) -> User:
    """Set a new password with a reset token; the token cannot be used again."""
    user = user_for_reset_token(token, secret_key, max_age)
    set_password(user, new)
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: '<id>.<auth_version>'; an old version means signed out."""
    try:
        ident, version = (int(part) for part in user_id.split("."))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, ident)
    if user is None or user.auth_version != version:
        return None
    return user


def send_reset_link(user: User, link: str) -> None:
    """Put the reset link in the outbox for the user's e-mail (delivered after commit)."""
    from marketplace.outbox import services as outbox

    outbox.queue(
        "email",
        user.email,
        _("Atur ulang kata sandi Pasar Kampung Kuliner"),
        _(
            "Halo %(name)s,\n\nBuka tautan ini untuk membuat kata sandi baru "
            "(berlaku 1 jam, sekali pakai):\n%(link)s\n\nAbaikan pesan ini jika Anda "
            "tidak memintanya.",
            name=user.name,
            link=link,
        ),
    )
