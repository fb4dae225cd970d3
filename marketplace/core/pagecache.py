"""A shared cache of the public pages as an anonymous visitor sees them (Redis).

Only a GET by a visitor who is not signed in, has nothing in the cart and no message waiting is
served from the cache or stored in it; everyone else gets the page rendered for them. A stored
page keeps a placeholder where the visitor's CSRF token goes, and each visitor gets their own
token put back in; a page with no such form (the listings, the home page, a search) is the same
bytes for every visitor and starts no session. Pages are stored under a generation number: any
commit that wrote a row other than private ones (orders, payments, accounts, books, messages…)
raises the generation, so the next visitor sees the change; a page also expires after
PAGE_CACHE_SECONDS, for what changes with the clock alone ("open now", sale windows, a new day's
portions). An order taking units or portions of a product (or giving them back) raises only that
product's stock version, part of its own page's key (the page says how many are left), unless
the product sold out or came back: then the cards change too, and the generation is raised.

A hit costs one round trip to Redis (a script reads the generation and the page together), is
answered before the view is dispatched (``serve_early``), and costs no compression: the page is
stored gzip-compressed in pieces cut at the token's places, each piece ending on a full flush,
so the visitor's token is compressed on its own and the pieces are joined into one valid gzip
stream (the way pigz compresses in parallel).

Configuration: PAGE_CACHE_URL (default REDIS_URL; empty turns the cache off), PAGE_CACHE_SECONDS.
"""

from __future__ import annotations

import struct
import time
import zlib
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_host

from marketplace.core.logs import sane_request_id
from marketplace.core.metrics import REQUEST_SECONDS
from marketplace.core.replica import reads_replica
from marketplace.core.templating import security_headers_for

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
        "mentoring_visits",
    }
)


#: a product's stock version (raised when its units or portions are taken or given back) is
#: kept a day, far longer than any page it is part of the key of
STOCK_VERSION_SECONDS = 24 * 3600

#: one round trip: the current generation (with the product's stock version for a page that
#: shows how many are left) and the page stored under it
_READ_SCRIPT = """
local stamp = redis.call('GET', KEYS[1]) or '0'
if KEYS[2] then stamp = stamp .. '.' .. (redis.call('GET', KEYS[2]) or '0') end
return {stamp, redis.call('GET', 'pkk:page:' .. stamp .. ':' .. ARGV[1])}
"""


def stock_key(product_id) -> str:
    return f"pkk:page:stock:{product_id}"


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, OS unknown
_LEVEL = 6


def _client():
    return current_app.extensions.get("page_cache")


def init_page_cache(app: Flask) -> None:
    app.before_request(serve_early)
    url = app.config.get("PAGE_CACHE_URL")
    if not url:
        app.extensions["page_cache"] = None
        return
    import redis

    client = redis.Redis.from_url(url, socket_timeout=0.5)
    app.extensions["page_cache"] = client
    app.extensions["page_cache_read"] = client.register_script(_READ_SCRIPT)


def _deflate(data: bytes, last: bool) -> bytes:
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


def pack_page(html: str) -> bytes:
    """A page with TOKEN_HOLE places, as stored: the pieces between the holes, raw and
    compressed."""
    pieces = [piece.encode() for piece in html.split(TOKEN_HOLE)]
    packed = [struct.pack("!I", len(pieces))]
    for n, piece in enumerate(pieces):
        squeezed = _deflate(piece, last=n == len(pieces) - 1)
        packed += [struct.pack("!II", len(piece), len(squeezed)), piece, squeezed]
    return b"".join(packed)


def unpack_page(blob: bytes) -> tuple[list[bytes], list[bytes]]:
    (count,) = struct.unpack_from("!I", blob)
    offset, raw, squeezed = 4, [], []
    for _ in range(count):
        plain, packed = struct.unpack_from("!II", blob, offset)
        offset += 8
        raw.append(blob[offset : offset + plain])
        offset += plain
        squeezed.append(blob[offset : offset + packed])
        offset += packed
    return raw, squeezed


