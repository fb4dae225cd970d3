"""Photos: only real images, no bombs, no metadata, random names; refused uploads store nothing."""

import io
import os
import struct
import zlib

import pytest
from PIL import Image
from PIL.ExifTags import Base as ExifBase

from marketplace.catalog.models import ProductPhoto
from marketplace.core.images import Uploads
from tests.factories import jpeg_bytes


def stored_files(app) -> set[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def png_bomb(width=30000, height=30000) -> bytes:
    """A tiny PNG that claims 900 megapixels."""
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16, 9)

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


BAD_UPLOADS = [
    ("text renamed .jpg", "menu.jpg", b"ini bukan foto, hanya teks biasa\n" * 20, "bukan foto"),
    (
        "svg",
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "bukan foto",
    ),
    ("html", "foto.jpg", b"<!doctype html><html><script>alert(1)</script></html>", "bukan foto"),
    ("decompression bomb", "bom.png", png_bomb(), "terlalu besar"),
    ("truncated jpeg", "rusak.jpg", jpeg_bytes()[:200], "bukan foto"),
    ("gif", "anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "bukan foto"),
]


@pytest.mark.parametrize(("label", "filename", "content", "message"), BAD_UPLOADS)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    app, client, create_store, create_product, login, count_rows, label, filename, content, message
):
    product = create_product(create_store())
    login(product.store.owner)
    before_files, before_rows = stored_files(app), count_rows(ProductPhoto)
    response = client.post(
        f"/toko-saya/produk/{product.id}/foto",
        data={"photo": (io.BytesIO(content), filename)},
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True), label
    assert stored_files(app) == before_files
    assert count_rows(ProductPhoto) == before_rows


def test_thirty_megabyte_upload_is_refused_with_a_message(
    app, client, create_store, create_product, login, count_rows
):
    product = create_product(create_store())
    login(product.store.owner)
    before_files = stored_files(app)
    big = jpeg_bytes() + b"\x00" * (30 * 1024 * 1024)
    boundary = "----pkk-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
            'filename="besar.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        f"/toko-saya/produk/{product.id}/foto",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)
    assert stored_files(app) == before_files
    assert count_rows(ProductPhoto) == (0,)


def test_good_photo_is_resized_to_webp_without_metadata(
    app, client, create_store, create_product, login
):
    product = create_product(create_store())
    login(product.store.owner)
    image = Image.new("RGB", (3000, 2000), (10, 120, 30))
    exif = Image.Exif()
    exif[ExifBase.Make] = "KameraRahasia"
    exif[ExifBase.GPSInfo] = {1: "S", 2: (6.0, 10.0, 0.0)}
    source = io.BytesIO()
    image.save(source, format="JPEG", exif=exif.tobytes())
    response = client.post(
        f"/toko-saya/produk/{product.id}/foto",
        data={"photo": (io.BytesIO(source.getvalue()), "a.jpg")},
    )
    assert response.status_code == 302
    photo = product.photos[0]
    assert photo.thumb.endswith("-thumb.webp")
    assert "a.jpg" not in photo.thumb
    folder = app.config["UPLOAD_FOLDER"]
    with Image.open(os.path.join(folder, photo.large)) as large:
        assert large.format == "WEBP"
        assert max(large.size) == 1200
        assert not large.getexif()
        assert "exif" not in large.info
    with Image.open(os.path.join(folder, photo.thumb)) as thumb:
        assert max(thumb.size) == 400
    served = client.get(f"/media/{photo.thumb}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/webp"
    served.close()


def test_media_route_refuses_paths(client):
    assert client.get("/media/..%2Fconfig.py").status_code == 404
    assert client.get("/media/tidak-ada.webp").status_code == 404


def test_png_and_webp_are_accepted(app, create_store, create_product):
    from marketplace.catalog.services import add_photo

    product = create_product(create_store())
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGBA", (50, 50), (1, 2, 3, 100)).save(out, format=fmt)
        out.seek(0)
        add_photo(product, out, Uploads.from_config(app.config))
    assert len(product.photos) == 2


def test_heic_is_accepted_when_pillow_heif_reads_it(app, create_store, create_product):
    pillow_heif = pytest.importorskip("pillow_heif", reason="HEIC needs the pinned pillow-heif")
    from marketplace.catalog.services import add_photo

    heif = pillow_heif.from_pillow(Image.new("RGB", (64, 64), (200, 10, 10)))
    out = io.BytesIO()
    heif.save(out, quality=50)
    out.seek(0)
    product = create_product(create_store())
    add_photo(product, out, Uploads.from_config(app.config))
    assert product.photos[0].large.endswith(".webp")


def test_files_follow_the_transaction_that_stores_or_drops_them(app):
    """A photo stored by a change that rolls back goes again; a photo a change stops using is
    removed only once that change has committed (a rolled-back change still shows it)."""
    import sqlalchemy as sa

    from marketplace.extensions import db

    uploads = Uploads.from_config(app.config)
    before = stored_files(app)

    db.session.execute(sa.select(1))  # a transaction is open, as in a request
    lost = uploads.store(io.BytesIO(jpeg_bytes()))
    assert {lost.thumb, lost.large} <= stored_files(app)
    db.session.rollback()
    assert stored_files(app) == before

    # a savepoint released inside the change does not decide: the change does
    db.session.execute(sa.select(1))
    with db.session.begin_nested():
        uploads.store(io.BytesIO(jpeg_bytes()))
    db.session.rollback()
    assert stored_files(app) == before

    db.session.execute(sa.select(1))
    kept = uploads.store(io.BytesIO(jpeg_bytes()))
    db.session.commit()
    assert {kept.thumb, kept.large} <= stored_files(app)

    db.session.execute(sa.select(1))
    uploads.delete(kept.thumb, kept.large)
    assert {kept.thumb, kept.large} <= stored_files(app)  # the change may still roll back
    db.session.rollback()
    assert {kept.thumb, kept.large} <= stored_files(app)

    db.session.execute(sa.select(1))
    uploads.delete(kept.thumb, kept.large)
    db.session.commit()
    assert stored_files(app) == before


def test_a_replaced_logo_survives_a_change_that_rolls_back(app, create_store):
    """The store's old logo is removed only when the new one is saved for good."""
    import sqlalchemy as sa

    from marketplace.extensions import db
    from marketplace.stores import services as store_services

    store = create_store()
    uploads = Uploads.from_config(app.config)
    store_services.set_logo(store, io.BytesIO(jpeg_bytes()), uploads)
    db.session.commit()
    old = {store.logo_thumb, store.logo_large}
    before = stored_files(app)
    assert old <= before

    db.session.execute(sa.select(1))
    store_services.set_logo(store, io.BytesIO(jpeg_bytes(color=(0, 0, 200))), uploads)
    db.session.rollback()  # e.g. the next step of the change was refused
    assert stored_files(app) == before

    store_services.set_logo(store, io.BytesIO(jpeg_bytes(color=(0, 0, 200))), uploads)
    db.session.commit()
    assert not old & stored_files(app)
    assert {store.logo_thumb, store.logo_large} <= stored_files(app)
