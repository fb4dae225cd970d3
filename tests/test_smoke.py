def test_home_page_renders(client, create_store, create_product):
    store = create_store()
    create_product(store, name="Nasi Uduk Betawi")
    response = client.get("/")
    assert response.status_code == 200
    assert "Nasi Uduk Betawi" in response.get_data(as_text=True)


def test_pages_are_compressed_for_phones(client, create_store, create_product):
    """A page goes out brotli-compressed to a browser that takes it (every phone browser), at
    the quality and window set in the configuration, else gzip; both are the page as sent plain."""
    import gzip
    import re

    import brotli

    store = create_store()
    for n in range(12):
        create_product(store, name=f"Nasi Uduk Betawi {n}")

    def page(encoding: str):
        response = client.get("/produk", headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        return response

    def body(data: bytes) -> str:  # the CSRF token differs between two answers
        return re.sub(r'name="csrf_token" value="[^"]*"', "", data.decode())

    plain = page("identity")
    assert "Content-Encoding" not in plain.headers
    squeezed = page("gzip, deflate, br")
    assert squeezed.headers["Content-Encoding"] == "br"
    assert body(brotli.decompress(squeezed.data)) == body(plain.data)
    config = client.application.config
    level, window = config["COMPRESS_BR_LEVEL"], config["COMPRESS_BR_WINDOW"]
    assert len(squeezed.data) == len(
        brotli.compress(brotli.decompress(squeezed.data), quality=level, lgwin=window)
    )
    assert len(squeezed.data) < len(plain.data) / 3
    zipped = page("gzip")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert body(gzip.decompress(zipped.data)) == body(plain.data)


def test_a_compressed_page_is_not_made_conditional_again(client, create_store, create_product):
    """Flask-Compress re-evaluated every compressed answer as a conditional request (0.15 ms a
    page, for pages without an ETag): off. The server writes the Date header."""
    create_product(create_store(), name="Nasi Uduk Betawi")
    page = client.get("/produk", headers={"Accept-Encoding": "br"})
    assert page.headers["Content-Encoding"] == "br"
    assert "Date" not in page.headers
    assert "ETag" not in page.headers
