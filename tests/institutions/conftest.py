from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.db import jakarta_today
from marketplace.extensions import db
from marketplace.institutions import services
from tests.factories import kelurahan


def thursday_noon() -> datetime:
    """The next Thursday at least two days away, 12.00 Asia/Jakarta (naive)."""
    day = jakarta_today() + timedelta(days=2)
    while day.weekday() != 3:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=12)


def office_data(**changes) -> services.InstitutionData:
    """The Uwung Jaya kelurahan office's details, with ``changes``."""
    fields = {
        "name": "Kantor Kelurahan Uwung Jaya",
        "kind": "kelurahan",
        "address": "Jl. Raya Uwung Jaya No. 1",
        "kelurahan_id": kelurahan("Uwung Jaya").id,
        "phone": "081355550000",
    }
    fields.update(changes)
    return services.InstitutionData(**fields)


@pytest.fixture
def office(create_user):
    """A verified kelurahan office in Uwung Jaya whose secretary orders."""
    secretary = create_user(name="Bu Rina", phone="6281355550001")
    office = services.register(
        secretary, office_data(email="kelurahan@example.id", npwp="01.234.567.8-901.000")
    )
    admin = create_user(Role.CITY_ADMIN, phone="6281355550009")
    services.verify(admin, office)
    db.session.flush()
    return office


@pytest.fixture
def caterers(create_store):
    """Two verified stores of Uwung Jaya and one of another kelurahan."""
    return {
        "siti": create_store(name="Dapur Bu Siti"),
        "ani": create_store(name="Kue Bu Ani"),
        "far": create_store(name="Warung Jauh", area="Cibodasari"),
    }


def order_data(**changes) -> services.BulkData:
    fields = {
        "title": "Rapat koordinasi Musrenbang",
        "deliver_at": thursday_noon(),
        "place": "Aula Kantor Kelurahan Uwung Jaya",
        "kelurahan_id": kelurahan("Uwung Jaya").id,
        "boxes": 60,
        "budget_per_box": 25000,
        "terms_days": 14,
    }
    fields.update(changes)
    return services.BulkData(**fields)
