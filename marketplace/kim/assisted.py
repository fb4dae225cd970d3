"""Assisted onboarding: a KIM admin opens a store for a resident who is not online yet (photos,
hours, products — the KIM manages it meanwhile), and a single-use link sent to the resident's
WhatsApp hands it over: the resident sets a password, and from then on the KIM no longer edits
the store."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import _phone, hash_password, set_password
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.web import public_url
from marketplace.extensions import db
from marketplace.kim.models import StoreClaim
from marketplace.stores.models import Store
from marketplace.stores.services import StoreData, open_store

CLAIM_DAYS = 14


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_for_resident(
    actor: User, resident_name: str, resident_phone: str, data: StoreData
) -> tuple[Store, str]:
    """Open a store for a resident of the actor's kelurahan; (the store, the claim link to
    send them). The link is also put in the outbox for WhatsApp when it is configured."""
    if not actor.is_kim_admin or actor.kim_group is None:
        raise NotAllowed(_("Hanya admin KIM yang membukakan toko untuk warga."))
    if data.kelurahan_id != actor.kim_group.kelurahan_id:
        raise NotAllowed(_("Bukakan toko hanya untuk warga kelurahan Anda."))
    name = (resident_name or "").strip()
    if not name:
        raise DomainError(_("Tuliskan nama warga pemilik toko."))
    phone = _phone(resident_phone)
    if db.session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise DomainError(
            _(
                "Nomor ini sudah punya akun. Warga dapat membuka tokonya sendiri; bantu atur "
                "ulang kata sandinya bila lupa."
            )
        )
    resident = User(
        name=name[:120],
        phone=phone,
        # nobody knows this password: the resident chooses one through the claim link
        password_hash=hash_password(secrets.token_urlsafe(32)),
        role=Role.SELLER,
    )
    db.session.add(resident)
    db.session.flush()
    store = open_store(resident, data)
    store.assisted_by_id = actor.kim_group_id
    link = new_claim_link(actor, store)
    return store, link


def new_claim_link(actor: User, store: Store) -> str:
    """A fresh single-use link for the resident (earlier unused ones stop working)."""
    from marketplace.outbox import services as outbox

    if store.assisted_by_id is None or not store.is_managed_by(actor):
        raise NotAllowed(_("Toko ini tidak sedang dibantu KIM Anda."))
    now = utcnow()
    for old in db.session.scalars(
        select(StoreClaim).where(StoreClaim.store_id == store.id, StoreClaim.used_at.is_(None))
    ):
        old.expires_at = min(old.expires_at, now)
    token = secrets.token_urlsafe(24)
    db.session.add(
        StoreClaim(
            store_id=store.id,
            token_hash=_hash(token),
            expires_at=now + timedelta(days=CLAIM_DAYS),
            created_by_id=actor.id,
        )
    )
    db.session.flush()
    link = public_url("kim.claim", token=token)
    outbox.queue_whatsapp(store.owner.phone, "klaim_toko", [store.owner.name, store.name, link])
    return link


def claim_for(token: str) -> StoreClaim:
    """The claim a link names, while it is usable."""
    claim = db.session.scalar(
        select(StoreClaim).where(StoreClaim.token_hash == _hash(token or "")).with_for_update()
    )
    if claim is None or claim.used_at is not None or claim.expires_at <= utcnow():
        raise DomainError(
            _("Tautan ini sudah dipakai atau kedaluwarsa. Minta tautan baru ke KIM Anda.")
        )
    return claim


def claim(token: str, password: str) -> User:
    """The resident takes their store: a password of their own, and the KIM's hands off."""
    found = claim_for(token)
    owner = found.store.owner
    set_password(owner, password)
    found.used_at = utcnow()
    found.store.assisted_by_id = None
    db.session.flush()
    return owner
