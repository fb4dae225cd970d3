"""Walk the whole demo kampung on a 360 px phone as each kind of person, following every link,
and check each kind of page once (one page per URL pattern): it answers without a server error,
does not scroll sideways, has no serious or critical axe-core violation, and its buttons, fields
and navigation are at least 44 px tall."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.axe_check import serious_violations
from tests.e2e.conftest import PHONE
from tests.e2e.demo_site import sign_in_demo

pytestmark = pytest.mark.e2e

#: links the walk does not follow: files, feeds, a payment form that needs Stripe, the
#: development page, and the pages that only redirect
SKIP = re.compile(
    r"^/(static|media)/|\.(csv|xml|js|txt|webmanifest|png)$|/bayar|^/_komponen|/pesanan/jumlah$"
)
#: the parts of a path that name one record: /produk/12 and /produk/31 are the same page
RECORD = re.compile(r"/(\d+|[0-9a-f]{8,}|[A-Za-z0-9_-]{20,})(?=/|$)")
SLUGGED = re.compile(r"^/(toko|kelurahan|kategori)/[^/]+")
MAX_PAGES = 70

#: elements a thumb has to hit (a checkbox or radio is hit through its label)
TARGETS = """
[...document.querySelectorAll(
  'button, .button, select, textarea, summary, .bottom-nav a, .icon-link, .chips a, label.check,'
  + ' .seg span, .choice span, input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
  .filter(e => e.offsetParent !== null && !e.closest('.komponen'))
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
  .filter(([html, h]) => h > 0 && h < 43.5)
"""


def pattern(path: str) -> str:
    path = path.split("?", 1)[0]  # /produk?page=2 is /produk
    path = SLUGGED.sub(lambda m: f"/{m.group(1)}/<slug>", path)
    return RECORD.sub("/<id>", path)


def walk(page, base: str, start: list[str]) -> tuple[list[str], set[str]]:
    """Visit pages reachable from ``start`` by links, one per pattern; return the problems and
    the patterns seen."""
    axe = Axe()
    seen, queue, problems = set(), deque(start), []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        key = pattern(path)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(base + path)
        visited += 1
        if response is None or response.status >= 500:
            problems.append(f"{path}: HTTP {response.status if response else '?'}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            problems.append(f"{path}: {width} px wide")
        problems += serious_violations(axe, page, path)
        small = page.evaluate(TARGETS)
        if small:
            problems.append(f"{path}: tap targets under 44 px: {small[:3]}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(href)
            if url.netloc != urlsplit(base).netloc or SKIP.search(url.path):
                continue
            queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return problems, seen


@pytest.mark.parametrize(
    ("who", "start"),
    [
        ("guest", ["/", "/akun/", "/akun/daftar", "/akun/lupa-kata-sandi"]),
        ("customer", ["/", "/akun/", "/pesanan-saya", "/suara-warga/saya", "/instansi"]),
        ("seller", ["/toko-saya"]),
        ("kim_admin", ["/kim/"]),
        ("city_admin", ["/kim/", "/akun/", "/admin/instansi", "/kim/belanja-instansi"]),
    ],
)
def test_every_kind_of_page_fits_a_phone_and_passes_axe(demo, browser, who, start):
    from marketplace.demo import data

    base, _app = demo
    context = browser.new_context(**{**PHONE, "device_scale_factor": 1})
    context.set_default_timeout(15_000)
    page = context.new_page()
    if who != "guest":
        sign_in_demo(page, base, data.PEOPLE[who][1])
    try:
        problems, seen = walk(page, base, start)
    finally:
        context.close()
    print(f"{who}: {len(seen)} kinds of page: {' '.join(sorted(seen))}")
    assert len(seen) >= 10, "the walk found too few pages to mean anything"
    assert not problems, "\n".join(problems)
