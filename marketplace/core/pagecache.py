"""A shared cache of the public pages as an anonymous visitor sees them (Redis).

Only a GET by a visitor who is not signed in, has nothing in the cart and no message waiting is
served from the cache or stored in it; everyone else gets the page rendered for them. A stored
page keeps a placeholder where the visitor's CSRF token goes, and each visitor gets their own
token put back in. Pages are stored under a generation number: any commit that wrote a row other
than private ones (orders, payments, accounts, books, messages…) raises the generation, so the
next visitor sees the change; a page also expires after PAGE_CACHE_SECONDS, for what changes with
the clock alone ("open now", sale windows, a new day's portions).

Configuration: PAGE_CACHE_URL (default REDIS_URL; empty turns the cache off), PAGE_CACHE_SECONDS.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

TOKEN_HOLE = "__CSRF_TOKEN_HOLE__"  # noqa: S105 - a placeholder, not a secret
GENERATION_KEY = "pkk:page:generation"
#: tables whose rows no public page shows: writing them leaves the cached pages valid
PRIVATE_TABLES = frozenset(
    {
        "orders",
        "order_lines",
        "order_events",
        "notifications",
        "cart_lines",
        "payments",
        "stripe_events",
        "users",
        "reset_codes",
        "audit_events",
        "login_sessions",
        "push_subscriptions",
        "cash_entries",
        "book_categories",
        "ledger_entries",
        "credit_customers",
        "debts",
        "debt_payments",
        "store_follows",
        "redemptions",
        "code_uses",
        "store_verification_events",
        "review_reports",
        "review_moderations",
        "announcement_reports",
        "aspiration_events",
        "featured_slot_logs",
        "booth_applications",
        "kim_members",
    }
)


def _client():
    return current_app.extensions.get("page_cache")


def init_page_cache(app: Flask) -> None:
    url = app.config.get("PAGE_CACHE_URL")
    if not url:
        app.extensions["page_cache"] = None
        return
    import redis

    app.extensions["page_cache"] = redis.Redis.from_url(url, socket_timeout=0.5)


def _touches_public_rows(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table and table not in PRIVATE_TABLES:
            return True
    return False


@event.listens_for(Session, "after_flush")
def _note_public_change(session: Session, _context) -> None:
    if _touches_public_rows(session):
        session.info["public_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement_write(state) -> None:
    """Writes that bypass the unit of work (``update(Review)...``, an upsert of portions) count
    too: the flush never sees them."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table and table not in PRIVATE_TABLES:
        state.session.info["public_changed"] = True


@event.listens_for(Session, "after_commit")
def _bump_generation(session: Session) -> None:
    if not session.info.pop("public_changed", False):
        return
    try:
        client = _client()
    except RuntimeError:  # no application context: nothing is cached outside the app
        return
    if client is not None:
        try:
            client.incr(GENERATION_KEY)
        except Exception:  # noqa: BLE001 - a cache that is down must not fail a write
            current_app.logger.warning("page cache: could not raise the generation")


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop("public_changed", None)


def _cacheable_visitor() -> bool:
    if request.method != "GET" or current_user.is_authenticated:
        return False
    if session.get("_flashes") or session.get("cart"):
        return False
    return True


def cached_page(view):
    """Serve ``view`` from the shared cache for anonymous visitors (see the module's doc)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        client = _client()
        if client is None or not _cacheable_visitor():
            return view(*args, **kwargs)
        try:
            generation = int(client.get(GENERATION_KEY) or 0)
            key = f"pkk:page:{generation}:{get_locale()}:{request.full_path}"
            stored = client.get(key)
        except Exception:  # noqa: BLE001 - without the cache, render as usual
            return view(*args, **kwargs)
        if stored is not None:
            page = stored.decode()
            if TOKEN_HOLE in page:
                page = page.replace(TOKEN_HOLE, generate_csrf())
            response = make_response(page)
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            token = generate_csrf()  # the one this page was rendered with
            try:
                client.set(
                    key,
                    body.replace(token, TOKEN_HOLE),
                    ex=current_app.config["PAGE_CACHE_SECONDS"],
                )
            except Exception:  # noqa: BLE001
                current_app.logger.warning(
                    "page cache: could not store %s", request.path, exc_info=True
                )
            response.headers["X-Page-Cache"] = "miss"
        return response

    return wrapper
