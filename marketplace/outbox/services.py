"""Deliver the outbox: one task per message after commit, retried with backoff, and a periodic
flush that picks up whatever is due (a broker outage, a killed worker, a retry's time).

A message is locked while it is sent (``FOR UPDATE SKIP LOCKED``), so two workers never send
the same row; its delivery key travels with it (the e-mail's Message-ID), so a receiver can
drop the rare duplicate of a worker killed between the send and the commit.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from marketplace.core.db import utcnow
from marketplace.core.jobs import after_commit, enqueue, periodic, task
from marketplace.core.mail import send_mail
from marketplace.extensions import db
from marketplace.orders.models import DeliveryStatus, Notification
from marketplace.outbox import whatsapp

#: retries before a message is marked failed (about a day with the backoff below)
MAX_ATTEMPTS = 12
LONGEST_WAIT = timedelta(hours=4)


def _seconds(setting: str) -> timedelta:
    return timedelta(seconds=current_app.config[setting])


#: the channels a task delivers; "whatsapp" rows are click-to-chat links offered on the page
CHANNELS = {"email", "whatsapp_api", "push"}


def queue(
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    order_id: int | None = None,
    event_id: int | None = None,
) -> Notification:
    """Write a message in the current transaction; it is delivered after commit."""
    deliverable = channel in CHANNELS
    message = Notification(
        order_id=order_id,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        event_id=event_id,
        status=DeliveryStatus.PENDING if deliverable else DeliveryStatus.MANUAL,
    )
    db.session.add(message)
    db.session.flush()
    if deliverable:
        after_commit("outbox.deliver", message.id)
    return message


def queue_whatsapp(
    to: str,
    template: str,
    params: list,
    order_id: int | None = None,
    event_id: int | None = None,
) -> Notification | None:
    """A WhatsApp template message through the Cloud API, when it is configured."""
    if not whatsapp.is_configured():
        return None
    return queue(
        "whatsapp_api",
        to,
        template,
        json.dumps({"template": template, "params": [str(p) for p in params]}),
        order_id,
        event_id,
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most four hours between tries (the first wait is
    ``OUTBOX_FIRST_RETRY_SECONDS``)."""
    first = _seconds("OUTBOX_FIRST_RETRY_SECONDS")
    return min(first * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _send(message: Notification) -> None:
    if message.channel == "email":
        send_mail(message.recipient, message.subject, message.body, message_id=message.delivery_key)
    elif message.channel == "push":
        from marketplace.push import services as push

        push.deliver(message.recipient, message.body)
    elif message.channel == "whatsapp_api":
        content = json.loads(message.body)
        whatsapp.send_template(
            message.recipient, content["template"], content["params"], message.delivery_key
        )
    else:  # pragma: no cover - queue() only queues deliverable channels
        raise ValueError(f"no delivery for channel {message.channel}")


def _gone() -> type[Exception]:
    from marketplace.push.services import SubscriptionGone

    return SubscriptionGone


@task("outbox.deliver")
def deliver(message_id: int, now: datetime | None = None) -> str:
    """Send one message unless it was sent, is being sent elsewhere, or is not due yet."""
    message = db.session.scalar(
        select(Notification)
        .where(Notification.id == message_id, Notification.status == DeliveryStatus.PENDING)
        .with_for_update(skip_locked=True)
    )
    now = now or utcnow()
    if message is None:
        return "skipped"
    if message.next_attempt_at is not None and message.next_attempt_at > now:
        return "not due"
    message.attempts += 1
    try:
        _send(message)
    except _gone() as error:  # the browser unsubscribed: nothing to retry
        message.status = DeliveryStatus.FAILED
        message.last_error = f"subscription gone: {error}"[:500]
        db.session.commit()
        return "gone"
    except Exception as error:  # SMTP refused, timed out, unreachable: try again later
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = DeliveryStatus.FAILED
        else:
            wait = backoff(message.attempts)
            message.next_attempt_at = now + wait
            db.session.commit()
            enqueue("outbox.deliver", message_id, countdown=wait.total_seconds())
            current_app.logger.warning("Message %s not delivered: %s", message_id, error)
            return "retry"
        db.session.commit()
        return "failed"
    message.status = DeliveryStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    db.session.commit()
    return "sent"


@periodic("outbox.flush", "OUTBOX_FLUSH_SECONDS")
def flush(now: datetime | None = None, limit: int = 200) -> int:
    """Deliver the messages that are due; returns how many were tried."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Notification.id)
        .where(
            Notification.status == DeliveryStatus.PENDING,
            or_(
                Notification.next_attempt_at <= now,
                (Notification.next_attempt_at.is_(None))
                # not tried yet, and older than its after-commit task should have taken
                & (Notification.created_at <= now - _seconds("OUTBOX_STRANDED_SECONDS")),
            ),
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for message_id in due:
        deliver(message_id, now)
    return len(due)


def retry(message: Notification) -> None:
    """The city admin sends a failed message again."""
    message.status = DeliveryStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = None
    db.session.flush()
    after_commit("outbox.deliver", message.id)


def recent(status: str | None = None, limit: int = 100) -> list[Notification]:
    query = select(Notification).where(Notification.status != DeliveryStatus.MANUAL)
    if status:
        query = query.where(Notification.status == status)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def counts() -> dict[str, int]:
    rows = db.session.execute(
        select(Notification.status, func.count(Notification.id)).group_by(Notification.status)
    ).all()
    return {status: count for status, count in rows}
