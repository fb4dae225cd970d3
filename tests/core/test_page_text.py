"""Emoji in the markup are written as character references (``&#x1F4AC;``), never as the
characters themselves.

Python keeps a string in 1, 2 or 4 bytes per character, the widest its text needs: one emoji
(outside Unicode's basic plane) in a card made the whole page four bytes a character, and every
join, replacement and encoding of the page on its way out cost that much more. The placeholder
of a card without a photo did: a search page took ~12 % more Python instructions (callgrind:
8.98 -> 7.85 million a page). The browser shows the same character either way.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _wide(text: str) -> list[str]:
    return sorted({ch for ch in text if ord(ch) > 0xFFFF})


@pytest.mark.parametrize(
    ("folder", "pattern"),
    [("templates", "*.html"), ("marketplace", "*.py"), ("templates", "*.txt")],
)
def test_no_character_outside_the_basic_plane_in_markup_sources(folder, pattern):
    found = {
        str(path.relative_to(ROOT)): _wide(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / folder).rglob(pattern))
    }
    assert {path: chars for path, chars in found.items() if chars} == {}


def test_public_pages_of_a_plain_catalogue_stay_in_the_basic_plane(
    client, create_store, create_product
):
    """Cards without a photo (the placeholder), the product page and the store page (the
    WhatsApp button) show their emoji as references: nothing on them is four bytes wide."""
    store = create_store(name="Warung Emoji", whatsapp="6281234567890")
    product = create_product(store, name="Nasi Uduk Emoji")
    pages = ["/", "/produk", "/cari?q=nasi", f"/produk/{product.id}", f"/toko/{store.slug}"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert "Nasi Uduk Emoji" in text, path
        assert _wide(text) == [], path
    listing = client.get("/produk").get_data(as_text=True)
    assert '<div class="img-placeholder" aria-hidden="true">&#x1F37D;&#xFE0F;</div>' in listing
    store_page = client.get(f"/toko/{store.slug}").get_data(as_text=True)
    assert "&#x1F4AC;" in store_page  # the WhatsApp button's speech balloon
