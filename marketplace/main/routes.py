from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
)

from marketplace.catalog.services import (
    BrowseFilters,
    browse_products,
    category_refs,
    latest_stores,
)
from marketplace.core.pagecache import cached_page
from marketplace.core.web import browser_guarded, current_uploads, image_response, safe_next
from marketplace.extensions import db
from marketplace.kim.announcements import latest_cards
from marketplace.kim.featured import current_featured
from marketplace.kim.forms import ALL_KINDS

bp = Blueprint("main", __name__)


@bp.route("/")
@cached_page
def home():
    latest = browse_products(BrowseFilters(available=True), page=1, per_page=8, count=False)
    stores = latest_stores(6)
    return render_template(
        "main/home.html",
        products=latest.items,
        stores=stores,
        categories=category_refs(),
        featured=current_featured(),
        announcements=latest_cards(limit=3),
        announcement_kinds=ALL_KINDS,
    )


@bp.route("/_komponen")
def components():
    """Every piece of the design system on one page, to check a change at a glance
    (development and tests only: production answers 404)."""
    if current_app.config["ENV_NAME"] == "production":
        abort(404)
    return render_template("main/components.html")


@bp.route("/bahasa", methods=["POST"])
@browser_guarded  # the footer's form on every public page
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next("/"))


@bp.route("/media/<path:name>")
def media(name: str):
    return image_response(current_uploads(), name)


@bp.route("/healthz")
def health():
    """Liveness: the process answers (nothing else is asked, so a slow database does not get
    every worker restarted)."""
    return {"status": "ok"}


@bp.route("/readyz")
def ready():
    """Readiness: the database, and the Redis and the job broker this instance is configured
    with, answer now; 503 with the failing part named otherwise (a load balancer takes the
    instance out of rotation)."""
    checks = readiness_checks()
    failing = {name: error for name, error in checks.items() if error}
    body = {
        "status": "fail" if failing else "ok",
        "checks": {k: v or "ok" for k, v in checks.items()},
    }
    return body, 503 if failing else 200


def readiness_checks() -> dict[str, str]:
    """Each dependency: '' when it answered, the error's class name otherwise."""
    from sqlalchemy import text

    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = ""
    except Exception as error:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        checks["database"] = type(error).__name__
    for name, url in (
        ("redis", current_app.config.get("REDIS_URL")),
        ("broker", current_app.config.get("CELERY_BROKER_URL")),
    ):
        if not url:
            continue
        checks[name] = _ping(url)
    return checks


def _ping(url: str) -> str:
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        elif url.startswith("amqp://"):
            from kombu import Connection

            with Connection(url, connect_timeout=1) as connection:
                connection.ensure_connection(max_retries=1)
        return ""
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return type(error).__name__


@bp.route("/robots.txt")
def robots():
    """Search engines may read the market, not the back office or people's accounts."""
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in PRIVATE_PATHS), ""]
    return current_app.response_class("\n".join(lines), mimetype="text/plain")


PRIVATE_PATHS = ("/akun/", "/toko-saya", "/kim/", "/admin/", "/keranjang", "/pesanan", "/_komponen")
