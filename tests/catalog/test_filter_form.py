"""A listing's filter form is rendered once per language, checkboxes and order
(``catalog.filter_form``): what each visitor typed and chose is put in on each page, escaped,
and never shows on another's."""

from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.areas.models import Kelurahan
from marketplace.catalog.models import Category
from marketplace.extensions import db


def form(page: str) -> str:
    return page.split('<details class="filters"', 1)[1].split("</details>", 1)[0]


def selected(page: str, name: str) -> list[str]:
    """The values of the options marked selected in the list ``name`` of the form."""
    lists = re.search(rf'<select name="{name}">(.*?)</select>', form(page), re.S)
    if not lists:
        return None
    options = re.findall(r"<option ([^>]*)>", lists.group(1))
    return [
        re.search(r'value="([^"]*)"', option).group(1)
        for option in options
        if re.search(r"\bselected\b", option)
    ]


def field(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', form(page))
    return found.group(1) if found else None


def test_each_page_s_form_says_what_its_visitor_chose(client):
    uwung = db.session.scalar(select(Kelurahan).where(Kelurahan.name == "Uwung Jaya"))
    cibodas = db.session.scalar(select(Kelurahan).where(Kelurahan.name == "Cibodasari"))
    heavy = db.session.scalar(select(Category).where(Category.slug == "makanan-berat"))
    chosen = client.get(
        "/cari",
        query_string={
            "q": 'sate "><b>',
            "kelurahan": uwung.id,
            "dekat": cibodas.id,
            "kategori": heavy.id,
            "min": "<i>5rb",
            "max": "40.000",
            "halal": "1",
            "urut": "price_asc",
        },
    ).get_data(as_text=True)
    assert 'class="filters" open' in chosen
    assert field(chosen, "q") == "sate &#34;&gt;&lt;b&gt;"
    assert (field(chosen, "min"), field(chosen, "max")) == ("&lt;i&gt;5rb", "40.000")
    assert selected(chosen, "kelurahan") == [str(uwung.id)]
    assert selected(chosen, "dekat") == [str(cibodas.id)]
    assert selected(chosen, "kategori") == [str(heavy.id)]
    assert selected(chosen, "urut") == ["price_asc"]
    assert re.search(r'name="halal" value="1" checked', chosen)
    assert not re.search(r'name="buka" value="1" checked', chosen)
    assert "<b>" not in form(chosen)
    assert "<i>" not in form(chosen)
    # the next visitor, with another search and nothing chosen, sees nothing of the first's
    plain = client.get("/cari?q=nasi").get_data(as_text=True)
    assert 'class="filters" open' in plain  # a query string: open, as before
    assert field(plain, "q") == "nasi"
    assert (field(plain, "min"), field(plain, "max")) == ("", "")
    assert selected(plain, "kelurahan") == selected(plain, "dekat") == []
    assert selected(plain, "urut") == ["relevance"]
    assert "checked" not in form(plain)
    # a listing: no words kept, no "near me", no order by relevance; closed without a query
    listing = client.get("/produk").get_data(as_text=True)
    assert 'class="filters" >' in listing
    assert field(listing, "q") is None
    assert selected(listing, "dekat") is None
    assert 'value="relevance"' not in form(listing)
    # a category's page has no list of categories; an order nobody offers is the default
    page = client.get("/kategori/makanan-berat?urut=hack&buka=1").get_data(as_text=True)
    assert selected(page, "kategori") is None
    assert selected(page, "urut") == []
    assert re.search(r'name="buka" value="1" checked', page)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    english = client.get("/cari?q=nasi&kelurahan=" + str(uwung.id)).get_data(as_text=True)
    assert "Filter and sort" in form(english)
    assert selected(english, "kelurahan") == [str(uwung.id)]
