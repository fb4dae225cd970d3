"""Configuration, the production guard, the 500 page and the CLI commands."""

import pytest

from marketplace import create_app
from marketplace.config import ConfigError, load_config
from tests.conftest import VAPID, missing_service


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert load_config()["SQLALCHEMY_DATABASE_URI"].endswith("instance/marketplace.sqlite3")


def test_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/x")
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/x"


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/x")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="32"):
        create_app()


def test_production_refuses_sqlite(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_app()


def test_production_starts_with_real_settings(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1/never-connected")
    monkeypatch.delenv("BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="BASE_URL"):
        create_app()
    monkeypatch.setenv("BASE_URL", "http://pasar.example")
    with pytest.raises(ConfigError, match="https"):
        create_app()
    monkeypatch.setenv("BASE_URL", "https://pasar.example")
    with pytest.raises(ConfigError, match="CELERY_BROKER_URL"):
        create_app()
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
    with pytest.raises(ConfigError, match="VAPID"):
        create_app()
    monkeypatch.setenv("VAPID_PRIVATE_KEY", VAPID[0])
    monkeypatch.setenv("VAPID_PUBLIC_KEY", VAPID[1])
    with pytest.raises(ConfigError, match="Stripe keys"):
        create_app()
    for key in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.setenv(key, f"{key.lower()}_live")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_may_run_cash_only(production_app):
    with production_app.app_context():
        from marketplace.payments.stripe_client import is_configured

        assert not is_configured()


def test_unexpected_errors_get_a_friendly_500_page(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Maaf, ada gangguan di server" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)


def test_create_city_admin_command(app):
    from sqlalchemy import select

    from marketplace.accounts.models import Role, User
    from marketplace.extensions import db

    result = app.test_cli_runner().invoke(
        args=[
            "create-city-admin",
            "--name",
            "Diskominfo",
            "--phone",
            "0811-2222-3333",
            "--password",
            "rahasia-kota-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.phone == "6281122223333"))
    assert user.role == Role.CITY_ADMIN
    result = app.test_cli_runner().invoke(
        args=[
            "create-city-admin",
            "--name",
            "Lagi",
            "--phone",
            "0811-2222-3333",
            "--password",
            "rahasia-kota-1",
        ]
    )
    assert result.exit_code != 0
    assert "sudah terdaftar" in result.output


@pytest.fixture
def production_app(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("BASE_URL", "https://pasar.example")
    monkeypatch.setenv("TRUSTED_HOSTS", "app-health.internal")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1/never-connected")
    monkeypatch.setenv("CARD_PAYMENTS", "off")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
    monkeypatch.setenv("VAPID_PRIVATE_KEY", VAPID[0])
    monkeypatch.setenv("VAPID_PUBLIC_KEY", VAPID[1])
    return create_app()


def test_production_answers_only_its_own_host_over_https(production_app):
    client = production_app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    answer = client.get("/healthz", headers={"Host": "pasar.example"})
    assert answer.status_code == 200
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz", headers={"Host": "app-health.internal"}).status_code == 200


def test_behind_the_proxy_the_client_address_is_the_visitors(production_app):
    from flask import request

    seen = {}

    @production_app.route("/_alamat")
    def address():
        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    production_app.test_client().get(
        "/_alamat",
        headers={
            "Host": "pasar.example",
            "X-Forwarded-For": "36.72.1.9",
            "X-Forwarded-Proto": "https",
        },
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert seen == {"addr": "36.72.1.9", "scheme": "https"}


def test_readiness_names_what_does_not_answer(app, client):
    assert client.get("/readyz").get_json() == {"status": "ok", "checks": {"database": "ok"}}
    saved = {key: app.config.get(key) for key in ("REDIS_URL", "CELERY_BROKER_URL")}
    app.config.update(
        REDIS_URL="redis://127.0.0.1:1/0", CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:1//"
    )
    try:
        answer = client.get("/readyz")
    finally:
        app.config.update(saved)
    assert answer.status_code == 503
    checks = answer.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] != "ok"
    assert checks["broker"] != "ok"
    assert client.get("/healthz").status_code == 200


def test_readiness_with_a_redis_that_answers(app, client):
    import redis

    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError as error:
        missing_service(f"Redis is not reachable at {url}: {error}")
    saved = app.config.get("REDIS_URL")
    app.config.update(REDIS_URL=url)
    try:
        answer = client.get("/readyz")
    finally:
        app.config.update(REDIS_URL=saved)
    assert answer.status_code == 200
    assert answer.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_the_wsgi_entry_point_freezes_what_the_app_is_made_of(tmp_path):
    """gunicorn's workers load wsgi.py: what it built is set aside from the garbage collector
    (gc.freeze), so that full collections do not walk the app on every thousandth page."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    probe = "import gc, wsgi; print(gc.get_freeze_count() > 100000, wsgi.app.name)"
    done = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", probe],
        cwd=root,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "marketplace"]
