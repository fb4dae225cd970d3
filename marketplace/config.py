"""Configuration read from the environment.

Development defaults work out of the box (SQLite under ``instance/``); production refuses to
start with the default secret key.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - the marker production refuses


class ConfigError(RuntimeError):
    """The configuration cannot run in this environment."""


def _instance_path() -> Path:
    return Path(
        os.environ.get("INSTANCE_PATH", Path(__file__).resolve().parent.parent / "instance")
    )


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'marketplace.sqlite3'}"
    return psycopg_url(url)


def psycopg_url(url: str) -> str:
    """Heroku-style URLs name the old driver; we use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config() -> dict:
    """Build the configuration mapping from environment variables."""
    instance = _instance_path()
    env = os.environ.get("APP_ENV", os.environ.get("FLASK_ENV", "development"))
    return {
        # Pages and static files are compressed for phones on mobile data. A page's one secret,
        # the CSRF token, is signed with a timestamp and so changes every second: a BREACH-style
        # guess by length has nothing stable to converge on.
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
            "application/manifest+json",
        ],
        #: brotli's quality 1 with a 256 KB window, not Flask-Compress's 4 with 4 MB: a search
        #: page of 25 KB compresses in ~0.06 ms instead of ~0.15 ms at quality 2 and ~0.3 ms at
        #: 4, to 4.7 KB instead of 4.3 KB and 4.1 KB (the bigger window only costs its setting up
        #: on pages this size). The page cache stores its pages compressed once: this is for the
        #: rest, every page made afresh.
        "COMPRESS_BR_LEVEL": 1,
        "COMPRESS_BR_WINDOW": 18,
        #: Flask-Compress makes every answer it compresses conditional again (for the ETag it
        #: marks with the encoding): 0.15 ms a page, spent on pages that have no ETag. The
        #: answers that do (photos) are not compressed and make themselves conditional; static
        #: files carry their version in their URL and are cached for a year (nginx serves them)
        "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        #: no pool_pre_ping: a PostgreSQL connection is checked without a round trip
        #: (core.postgresql); SQLite's file does not go away
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        #: PostgreSQL connections per process (gunicorn worker, Celery worker): the pool and what
        #: may open beyond it for a burst; size them so that instances x workers x (pool +
        #: overflow) stays under the server's max_connections (or use PgBouncer: DATABASE_POOLER)
        "DATABASE_POOL_SIZE": int(os.environ.get("DATABASE_POOL_SIZE", "5")),
        "DATABASE_MAX_OVERFLOW": int(os.environ.get("DATABASE_MAX_OVERFLOW", "5")),
        #: "transaction" when DATABASE_URL is a pooler that hands each transaction to any of its
        #: server connections (PgBouncer's pool_mode = transaction): no statement is prepared on
        #: the server, and no setting is sent at connection (``flask database-settings`` sets
        #: them on the database instead); "" (the default) for PostgreSQL itself or a pooler in
        #: session mode
        "DATABASE_POOLER": os.environ.get("DATABASE_POOLER", ""),
        #: a statement running longer is cancelled and the visitor gets "server busy" (0 = never)
        "DATABASE_STATEMENT_TIMEOUT_MS": int(
            os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "10000")
        ),
        #: a PostgreSQL replica for the public pages' reads (see marketplace/core/replica.py)
        "DATABASE_REPLICA_URL": os.environ.get("DATABASE_REPLICA_URL", ""),
        #: a scraper elsewhere than on the machine sends "Authorization: Bearer <token>"
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        #: PostgreSQL's parallel workers per query: many short queries at once do better without
        "DATABASE_PARALLEL_WORKERS": int(os.environ.get("DATABASE_PARALLEL_WORKERS", "0")),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        #: "folder" (UPLOAD_FOLDER, the default) or "s3" (an S3-compatible bucket shared by
        #: every app server; credentials from the usual AWS_* variables or the instance role)
        "UPLOAD_STORAGE": os.environ.get("UPLOAD_STORAGE", "folder"),
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "S3_REGION": os.environ.get("S3_REGION", ""),
        # A phone photo is up to ~12 MB; the form body adds a little.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "13")) * 1024 * 1024,
        "MAX_IMAGE_PIXELS": int(os.environ.get("MAX_IMAGE_PIXELS", str(50_000_000))),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ["id", "en"],
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # the shared cache of anonymous public pages (marketplace/core/pagecache.py); empty = off
        "PAGE_CACHE_URL": os.environ.get("PAGE_CACHE_URL", os.environ.get("REDIS_URL", "")),
        "PAGE_CACHE_SECONDS": int(os.environ.get("PAGE_CACHE_SECONDS", "60")),
        #: how long each process keeps its copy of the categories and kelurahan (0 = off)
        "REFERENCE_CACHE_SECONDS": int(os.environ.get("REFERENCE_CACHE_SECONDS", "60")),
        #: "json" (one JSON object per line, production's default) or "text"
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json" if env == "production" else "text"),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "AUTH_RATE_LIMIT": os.environ.get("AUTH_RATE_LIMIT", "10 per minute"),
        "ASPIRATION_RATE_LIMIT": os.environ.get("ASPIRATION_RATE_LIMIT", "5 per hour"),
        #: the platform's fee on card payments, in hundredths of a percent (250 = 2,5%)
        "PLATFORM_FEE_BASIS_POINTS": int(os.environ.get("PLATFORM_FEE_BASIS_POINTS", "0")),
        #: writing reviews, replies and review reports
        "REVIEW_RATE_LIMIT": os.environ.get("REVIEW_RATE_LIMIT", "10 per hour"),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Pasar Kampung Kuliner <noreply@localhost>"),
        #: "off" for a local relay that does not speak STARTTLS
        "MAIL_STARTTLS": os.environ.get("MAIL_STARTTLS", "on").lower() != "off",
        #: WhatsApp Business Cloud API (optional): without both, click-to-chat links only
        "WHATSAPP_PHONE_NUMBER_ID": os.environ.get("WHATSAPP_PHONE_NUMBER_ID", ""),
        "WHATSAPP_TOKEN": os.environ.get("WHATSAPP_TOKEN", ""),
        "WHATSAPP_API_BASE": os.environ.get(
            "WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0"
        ),
        #: Web Push (VAPID); without keys, development makes a pair under instance/vapid.json
        #: (`flask push keys` prints a pair for production)
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY", ""),
        "VAPID_PUBLIC_KEY": os.environ.get("VAPID_PUBLIC_KEY", ""),
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost"),
        #: the push services a subscription may point at (the browsers' vendors; a host and its
        #: subdomains): the server posts to these only
        "PUSH_SERVICE_HOSTS": [
            host.strip()
            for host in os.environ.get(
                "PUSH_SERVICE_HOSTS",
                "fcm.googleapis.com,updates.push.services.mozilla.com,notify.windows.com,"
                "push.apple.com",
            ).split(",")
            if host.strip()
        ],
        #: the Celery broker (redis://…, amqp://…, sqla+sqlite:///…); empty runs each task in
        #: the web process right after the commit that asked for it (tests, simple setups)
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", ""),
        #: how often beat runs the periodic tasks, seconds
        "SWEEP_SECONDS": int(os.environ.get("SWEEP_SECONDS", "60")),
        "OUTBOX_FLUSH_SECONDS": int(os.environ.get("OUTBOX_FLUSH_SECONDS", "60")),
        "RECONCILE_SECONDS": int(os.environ.get("RECONCILE_SECONDS", "600")),
        #: the outbox's first wait after a failed delivery (doubling after each failure)
        "OUTBOX_FIRST_RETRY_SECONDS": int(os.environ.get("OUTBOX_FIRST_RETRY_SECONDS", "30")),
        #: a message its after-commit task has not taken in this long is sent by the flush
        "OUTBOX_STRANDED_SECONDS": int(os.environ.get("OUTBOX_STRANDED_SECONDS", "30")),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        #: "off" runs the marketplace with cash payments only (no Stripe account needed)
        "CARD_PAYMENTS": os.environ.get("CARD_PAYMENTS", "on").lower() != "off",
        #: a local Stripe server (localstripe) for development and tests, e.g. http://127.0.0.1:8420
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        #: where the browser loads Stripe.js (localstripe serves a stand-in at /js.stripe.com/v3/)
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        #: Stripe's minimum charge for a currency it does not list is about US$0.50; Rp10.000
        #: stays above it whatever the exchange rate does.
        "STRIPE_MIN_CHARGE_IDR": int(os.environ.get("STRIPE_MIN_CHARGE_IDR", "10000")),
        #: the largest order total accepted, whole Rupiah (a kampung kitchen's biggest catering
        #: order, far below what the database and Stripe can carry)
        "MAX_ORDER_TOTAL": int(os.environ.get("MAX_ORDER_TOTAL", "50000000")),
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "24")),
        #: the site's public address: every link that leaves the site is built on it, never on
        #: the Host a request names (production requires it, https)
        "BASE_URL": os.environ.get(
            "BASE_URL", "" if env == "production" else "http://127.0.0.1:5000"
        ),
        #: Host headers answered (Flask refuses others with 400); in production the host of
        #: BASE_URL plus these (comma-separated, e.g. an internal health-check name)
        "TRUSTED_HOSTS_EXTRA": _words(os.environ.get("TRUSTED_HOSTS", "")),
        #: reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
        #: (rate limits and session protection then see the client's address)
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "1" if env == "production" else "0")),
        #: Strict-Transport-Security max-age in production (seconds; 0 = not sent)
        "HSTS_MAX_AGE": int(os.environ.get("HSTS_MAX_AGE", "31536000")),
        #: a new order the seller leaves unanswered this long is rejected by the sweep
        "ORDER_ACCEPT_TIMEOUT_MINUTES": int(os.environ.get("ORDER_ACCEPT_TIMEOUT_MINUTES", "60")),
        #: an unpaid card order expires after this many minutes
        "PAYMENT_TIMEOUT_MINUTES": int(os.environ.get("PAYMENT_TIMEOUT_MINUTES", "30")),
        #: a QRIS or transfer order the seller has not confirmed paid expires after this long
        "MANUAL_PAYMENT_MINUTES": int(os.environ.get("MANUAL_PAYMENT_MINUTES", "60")),
        #: once the buyer says they paid, the seller has at least this long to check
        "PAYMENT_CLAIM_GRACE_MINUTES": int(os.environ.get("PAYMENT_CLAIM_GRACE_MINUTES", "120")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def trusted_hosts(config: dict) -> list[str] | None:
    """The Host headers production answers: BASE_URL's host and the extra ones; None (any)
    elsewhere."""
    if config.get("ENV_NAME") != "production":
        return config.get("TRUSTED_HOSTS")
    host = urlsplit(config.get("BASE_URL", "")).hostname
    return [h for h in (host, *config.get("TRUSTED_HOSTS_EXTRA", [])) if h]


def check_production(config: dict) -> None:
    """Refuse to run production with development defaults."""
    if config.get("ENV_NAME") != "production":
        return
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise ConfigError("SECRET_KEY must be set to a real secret in production.")
    if len(config["SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production.")
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        raise ConfigError("DATABASE_URL must point at PostgreSQL in production.")
    base = urlsplit(config.get("BASE_URL") or "")
    if base.scheme != "https" or not base.hostname:
        raise ConfigError(
            "BASE_URL must be the site's public https address in production "
            "(links in mail, WhatsApp and feeds are built on it)."
        )
    if config.get("UPLOAD_STORAGE") not in ("folder", "s3"):
        raise ConfigError('UPLOAD_STORAGE must be "folder" or "s3".')
    if config.get("UPLOAD_STORAGE") == "s3" and not config.get("S3_BUCKET"):
        raise ConfigError("UPLOAD_STORAGE=s3 needs S3_BUCKET.")
    if not config.get("CELERY_BROKER_URL"):
        # without a broker, mail and pushes would be sent inside web requests
        raise ConfigError("CELERY_BROKER_URL must name the job broker (Redis or RabbitMQ).")
    if not (config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY")):
        # every app server must sign pushes with the same key
        raise ConfigError(
            "VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY must be set in production "
            "(`flask push keys` prints a pair)."
        )
    if config.get("CARD_PAYMENTS", True):
        missing = [
            key
            for key in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
            if not config.get(key)
        ]
        if missing or config.get("STRIPE_API_BASE"):
            raise ConfigError(
                "Card payments need real Stripe keys in production "
                f"({', '.join(missing) or 'STRIPE_API_BASE must be empty'}); "
                "set CARD_PAYMENTS=off to run with cash only."
            )


def engine_options(config: dict) -> dict:
    """SQLAlchemy engine options for the configured database: on PostgreSQL a sized pool and
    per-connection settings (statement timeout, parallel workers)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return options
    options.setdefault("pool_size", config["DATABASE_POOL_SIZE"])
    options.setdefault("max_overflow", config["DATABASE_MAX_OVERFLOW"])
    options.setdefault("pool_recycle", 1800)
    # the connection given back last is the next one taken: the few a worker uses in turn keep
    # the statements psycopg prepared on them warm (first in, first out spread them over every
    # connection a burst opened, each preparing the same statements again)
    options.setdefault("pool_use_lifo", True)
    connect_args = dict(options.get("connect_args") or {})
    pooler = config.get("DATABASE_POOLER", "")
    if pooler not in POOLERS:
        raise ConfigError(
            'DATABASE_POOLER must be "" (none, or a pooler in session mode) or "transaction".'
        )
    if pooler == "transaction":
        # each transaction may run on another server connection: a statement psycopg prepared
        # on one is unknown on the next ("prepared statement _pg3_0 does not exist", or
        # "already exists" on a connection another client prepared it on), and PgBouncer
        # refuses a connection's startup "options" (up to 1.20) or drops them
        connect_args.setdefault("prepare_threshold", None)
    else:
        settings = " ".join(f"-c {name}={value}" for name, value in database_settings(config))
        connect_args.setdefault("options", settings)
    options["connect_args"] = connect_args
    return options


#: DATABASE_POOLER's values: none (or a pooler in session mode), a pooler in transaction mode
POOLERS = ("", "transaction")


def database_settings(config: dict) -> list[tuple[str, str]]:
    """The PostgreSQL settings this app's connections need, as (name, value): sent with each
    connection (its startup ``options``), or set on the database by ``flask database-settings``
    where a pooler cannot pass them on (DATABASE_POOLER=transaction)."""
    from marketplace.catalog.search import connection_settings

    return [
        ("statement_timeout", str(int(config["DATABASE_STATEMENT_TIMEOUT_MS"]))),
        ("max_parallel_workers_per_gather", str(int(config["DATABASE_PARALLEL_WORKERS"]))),
        *connection_settings().items(),
    ]


def database_binds(config: dict) -> dict:
    """SQLALCHEMY_BINDS: the replica, with the same pool and settings, when configured."""
    binds = dict(config.get("SQLALCHEMY_BINDS") or {})
    url = config.get("DATABASE_REPLICA_URL")
    if url:
        url = psycopg_url(url)
        binds["replica"] = {
            "url": url,
            **engine_options({**config, "SQLALCHEMY_DATABASE_URI": url}),
        }
    return binds
