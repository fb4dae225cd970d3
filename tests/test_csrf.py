"""Every state-changing route refuses a request without a valid CSRF token."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from marketplace.accounts.models import User
from marketplace.extensions import db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: the routes posted without a token: Stripe's webhook, which checks Stripe's signature, and the
#: two forms of the shared public pages, the language switch and "add to cart", which the
#: browser's Fetch Metadata guards (core.web.browser_guarded; tests/test_pages.py)
EXEMPT = {"payments.webhook", "main.set_language", "orders.add"}


def _url_for_rule(rule) -> str:
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else "x"
        for name, converter in rule._converters.items()
    }
    return rule.build(values)[1]


def state_changing_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.methods & STATE_CHANGING and rule.endpoint not in EXEMPT
    ]


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.mark.usefixtures("csrf_on")
def test_every_state_changing_route_requires_a_token(app, client, count_rows):
    rules = state_changing_rules(app)
    assert len(rules) >= 25, "the walk must see the app's forms"
    before = count_rows(User)
    for rule in rules:
        url = _url_for_rule(rule)
        for method in sorted(rule.methods & STATE_CHANGING):
            response = client.open(url, method=method, data={"csrf_token": "forged", "name": "x"})
            assert response.status_code == 400, f"{method} {url} answered {response.status_code}"
            assert "kedaluwarsa" in response.get_data(as_text=True)
    assert count_rows(User) == before


@pytest.mark.usefixtures("csrf_on")
def test_a_valid_token_is_accepted(client):
    page = client.get("/akun/daftar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/akun/daftar",
        data={
            "csrf_token": token,
            "name": "Ani",
            "phone": "081377776666",
            "password": "rahasia123",
        },
    )
    assert response.status_code == 302
    assert db.session.query(User).filter_by(phone="6281377776666").count() == 1


def test_only_the_signed_webhook_and_the_public_pages_forms_are_exempt(app):
    exempt = {f"{view.__module__}.{view.__name__}" for view in app.view_functions.values()} & set(
        app.extensions["csrf"]._exempt_views
    )
    assert exempt == {
        "marketplace.payments.routes.webhook",
        "marketplace.main.routes.set_language",
        "marketplace.orders.routes.add",
    }
