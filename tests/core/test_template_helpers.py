"""The templates' gettext and url_for keep what they found, and stay exact."""

import os

from flask import render_template_string, url_for
from flask_babel import force_locale, refresh

from marketplace.core import templating


def _render(source: str, **context) -> str:
    return render_template_string(source, **context)


def test_gettext_follows_the_locale_in_force(app):
    with app.test_request_context("/"):
        page = '{{ _("Semua produk") }}|{{ ngettext("%(num)d produk", "%(num)d produk", 2) }}'
        assert _render(page) == "Semua produk|2 produk"
        with force_locale("en"):
            assert _render(page) == "All products|2 products"
        assert _render(page) == "Semua produk|2 produk"
        with force_locale("en"):
            refresh()  # drops the locale: the next call finds it again (still English)
            assert _render(page).startswith("All products")


def test_gettext_escapes_values_and_reads_percent_signs(app):
    with app.test_request_context("/"):
        assert _render('{{ _("Foto %(name)s", name=name) }}', name="<b>Nasi</b>") == (
            "Foto &lt;b&gt;Nasi&lt;/b&gt;"
        )
        # new-style gettext is always a format string, as Jinja's own
        assert _render('{{ _("100%% halal") }}') == "100% halal"
        assert _render("{% trans n=3 %}{{ n }} toko{% endtrans %}") == "3 toko"


def test_template_url_for_builds_what_url_for_builds(app):
    with app.test_request_context("/"):
        app.extensions.pop("pkk_url_memo", None)
        for _ in range(2):  # built, then remembered
            assert _render("{{ url_for('catalog.product', product_id=7) }}") == url_for(
                "catalog.product", product_id=7
            )
            assert _render("{{ url_for('catalog.browse', page=1) }}") == "/produk?page=1"
            assert _render("{{ url_for('catalog.browse', page=True) }}") == "/produk?page=True"
            assert _render("{{ url_for('catalog.browse', _anchor='x') }}") == "/produk#x"
            assert _render("{{ url_for('catalog.browse', _external=True) }}").startswith("http")
            assert _render("{{ url_for('catalog.browse', kelurahan=[1, 2]) }}") == (
                "/produk?kelurahan=1&amp;kelurahan=2"
            )
    with app.test_request_context("/", base_url="http://localhost/pasar/"):
        assert _render("{{ url_for('catalog.browse', page=1) }}") == "/pasar/produk?page=1"


def test_template_url_for_memo_is_bounded(app, monkeypatch):
    monkeypatch.setattr(templating, "URL_MEMO_SIZE", 3)
    with app.test_request_context("/"):
        app.extensions.pop("pkk_url_memo", None)
        for product_id in range(10):
            assert (
                _render("{{ url_for('catalog.product', product_id=i) }}", i=product_id)
                == f"/produk/{product_id}"
            )
        assert len(app.extensions["pkk_url_memo"]) <= 3


