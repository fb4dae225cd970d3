"""A listing's product cards as HTML, written in Python.

A page of 24 cards was a Jinja macro: about ten calls per card (links, words, price, stock) went
through Jinja's call machinery, which cost more than everything else the page did, the
database included. The markup is small and fixed, so this writes it directly; every value is
escaped, the words come from the catalogue as in a template, and the rules are the card's own
(``ProductRules``). Templates call it as ``product_cards(cards, today)`` (a global the catalog
blueprint registers); a card's look is in ``static/css/app.css`` as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from markupsafe import Markup, escape

from marketplace.catalog.cards import ProductCard
from marketplace.core.db import jakarta_today
from marketplace.core.locale import gettext as _
from marketplace.core.locale import ngettext
from marketplace.core.money import format_rupiah
from marketplace.core.templating import escape_text, url_maker


def product_cards(products: Iterable[ProductCard], today: date | None = None) -> Markup:
    """The ``<li>`` cards of ``products`` (for a ``<ul class="grid">``), their stock as of
    ``today`` (Asia/Jakarta; today by default)."""
    today = today or jakarta_today()
    photo_of = _("Foto %(name)s")
    regular = escape(_("Harga biasa"))
    halal = f'<span class="badge badge-halal">{escape(_("Halal"))}</span>'
    sold_out = f'<span class="badge badge-closed">{escape(_("Habis"))}</span>'
    lead: dict[int, str] = {}
    #: each store's line, escaped once (a store often has several cards on a page)
    stores: dict[str, str] = {}
    parts = []
    product_url = url_maker("catalog.product", product_id=987654321)
    store_url = url_maker("stores.storefront", slug="stand-in-store")
    photo_url = url_maker("main.media", name="stand/in.webp")
    for card in products:
        name = escape_text(card.name)
        if card.cover:
            src = escape_text(photo_url(card.cover.thumb))
            alt = escape_text(photo_of % {"name": card.name})
            image = f'<img src="{src}" alt="{alt}" width="400" height="300" loading="lazy">'
        else:
            image = '<div class="img-placeholder" aria-hidden="true">&#x1F37D;&#xFE0F;</div>'
        if card.on_sale():
            price = (
                f'<del class="muted" aria-label="{regular}">{format_rupiah(card.price)}</del> '
                f'<span class="price sale">{format_rupiah(card.sale_price)}</span>'
            )
        else:
            price = f'<span class="price">{format_rupiah(card.price)}</span>'
        badges = halal if card.is_halal else ""
        if not card.is_available(today):
            badges += sold_out
        if card.lead_days:
            words = lead.get(card.lead_days)
            if words is None:
                words = escape(ngettext("Pesan H-%(num)d", "Pesan H-%(num)d", card.lead_days))
                lead[card.lead_days] = words
            badges += f'<span class="badge">{words}</span>'
        rating = ""
        if card.rating_count:
            rating = (
                f'<p class="small"><span class="rating">★ {card.average_rating}</span> '
                f'<span class="muted">({card.rating_count})</span></p>'
            )
        store = card.store
        line = stores.get(store.slug)
        if line is None:
            area = escape_text(store.kelurahan.name) if store.kelurahan else ""
            line = stores[store.slug] = (
                f'<a href="{escape_text(store_url(store.slug))}">'
                f"{escape_text(store.name)}</a> · {area}"
            )
        parts.append(
            '<li class="card product-card">'
            f'<a href="{escape_text(product_url(card.id))}">'
            f"{image}<h3>{name}</h3></a>"
            f"<p>{price} {badges}</p>{rating}"
            f'<p class="muted small">{line}</p></li>'
        )
    return Markup("\n".join(parts))  # noqa: S704 - every value above is escaped
