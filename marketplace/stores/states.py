"""Store verification: the allowed status transitions and the one place that changes them."""

from __future__ import annotations

from flask_babel import gettext as _

from marketplace.core.db import utcnow
from marketplace.core.errors import InvalidTransition
from marketplace.extensions import db
from marketplace.stores.models import Store, StoreStatus, StoreVerificationEvent

TRANSITIONS: dict[str | None, set[str]] = {
    None: {StoreStatus.PENDING},
    StoreStatus.PENDING: {StoreStatus.VERIFIED, StoreStatus.REJECTED},
    StoreStatus.REJECTED: {StoreStatus.PENDING},
    StoreStatus.VERIFIED: {StoreStatus.REJECTED},
}


def can_transition(current: str | None, new: str) -> bool:
    return new in TRANSITIONS.get(current, set())


def transition(store: Store, new_status: str, actor, reason: str | None = None) -> None:
    """Move a store to ``new_status``, recording who, when, from, to and why."""
    current = store.status if store.id is not None else None
    if not can_transition(current, new_status):
        raise InvalidTransition(_("Status toko tidak dapat diubah dari keadaan sekarang."))
    store.status = new_status
    if new_status == StoreStatus.VERIFIED:
        store.verified_at = utcnow()
        store.rejection_reason = None
    elif new_status == StoreStatus.REJECTED:
        store.rejection_reason = reason
    store.verification_events.append(
        StoreVerificationEvent(
            actor_id=actor.id if actor is not None else None,
            from_status=current,
            to_status=new_status,
            reason=reason,
        )
    )
    db.session.flush()
    from marketplace.catalog.services import refresh_listed  # catalog builds on stores

    refresh_listed(store_id=store.id)