def page_body(blob: bytes, token: str, gzip: bool) -> bytes:
    """The stored page with ``token`` in each hole: plain, or one gzip stream made of the stored
    compressed pieces and the token compressed once."""
    raw, squeezed = unpack_page(blob)
    filling = token.encode()
    if not gzip:
        return filling.join(raw)
    between = _deflate(filling, last=False) if len(raw) > 1 else b""
    crc = 0
    for n, piece in enumerate(raw):
        if n:
            crc = zlib.crc32(filling, crc)
        crc = zlib.crc32(piece, crc)
    size = sum(map(len, raw)) + len(filling) * (len(raw) - 1)
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return _GZIP_HEADER + between.join(squeezed) + trailer


def _accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            try:
                return not params or float(quality) > 0
            except ValueError:
                return False
    return False


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
    too: the flush never sees them. A counter whose every value the public pages do not show
    (stock taken, a code's uses; a statement run with ``TOLD``) is told by its service instead:
    ``stock_changed``, ``public_change``."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("page_cache_told"):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table and table not in PRIVATE_TABLES:
        state.session.info["public_changed"] = True


#: execution options of a statement whose service tells the page cache what it changed
TOLD = {"page_cache_told": True, "synchronize_session": False}


def public_change(session: Session) -> None:
    """Something the public pages show changed in ``session``'s transaction (for a statement
    run with ``TOLD``): every page is refreshed after the commit."""
    session.info["public_changed"] = True


def stock_changed(session: Session, product_id: int, availability_changed: bool) -> None:
    """Units or portions of a product were taken or given back in ``session``'s transaction
    (``catalog.stock``). Its own page says how many are left: that page is refreshed after the
    commit. The listings, cards and store pages show only whether it can be ordered: they are
    refreshed (the whole generation) only when that changed — it sold out, or came back."""
    session.info.setdefault("stock_changed", set()).add(product_id)
    if availability_changed:
        public_change(session)


@event.listens_for(Session, "after_commit")
def _bump_generation(session: Session) -> None:
    changed = session.info.pop("public_changed", False)
    stocks = session.info.pop("stock_changed", None)
    if not changed and not stocks:
        return
    try:
        client = _client()
    except RuntimeError:  # no application context: nothing is cached outside the app
        return
    if client is None:
        return
    try:
        if changed:  # every page, those of the products whose stock moved included
            client.incr(GENERATION_KEY)
            return
        with client.pipeline(transaction=False) as pipe:
            for product_id in sorted(stocks):
                pipe.incr(stock_key(product_id))
                pipe.expire(stock_key(product_id), STOCK_VERSION_SECONDS)
            pipe.execute()
    except Exception:  # noqa: BLE001 - a cache that is down must not fail a write
        current_app.logger.warning("page cache: could not raise the generation")


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop("public_changed", None)
    session.info.pop("stock_changed", None)


def _cacheable_visitor() -> bool:
    if request.method != "GET" or current_user.is_authenticated:
        return False
    if session.get("_flashes") or session.get("cart"):
        return False
    return True


def _read(app: Flask, path: str, stock: str | None = None) -> tuple[str, bytes | None] | None:
    """(the generation, with the ``stock`` version when the page shows one, and the page stored
    under them or None); None when Redis does not answer."""
    keys = [GENERATION_KEY, stock] if stock else [GENERATION_KEY]
    try:
        stamp, stored = app.extensions["page_cache_read"](keys=keys, args=[path])
    except Exception:  # noqa: BLE001 - without the cache, render as usual
        return None
    return stamp.decode() if isinstance(stamp, bytes) else str(stamp), stored


def _stock_of(view, args: dict | None) -> str | None:
    """The stock version key of the product a page shows how many are left of, if it does."""
    name = getattr(view, "page_stock_arg", None)
    if name is None or not args or args.get(name) is None:
        return None
    return stock_key(args[name])


def serve_early():
    """A before-request hook: a hit on a cached page is answered before its view is even
    dispatched; a miss leaves what it read for the view's wrapper (one Redis round trip
    either way)."""
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "page_cached", False) or _client() is None or not _cacheable_visitor():
        return None
    path = f"{get_locale()}:{request.full_path}"
    found = _already_read(path, _stock_of(view, request.view_args))
    if found is not None and found[1] is not None:
        return _serve(found[1])
    g.page_cache_read = (path, found)
    return None


def _already_read(path: str, stock: str | None) -> tuple[str, bytes | None] | None:
    """What AnonymousHits read for this request's path (a miss is not read twice), else a
    read now."""
    read = request.environ.pop("pkk.page_cache_read", None)
    if read is not None and read[0] == path:
        return read[1]
    return _read(current_app._get_current_object(), path, stock)


