"""Login and sign-up are rate-limited: in memory by default, in Redis when REDIS_URL is set."""

import pytest
import redis
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from marketplace.config import load_config
from marketplace.extensions import limiter
from tests.conftest import REDIS_URL, missing_service


@pytest.fixture
def low_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "3 per minute")
    limiter.reset()
    yield
    limiter.reset()


def hammer(client, times=4):
    return [
        client.post(
            "/akun/masuk", data={"login": "081299998888", "password": "salah-salah"}
        ).status_code
        for _ in range(times)
    ]


@pytest.mark.usefixtures("low_limit")
def test_login_is_rate_limited_in_memory(client):
    codes = hammer(client)
    assert codes[:3] == [400, 400, 400]
    assert codes[3] == 429
    response = client.post("/akun/masuk", data={"login": "x", "password": "y"})
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)


@pytest.mark.usefixtures("low_limit")
def test_signup_is_rate_limited(client):
    codes = [client.post("/akun/daftar", data={"name": ""}).status_code for _ in range(4)]
    assert codes[-1] == 429


def test_redis_url_selects_redis_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert load_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    monkeypatch.delenv("REDIS_URL")
    assert load_config()["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.fixture
def redis_storage():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        missing_service(f"Redis is not reachable at {REDIS_URL}: {exc}")
    storage = storage_from_string(REDIS_URL)
    storage.reset()
    yield storage
    storage.reset()


@pytest.mark.usefixtures("low_limit")
def test_login_is_rate_limited_with_redis(client, redis_storage, monkeypatch):
    monkeypatch.setattr(limiter, "_storage", redis_storage)
    monkeypatch.setattr(limiter, "_limiter", FixedWindowRateLimiter(redis_storage))
    assert hammer(client)[-1] == 429
    keys = redis.Redis.from_url(REDIS_URL).keys("LIMITS*")
    assert keys, "the counters must live in Redis"
