"""Suara Warga routed: a KIM forwards to an office with a note, the resident's timeline shows it,
the city admin sees the forwarded queue oldest first with its age; a monthly recap per
kelurahan by kind and state, with CSV, for the Musrenbang."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import jakarta_today, utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.kim import aspirations
from tests.factories import kelurahan


@pytest.fixture
def kim_admin(create_user, create_kim_group):
    return create_user(Role.KIM_ADMIN, kim_group=create_kim_group("Uwung Jaya"))


def message(resident, text="Jalan ke pasar rusak dan berlubang", category="keluhan"):
    return aspirations.send(resident, kelurahan("Uwung Jaya").id, category, text)


def test_forwarding_names_the_office_and_shows_in_every_timeline(
    client, kim_admin, create_user, login
):
    resident = create_user(Role.CUSTOMER)
    item = message(resident)
    with pytest.raises(DomainError, match="diteruskan"):
        aspirations.respond(kim_admin, item, "diteruskan", "Mohon ditindaklanjuti", False)
    with pytest.raises(DomainError, match="diteruskan"):
        aspirations.respond(kim_admin, item, "diteruskan", "x", False, target="pemadam")
    aspirations.respond(
        kim_admin, item, "diteruskan", "Mohon ditinjau", False, target="dinas_perdagangan"
    )
    assert (item.status, item.forwarded_to) == ("diteruskan", "dinas_perdagangan")
    assert item.forwarded_at is not None
    assert item.events[-1].note == "Dinas Perdagangan: Mohon ditinjau"

    login(resident)
    mine = client.get("/suara-warga/saya").get_data(as_text=True)
    assert "Dinas Perdagangan: Mohon ditinjau" in mine
    client.post("/akun/keluar")

    with pytest.raises(NotAllowed):
        aspirations.forwarded(kim_admin)
    city = create_user(Role.CITY_ADMIN)
    older = message(resident, "Lampu jalan RT 02 mati sejak seminggu")
    aspirations.respond(kim_admin, older, "diteruskan", "", False, target="kelurahan")
    older.forwarded_at = utcnow() - timedelta(days=9)
    db.session.flush()
    assert [a.id for a in aspirations.forwarded(city)] == [older.id, item.id]
    login(city)
    page = client.get("/admin/suara-warga/diteruskan").get_data(as_text=True)
    assert "9 hari" in page
    assert page.index("Lampu jalan") < page.index("Jalan ke pasar")
    # answered: it leaves the queue
    aspirations.respond(city, older, "dijawab", "Sudah diperbaiki PLN", False)
    assert [a.id for a in aspirations.forwarded(city)] == [item.id]


def test_the_monthly_recap_counts_by_kind_and_state(client, kim_admin, create_user, login):
    resident = create_user(Role.CUSTOMER)
    first = message(resident)
    message(resident, "Usul pelatihan foto produk untuk UMKM", "saran")
    message(resident, "Usul bazar rutin di lapangan RW 03", "aspirasi")
    aspirations.respond(kim_admin, first, "dijawab", "Sudah dilaporkan ke kelurahan", False)
    last_month = message(resident, "Pesan bulan lalu tentang parkir liar")
    last_month.created_at = utcnow() - timedelta(days=40)
    db.session.flush()

    recap = aspirations.month_recap(kim_admin, jakarta_today(), None)
    assert recap.total() == 3
    assert recap.count("keluhan", "dijawab") == 1
    assert recap.count("saran", "diterima") == 1
    login(kim_admin)
    month = jakarta_today().strftime("%Y-%m")
    page = client.get(f"/kim/suara-warga/rekap?bulan={month}").get_data(as_text=True)
    assert "Rekap Suara Warga" in page
    response = client.get(f"/kim/suara-warga/rekap.csv?bulan={month}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0].lstrip("\ufeff") == "jenis"  # a BOM for spreadsheet programs
    assert rows[-1] == ["jumlah", "2", "0", "1", "0", "3"]
    # a month typed badly is this month, never an error
    assert client.get("/kim/suara-warga/rekap?bulan=<script>").status_code == 200