def test_static_urls_carry_the_files_version_and_follow_a_changed_file(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setattr(templating, "_VERSIONS", {})
    clock = [1000.0]
    monkeypatch.setattr(templating.time, "monotonic", lambda: clock[0])
    (tmp_path / "app.css").write_text("body{}")
    page = "{{ url_for('static', filename='app.css') }}"
    with app.test_request_context("/"):
        first = _render(page)
        assert first == url_for("static", filename="app.css")
        assert first.startswith("/static/app.css?v=")
        assert _render(page) == first  # remembered
        assert _render("{{ url_for('static', filename='missing.css') }}") == ("/static/missing.css")
        # a deploy changes the file: within the recheck interval the version stands, after it
        # the page names the new content
        (tmp_path / "app.css").write_text("body{color:red}")
        os.utime(tmp_path / "app.css", (2_000_000_000, 2_000_000_000))
        assert _render(page) == first
        clock[0] += templating.STATIC_RECHECK_SECONDS
        second = _render(page)
        assert second != first
        assert second == url_for("static", filename="app.css")
        assert second.startswith("/static/app.css?v=")


def test_icons_use_the_versioned_sprite_and_escape_their_name(app):
    with app.test_request_context("/"):
        sprite = url_for("static", filename="img/icons.svg")
        assert "?v=" in sprite
        html = render_template_string('{{ icon("cart") }}|{{ icon(name) }}', name='x"><b>')
    cart, hostile = html.split("|")
    assert cart == (
        '<svg class="icon" width="24" height="24" aria-hidden="true" focusable="false">'
        f'<use href="{sprite}#i-cart"/></svg>'
    )
    assert "<b>" not in hostile
    assert "&#34;&gt;&lt;b&gt;" in hostile


def test_escape_text_writes_what_markupsafe_writes():
    from markupsafe import escape

    hostile = [
        "",
        "Nasi Uduk",
        "<script>alert('x')</script>",
        'a "quoted" & <b>bold</b> name',
        "&amp; already escaped",
        "Warung Bu' Siti > Rp15.000 < Rp20.000",
    ]
    for text in hostile:
        assert templating.escape_text(text) == str(escape(text))
        assert isinstance(templating.escape_text(text), str)


def test_pagination_links_the_neighbouring_pages_in_the_visitors_language(app):
    from marketplace.core.db import Page

    with app.test_request_context("/cari?q=<nasi>&urut=name&page=2"):
        middle = str(templating.pagination(Page([], 2, 24, 100)))
        assert middle.startswith('<nav class="pagination" aria-label="Halaman">')
        assert (
            'href="/cari?q=%3Cnasi%3E&amp;urut=name&amp;page=1" rel="prev">← Sebelumnya' in middle
        )
        assert (
            'href="/cari?q=%3Cnasi%3E&amp;urut=name&amp;page=3" rel="next">Berikutnya →' in middle
        )
        assert "<span>Halaman 2 dari 5</span>" in middle
        first = str(templating.pagination(Page([], 1, 24, 100)))
        assert 'rel="prev"' not in first
        assert 'rel="next"' in first
        last = str(templating.pagination(Page([], 5, 24, 100)))
        assert 'rel="prev"' in last
        assert 'rel="next"' not in last
        # one page, or none counted: nothing
        assert str(templating.pagination(Page([], 1, 24, 24))) == ""
        assert str(templating.pagination(None)) == ""
        # another parameter and an anchor (a page's reviews)
        reviews = str(templating.pagination(Page([], 1, 5, 12), "ulasan", "#ulasan"))
        assert 'page=2&amp;ulasan=2#ulasan" rel="next"' in reviews  # the rest kept
        with force_locale("en"):
            english = str(templating.pagination(Page([], 2, 24, 100)))
        assert "Page 2 of 5" in english
        assert "Previous" in english
        assert "Next" in english


def test_locale_name_and_gettext_follow_the_locale_in_force(app):
    import flask_babel

    from marketplace.core import locale

    assert locale.locale_name() == str(flask_babel.get_locale())  # no request: as Babel says
    with app.test_request_context("/"):
        for _round in range(2):  # found, then kept
            assert locale.locale_name() == "id"
            assert locale.gettext("Semua produk") == "Semua produk"
        with force_locale("en"):
            assert locale.locale_name() == "en"
            assert locale.gettext("Semua produk") == flask_babel.gettext("Semua produk")
            photo = flask_babel.gettext("Foto %(name)s", name="Sate")
            assert photo != "Foto Sate"
            assert locale.gettext("Foto %(name)s", name="Sate") == photo
            assert locale.ngettext("%(num)d produk", "%(num)d produk", 2) == "2 products"
            refresh()  # the locale dropped: found again
            assert locale.locale_name() == "en"
        assert locale.locale_name() == "id"
        assert locale.ngettext("%(num)d produk", "%(num)d produk", 2) == "2 produk"


def test_a_fragment_with_holes_is_rendered_once_and_filled_on_each_call(app, monkeypatch):
    """``fragment``'s holes: the template is rendered once for its inputs, with a stand-in for
    each hole, and each call puts its own text, escaped, where the stand-ins were."""
    rendered = []
    get_template = app.jinja_env.get_template

    def counting(name, *args, **kwargs):
        rendered.append(name)
        return get_template(name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", counting)
    monkeypatch.setattr(templating, "_FRAGMENTS", {})
    with app.test_request_context("/"):
        first = templating.fragment("site_footer", holes={"next": "/produk?a=1&b=<2>"})
        again = templating.fragment("site_footer", holes={"next": '/cari?q="x"'})
        assert 'name="next" value="/produk?a=1&amp;b=&lt;2&gt;"' in first
        assert 'name="next" value="/cari?q=&#34;x&#34;"' in again
        assert first.replace("/produk?a=1&amp;b=&lt;2&gt;", "") == again.replace(
            "/cari?q=&#34;x&#34;", ""
        )
        assert rendered.count("_fragments/site_footer.html") == 1
        # each set of inputs, and each language, its own
        templating.fragment("site_header", cart_count=0, holes={"q": "sate"})
        templating.fragment("site_header", cart_count=2, holes={"q": "sate"})
        with force_locale("en"):
            english = templating.fragment("site_footer", holes={"next": "/"})
        assert rendered.count("_fragments/site_footer.html") == 2
        assert rendered.count("_fragments/site_header.html") == 2
        assert "Language" in english
