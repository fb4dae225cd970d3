"""Account rules: sign-up, login, passwords and reset tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context, session
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import AuditEvent, LoginSession, ResetCode, Role, User
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


#: the key of the Flask session that names its LoginSession
SESSION_ID_KEY = "sid"


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: '<id>.<auth_version>' of a live login session; an old version (the
    password changed, "sign out everywhere") or a revoked session means signed out."""
    try:
        ident, version = (int(part) for part in user_id.split("."))
    except (ValueError, AttributeError):
        return None
    sid = session.get(SESSION_ID_KEY) if has_request_context() else None
    live = db.session.get(LoginSession, sid) if isinstance(sid, str) else None
    if live is None or live.revoked_at is not None or live.user_id != ident:
        return None
    user = db.session.get(User, ident)
    if user is None or user.auth_version != version:
        return None
    return user


def open_login_session(user: User) -> str:
    """Record a new signed-in browser; its id goes into the session cookie."""
    sid = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=sid, user_id=user.id))
    db.session.flush()
    return sid


def revoke_login_session(sid: str | None) -> None:
    """Sign one browser out for good (its cookie, copied or not, no longer signs anyone in)."""
    live = db.session.get(LoginSession, sid) if isinstance(sid, str) else None
    if live is not None and live.revoked_at is None:
        live.revoked_at = utcnow()
        db.session.flush()


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user``: each browser must sign in again."""
    user.auth_version += 1
    now = utcnow()
    for live in db.session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
        )
    ):
        live.revoked_at = now
    db.session.flush()


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


RESET_CODE_LIFETIME = timedelta(minutes=10)
RESET_CODE_ATTEMPTS = 5


def _code_hash(user_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_reset_code(user: User, now=None) -> None:
    """A new one-time code by WhatsApp (earlier unused codes stop working)."""
    from marketplace.outbox import services as outbox

    now = now or utcnow()
    db.session.execute(
        update(ResetCode)
        .where(ResetCode.user_id == user.id, ResetCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(
        ResetCode(
            user_id=user.id,
            code_hash=_code_hash(user.id, code),
            expires_at=now + RESET_CODE_LIFETIME,
        )
    )
    outbox.queue_whatsapp(user.phone, "kode_reset", [code])


def start_recovery(login: str, reset_link) -> None:
    """ "Lupa kata sandi": a reset link to the account's e-mail and a code to its WhatsApp, as
    the account and the configuration allow. Says nothing of whether the account exists."""
    from marketplace.outbox import whatsapp

    user = find_by_login(login)
    if user is None:
        return
    if user.email:
        send_reset_link(user, reset_link(user))
    if whatsapp.is_configured():
        send_reset_code(user)


def redeem_reset_code(phone: str, code: str, new: str, now=None) -> str | None:
    """Set a new password with a WhatsApp code; returns what went wrong, or None.

    Never raises for a wrong code: the caller commits either way, so every guess counts (five
    per code)."""
    now = now or utcnow()
    wrong = _("Kode salah atau sudah tidak berlaku. Minta kode baru.")
    user = find_by_login(phone)
    if user is None:
        return wrong
    entry = db.session.scalar(
        select(ResetCode)
        .where(
            ResetCode.user_id == user.id,
            ResetCode.used_at.is_(None),
            ResetCode.expires_at > now,
            ResetCode.attempts < RESET_CODE_ATTEMPTS,
        )
        .order_by(ResetCode.id.desc())
        .with_for_update()
    )
    if entry is None:
        return wrong
    if not hmac.compare_digest(entry.code_hash, _code_hash(user.id, (code or "").strip())):
        entry.attempts += 1
        return wrong
    try:
        set_password(user, new)
    except DomainError as error:
        return error.message
    entry.used_at = now
    return None


def may_assist(actor: User, user: User) -> bool:
    """The city admin helps anyone but another city admin; a KIM admin helps the sellers of
    their kelurahan."""
    if user.role == Role.CITY_ADMIN or user.id == actor.id:
        return False
    if actor.is_city_admin:
        return True
    if not actor.is_kim_admin or user.role != Role.SELLER:
        return False
    from marketplace.stores.services import stores_of

    return any(actor.can_moderate_kelurahan(s.kelurahan_id) for s in stores_of(user))


def assisted_reset(actor: User, phone: str) -> User:
    """A KIM admin (or the city admin) issues a reset link to hand over in person; recorded."""
    user = find_by_login(phone)
    if user is None or "@" in (phone or ""):
        raise DomainError(_("Tidak ada akun dengan nomor itu."))
    if not may_assist(actor, user):
        raise DomainError(
            _("Anda hanya dapat membantu penjual di kelurahan Anda. Minta bantuan admin kota.")
        )
    db.session.add(
        AuditEvent(
            actor_id=actor.id,
            action="assisted_password_reset",
            subject_id=user.id,
            detail=f"{actor.role}: {actor.name}"[:500],
        )
    )
    db.session.flush()
    return user


def assisted_resets(actor: User, limit: int = 20) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "assisted_password_reset")
    if not actor.is_city_admin:
        query = query.where(AuditEvent.actor_id == actor.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
