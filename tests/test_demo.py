"""`flask seed-demo` builds a believable kampung and is idempotent."""

from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import OptionGroup, Product, ProductPhoto
from marketplace.demo.seed import demo_logins, seed_demo
from marketplace.extensions import db
from marketplace.kim.models import KimGroup
from marketplace.stores.models import Store, StoreStatus


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_builds_the_kampung_once(app):
    seed_demo()
    assert count(Store, Store.status == StoreStatus.VERIFIED) >= 12
    assert count(Store, Store.status == StoreStatus.PENDING) == 1
    assert count(Product) >= 80
    assert count(ProductPhoto) >= count(Product)
    assert count(OptionGroup) >= 5
    assert len({p.category_id for p in db.session.scalars(select(Product))}) >= 6
    uwung = db.session.scalar(select(KimGroup).where(KimGroup.name == "KIM Uwung Jaya"))
    assert len(uwung.members) == 6
    assert {role for (role,) in db.session.execute(select(User.role).distinct())} == set(Role)
    kelurahan = {s.kelurahan.name for s in db.session.scalars(select(Store))}
    assert {"Uwung Jaya", "Cibodasari"} <= kelurahan
    from marketplace.kim.announcements import published
    from marketplace.kim.featured import current_featured

    assert [a.title for a in published()][0] == "Bazar Kuliner Uwung Jaya hari Minggu"
    assert current_featured()
    from marketplace.events.services import participants, upcoming
    from marketplace.promotions.campaigns import current, member_stores

    (bazaar,) = upcoming()
    assert participants(bazaar)
    assert any(a.status == "waitlisted" for a in bazaar.applications)
    (festival,) = current()
    assert member_stores(festival)
    assert [c.code for c in festival.codes] == ["FESTUJ"]
    from marketplace.books.models import CashEntry
    from marketplace.reviews.models import Review

    siti = db.session.scalar(select(Store).where(Store.slug == "warung-bu-siti"))
    assert count(Review) == 3
    assert (siti.rating_count, siti.average_rating) == (3, 4.7)
    assert count(CashEntry) == 8 + 3  # the week of the book and the three cash orders
    before = (count(Store), count(Product), count(User), count(ProductPhoto))
    seed_demo()
    assert (count(Store), count(Product), count(User), count(ProductPhoto)) == before
    for _label, login, _password in demo_logins():
        assert db.session.scalar(select(User).where(User.phone == "62" + login[1:])) is not None