def cached_page(view=None, *, stock_of: str | None = None):
    """Serve ``view`` from the shared cache for anonymous visitors (see the module's doc); the
    view only reads, so it reads from the replica when one is configured. ``stock_of`` names
    the URL argument of the product whose units or portions left the page shows: the page is
    also refreshed when they move (``stock_changed``)."""
    if view is None:
        return lambda inner: cached_page(inner, stock_of=stock_of)
    view = reads_replica(view)

    @wraps(view)
    def wrapper(*args, **kwargs):
        # serve_early answered a hit; for a cacheable visitor's miss it left what it read
        read = g.pop("page_cache_read", None)
        if read is None or read[1] is None:  # not cacheable, or Redis did not answer
            return view(*args, **kwargs)
        path, (generation, _nothing) = read
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            # the token this page was rendered with, if it has a form that needs one (asking
            # for one here would start a session the page never needed)
            token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
            try:
                _client().set(
                    f"pkk:page:{generation}:{path}",
                    pack_page(body.replace(token, TOKEN_HOLE) if token else body),
                    ex=current_app.config["PAGE_CACHE_SECONDS"],
                )
            except Exception:  # noqa: BLE001
                current_app.logger.warning(
                    "page cache: could not store %s", request.path, exc_info=True
                )
            response.headers["X-Page-Cache"] = "miss"
        return response

    wrapper.page_cached = True
    wrapper.page_stock_arg = stock_of
    return wrapper


def _serve(stored: bytes):
    gzip = _accepts_gzip(request.headers.get("Accept-Encoding", ""))
    # a visitor's token only where the page has a form that needs one
    token = generate_csrf() if struct.unpack_from("!I", stored)[0] > 1 else ""
    response = make_response(page_body(stored, token, gzip))
    response.headers["X-Page-Cache"] = "hit"
    response.vary.add("Accept-Encoding")
    if gzip:
        response.headers["Content-Encoding"] = "gzip"  # Flask-Compress leaves it as it is
    return response


class AnonymousHits:
    """WSGI middleware: a GET that carries no cookie at all (a first visit, a crawler, a link
    preview) and whose page is cached without a token hole is answered here, before Flask
    builds a request, at about the cost of ``/healthz``. Such a visitor is anonymous, has no
    cart and no message, and sees the default language (the language is kept in the session),
    so the page is the one stored for everyone. Anything else — a cookie, an untrusted Host, a
    page not cached or with a form's token to fill — goes on to Flask, which reuses what was
    read here."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        answer = None
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("HTTP_COOKIE"):
            answer = self._hit(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        headers, body = answer
        start_response("200 OK", headers)
        return [body]

    def _hit(self, environ) -> tuple[list[tuple[str, str]], bytes] | None:
        app = self.app
        if app.extensions.get("page_cache") is None:
            return None
        try:
            get_host(environ, app.config.get("TRUSTED_HOSTS"))
            adapter = app.url_map.bind_to_environ(environ, server_name=app.config["SERVER_NAME"])
            endpoint, args = adapter.match()
        except Exception:  # noqa: BLE001 - an untrusted Host, no such page: Flask answers it
            return None
        view = app.view_functions.get(endpoint)
        if not getattr(view, "page_cached", False):
            return None
        request = Request(environ)
        path = f"{app.config['BABEL_DEFAULT_LOCALE']}:{request.full_path}"
        found = _read(app, path, _stock_of(view, args))
        environ["pkk.page_cache_read"] = (path, found)
        if found is None or found[1] is None or struct.unpack_from("!I", found[1])[0] > 1:
            return None
        gzip = _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        body = page_body(found[1], "", gzip)
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Page-Cache", "hit"),
            ("Vary", "Accept-Encoding, Cookie"),
            *([("Content-Encoding", "gzip")] if gzip else []),
            *security_headers_for(app.config),
            ("X-Request-ID", sane_request_id(environ.get("HTTP_X_REQUEST_ID", ""))),
        ]
        started = environ.get("pkk.started")
        if started is not None:
            REQUEST_SECONDS.labels(endpoint, "GET", "200").observe(time.perf_counter() - started)
        return headers, body
