"""Lists of store links written in Python (``stores.link_markup.store_links``) are the markup the
templates' loop wrote, names and slugs escaped, and the pages that list stores show them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from marketplace.stores.link_markup import store_links
from marketplace.stores.refs import StoreRef

#: the loops the kelurahan page, the search page and the home page had
LOOP = (
    "{% for s in stores %}<li><a href=\"{{ url_for('stores.storefront', slug=s.slug) }}\">"
    '{{ s.name }}</a>{% if with_area %} <span class="muted">· {{ s.kelurahan.name }}</span>'
    "{% endif %}</li>{% endfor %}"
)


def _refs() -> list[StoreRef]:
    area = SimpleNamespace(name="Uwung Jaya <Cibodas>")
    return [
        StoreRef('Sate & Gule "Pak Kumis" <b>\'s</b>', "sate-gule", area),
        StoreRef("Warung Bu Rini", "warung-bu-rini", None),
        StoreRef("Kedai Kopi", "kedai kopi/2?x=1#a", area),  # a slug a path must escape
        StoreRef("Dapur 99", "dapur-99", area),
    ]


@pytest.mark.parametrize("with_area", [False, True])
def test_store_links_are_the_templates_markup(app, with_area):
    with app.test_request_context("/"):
        wanted = render_template_string(LOOP, stores=_refs(), with_area=with_area)
        got = str(store_links(_refs(), with_area=with_area))
    assert got == wanted
    assert "&lt;b&gt;" in got
    assert "<b>" not in got
    assert "&lt;Cibodas&gt;" in got or not with_area
    assert str(store_links([])) == ""


def test_pages_that_list_stores_link_them(client, create_store, create_product):
    store = create_store(name="Bakso <Malang> & Co")
    create_product(store, name="Bakso Urat")
    area = store.kelurahan.slug
    for url in (f"/kelurahan/{area}", "/cari?q=bakso", "/"):
        page = client.get(url).get_data(as_text=True)
        assert f'<a href="/toko/{store.slug}">Bakso &lt;Malang&gt; &amp; Co</a>' in page, url
