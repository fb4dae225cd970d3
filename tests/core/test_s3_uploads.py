"""Photos on S3-compatible object storage (UPLOAD_STORAGE=s3), against moto's S3 server on
127.0.0.1: product photos are objects any app server can serve, receipts sit under a private
prefix that only their seller's request reaches, deleting a photo deletes its objects, and the
uploads folder stays empty."""

from __future__ import annotations

import secrets
from io import BytesIO

import pytest

from marketplace.accounts.models import Role
from marketplace.books import services as books
from marketplace.books.models import EntryKind
from marketplace.catalog import services as catalog
from marketplace.core.images import Uploads
from marketplace.extensions import db
from tests.conftest import build_schema, make_app, missing_service
from tests.factories import PASSWORD, add_user, build_store, jpeg_bytes

BUCKET = "pasar-foto"


@pytest.fixture
def s3(monkeypatch):
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        missing_service(f"moto's S3 server is not installed: {error}")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "pasar-test"),
        ("AWS_SECRET_ACCESS_KEY", secrets.token_hex(8)),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


def _keys(client) -> set[str]:
    listed = client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listed.get("Contents", [])}


def test_photos_and_receipts_live_in_the_bucket(s3, tmp_path):
    endpoint, client = s3
    app = make_app(
        f"sqlite:///{tmp_path / 'site.sqlite3'}",
        tmp_path / "uploads",
        UPLOAD_STORAGE="s3",
        S3_BUCKET=BUCKET,
        S3_PREFIX="site/",
        S3_ENDPOINT_URL=endpoint,
        S3_REGION="us-east-1",
        PAGE_CACHE_URL="",
        SERVER_NAME=None,
    )
    build_schema(app)
    with app.app_context():
        uploads = Uploads.from_config(app.config)
        admin = add_user(Role.CITY_ADMIN, "6281100000009")
        owner = add_user(Role.SELLER, "6281200000001", "Bu Siti")
        add_user(Role.SELLER, "6281200000002", "Pak Joko")  # another seller
        store = build_store(owner, admin, "Warung Bu Siti")
        product = catalog.create_product(
            store,
            catalog.ProductData(
                name="Kue Lapis", category_id=catalog.categories()[0].id, price=5000
            ),
            photo=BytesIO(jpeg_bytes()),
            uploads=uploads,
        )
        entry = books.record_entry(
            owner,
            store,
            books.EntryData(kind=EntryKind.EXPENSE, amount=40_000, category="bahan baku"),
            receipt=BytesIO(jpeg_bytes(color=(10, 200, 10))),
            uploads=uploads.private(),
        )
        db.session.commit()
        photo = product.photos[0]
        photo_names = (photo.thumb, photo.large)
        receipt, entry_id = entry.receipt_thumb, entry.id
        photo_id = photo.id

    keys = _keys(client)
    assert {f"site/{name}" for name in photo_names} <= keys
    assert f"site/private/{receipt}" in keys
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").rglob("*.webp"))

    visitor = app.test_client()
    shown = visitor.get(f"/media/{photo_names[1]}")
    assert shown.status_code == 200
    assert shown.mimetype == "image/webp"
    assert shown.get_data()[:4] == b"RIFF"
    assert "immutable" in shown.headers["Cache-Control"]
    again = visitor.get(
        f"/media/{photo_names[1]}", headers={"If-None-Match": shown.headers["ETag"]}
    )
    assert again.status_code == 304
    # the receipt: not through the public route, only to its seller
    assert visitor.get(f"/media/{receipt}").status_code == 404
    assert visitor.get(f"/media/private/{receipt}").status_code == 404
    assert visitor.get("/media/..%2Fprivate%2F" + receipt).status_code == 404

    def signed_in(user_phone: str):
        client = app.test_client()
        answer = client.post("/akun/masuk", data={"login": user_phone, "password": PASSWORD})
        assert answer.status_code == 302
        return client

    seller = signed_in("6281200000001")
    mine = seller.get(f"/toko-saya/buku-kas/{entry_id}/nota")
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert signed_in("6281200000002").get(f"/toko-saya/buku-kas/{entry_id}/nota").status_code == 403

    with app.app_context():
        from marketplace.catalog.models import ProductPhoto

        catalog.delete_photo(
            db.session.get(ProductPhoto, photo_id), Uploads.from_config(app.config)
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert not {f"site/{name}" for name in photo_names} & _keys(client)
    assert visitor.get(f"/media/{photo_names[1]}").status_code == 404
