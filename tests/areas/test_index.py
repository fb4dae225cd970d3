"""The public list of areas: every kecamatan with its kelurahan, as the database has them."""

import re

from sqlalchemy import func, select

from marketplace.areas.models import Kecamatan, Kelurahan
from marketplace.extensions import db


def test_the_area_list_shows_every_kecamatan_with_its_kelurahan(client):
    page = client.get("/kelurahan").get_data(as_text=True)
    counts = db.session.execute(
        select(Kecamatan.name, func.count(Kelurahan.id))
        .join(Kelurahan, Kelurahan.kecamatan_id == Kecamatan.id)
        .group_by(Kecamatan.name)
        .order_by(Kecamatan.name)
    ).all()
    assert len(counts) == 13  # Kota Tangerang's kecamatan, seeded with their 104 kelurahan
    shown = re.findall(r"<summary>([^<]+) \((\d+)\)</summary>", page)
    assert [(name, int(n)) for name, n in shown] == [tuple(row) for row in counts]
    slugs = db.session.scalars(
        select(Kelurahan.slug).join(Kelurahan.kecamatan).order_by(Kecamatan.name, Kelurahan.name)
    ).all()
    assert re.findall(r'href="/kelurahan/([^"]+)"', page) == slugs
