"""The programme's impact for the KIM and the city: aggregates per kelurahan and month, never one
seller's books; an area with fewer than three stores is not shown on its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.areas.models import Kelurahan
from marketplace.books.reports import Period
from marketplace.core.csvfile import csv_text
from marketplace.core.db import to_jakarta
from marketplace.extensions import db
from marketplace.kim.models import Training, TrainingRegistration
from marketplace.orders.models import Order, OrderStatus
from marketplace.stores.models import CredentialKind, Store, StoreCredential, StoreStatus

#: the smallest group shown: fewer stores could be recognised one by one
MIN_GROUP = 3
#: days compared before and after a training
TREND_DAYS = 90


@dataclass
class AreaFigures:
    name: str
    stores: int = 0
    active: int = 0
    new: int = 0
    orders: int = 0
    sales: int = 0
    repeat_customers: int = 0
    trainings: int = 0
    attendance: int = 0
    nib: int = 0
    pirt: int = 0
    halal: int = 0

    def add(self, other: AreaFigures) -> None:
        for item in fields(self):
            if item.name != "name":
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass
class Impact:
    period: Period
    rows: list[AreaFigures] = field(default_factory=list)
    #: areas too small to show, merged (or left out when even together they are too small)
    merged: int = 0
    hidden: int = 0


def _scope(actor: User) -> int | None:
    """The kelurahan a KIM admin sees (None: the whole city, for the city admin)."""
    if actor.is_city_admin:
        return None
    return actor.kim_group.kelurahan_id if actor.kim_group is not None else -1


def _grouped(query) -> dict[int, int]:
    return {k: int(v or 0) for k, v in db.session.execute(query).all()}


def area_figures(actor: User, period: Period) -> Impact:
    """Figures per kelurahan for the month (or period), within what the actor may see."""
    start, end = period.utc_bounds()
    scope = _scope(actor)

    def limit(query, column=Store.kelurahan_id):
        return query if scope is None else query.where(column == scope)

    verified = _grouped(
        limit(
            select(Store.kelurahan_id, func.count(Store.id))
            .where(Store.status == StoreStatus.VERIFIED, Store.created_at < end)
            .group_by(Store.kelurahan_id)
        )
    )
    new = _grouped(
        limit(
            select(Store.kelurahan_id, func.count(Store.id))
            .where(Store.created_at >= start, Store.created_at < end)
            .group_by(Store.kelurahan_id)
        )
    )
    done = (
        select(Order.store_id, Order.customer_phone, Order.total)
        .where(
            Order.status == OrderStatus.COMPLETED,
            Order.fulfil_date.between(period.first, period.last),
        )
        .subquery()
    )
    sales_rows = db.session.execute(
        limit(
            select(
                Store.kelurahan_id,
                func.count(),
                func.coalesce(func.sum(done.c.total), 0),
                func.count(func.distinct(done.c.store_id)),
            )
            .select_from(done)
            .join(Store, Store.id == done.c.store_id)
            .group_by(Store.kelurahan_id)
        )
    ).all()
    per_customer = (
        limit(
            select(Store.kelurahan_id.label("kelurahan_id"), done.c.customer_phone)
            .select_from(done)
            .join(Store, Store.id == done.c.store_id)
            .group_by(Store.kelurahan_id, done.c.customer_phone)
            .having(func.count() >= 2)
        )
    ).subquery()
    repeat = _grouped(
        select(per_customer.c.kelurahan_id, func.count()).group_by(per_customer.c.kelurahan_id)
    )
    trainings = _grouped(
        limit(
            select(Training.kelurahan_id, func.count(Training.id))
            .where(Training.starts_at >= start, Training.starts_at < end)
            .group_by(Training.kelurahan_id),
            Training.kelurahan_id,
        )
    )
    attendance = _grouped(
        limit(
            select(Training.kelurahan_id, func.count(TrainingRegistration.id))
            .join(TrainingRegistration)
            .where(
                TrainingRegistration.attended.is_(True),
                Training.starts_at >= start,
                Training.starts_at < end,
            )
            .group_by(Training.kelurahan_id),
            Training.kelurahan_id,
        )
    )
    credentials: dict[int, dict[str, int]] = defaultdict(dict)
    for kelurahan_id, kind, count in db.session.execute(
        limit(
            select(Store.kelurahan_id, StoreCredential.kind, func.count(func.distinct(Store.id)))
            .join(StoreCredential)
            .where(
                Store.status == StoreStatus.VERIFIED,
                (StoreCredential.expires_on.is_(None))
                | (StoreCredential.expires_on >= period.last),
            )
            .group_by(Store.kelurahan_id, StoreCredential.kind)
        )
    ):
        credentials[kelurahan_id][kind] = int(count)
    names = dict(db.session.execute(select(Kelurahan.id, Kelurahan.name)).all())
    impact = Impact(period)
    small = AreaFigures(name="")
    small_areas = 0
    areas = set(verified) | set(new) | {r[0] for r in sales_rows} | set(trainings)
    sales = {r[0]: r for r in sales_rows}
    for kelurahan_id in sorted(areas, key=lambda k: names.get(k, "")):
        if kelurahan_id is None:
            continue
        row = AreaFigures(
            name=names.get(kelurahan_id, "?"),
            stores=verified.get(kelurahan_id, 0),
            active=int(sales[kelurahan_id][3]) if kelurahan_id in sales else 0,
            new=new.get(kelurahan_id, 0),
            orders=int(sales[kelurahan_id][1]) if kelurahan_id in sales else 0,
            sales=int(sales[kelurahan_id][2]) if kelurahan_id in sales else 0,
            repeat_customers=repeat.get(kelurahan_id, 0),
            trainings=trainings.get(kelurahan_id, 0),
            attendance=attendance.get(kelurahan_id, 0),
            nib=credentials[kelurahan_id].get(CredentialKind.NIB, 0),
            pirt=credentials[kelurahan_id].get(CredentialKind.PIRT, 0),
            halal=credentials[kelurahan_id].get(CredentialKind.HALAL, 0),
        )
        if row.stores >= MIN_GROUP:
            impact.rows.append(row)
        else:
            small.add(row)
            small_areas += 1
    if small_areas:
        if small.stores >= MIN_GROUP and scope is None:
            impact.rows.append(small)  # shown as "other kelurahan, merged" (no name)
            impact.merged = small_areas
        else:
            impact.hidden = small_areas
    return impact


def monthly_sales(actor: User, last: Period, months: int = 6) -> list[tuple[date, int]]:
    """Completed sales per month for the actor's area, the last ``months`` months (for a chart);
    empty when the area has fewer than three stores."""
    scope = _scope(actor)
    count = select(func.count(Store.id)).where(Store.status == StoreStatus.VERIFIED)
    if scope is not None:
        count = count.where(Store.kelurahan_id == scope)
    if db.session.scalar(count) < MIN_GROUP:
        return []
    firsts = []
    day = last.first
    for _step in range(months):
        firsts.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    series = []
    for first in reversed(firsts):
        following = (first + timedelta(days=32)).replace(day=1)
        query = (
            select(func.coalesce(func.sum(Order.total), 0))
            .join(Store, Store.id == Order.store_id)
            .where(
                Order.status == OrderStatus.COMPLETED,
                Order.fulfil_date >= first,
                Order.fulfil_date < following,
            )
        )
        if scope is not None:
            query = query.where(Store.kelurahan_id == scope)
        series.append((first, int(db.session.scalar(query))))
    return series


@dataclass
class TrainingEffect:
    stores: int
    before: int
    after: int

    @property
    def change_percent(self) -> int | None:
        return round(100 * (self.after - self.before) / self.before) if self.before else None


def training_effect(actor: User) -> TrainingEffect | None:
    """Sales of stores in the 90 days before and after the first training their owner attended
    (completed orders, one query), summed over the stores; None below three stores."""
    scope = _scope(actor)
    first_training = (
        select(TrainingRegistration.user_id, func.min(Training.starts_at).label("trained_at"))
        .join(Training)
        .where(TrainingRegistration.attended.is_(True))
        .group_by(TrainingRegistration.user_id)
        .subquery()
    )
    query = (
        select(Store.id, first_training.c.trained_at)
        .join(first_training, first_training.c.user_id == Store.owner_id)
        .where(Store.status == StoreStatus.VERIFIED)
    )
    if scope is not None:
        query = query.where(Store.kelurahan_id == scope)
    stores = db.session.execute(query).all()
    if len(stores) < MIN_GROUP:
        return None
    trained_on = {store_id: to_jakarta(at).date() for store_id, at in stores}
    before, after = _sales_around(trained_on)
    return TrainingEffect(len(stores), before, after)


def _sales_around(start_by_store: dict[int, date]) -> tuple[int, int]:
    """Completed sales of each store in the TREND_DAYS before and after its own start day,
    summed over the stores (one query)."""
    window = timedelta(days=TREND_DAYS)
    before = after = 0
    for store_id, day, total in db.session.execute(
        select(Order.store_id, Order.fulfil_date, Order.total).where(
            Order.store_id.in_(list(start_by_store)),
            Order.status == OrderStatus.COMPLETED,
            Order.fulfil_date >= min(start_by_store.values()) - window,
            Order.fulfil_date < max(start_by_store.values()) + window,
        )
    ):
        start = start_by_store[store_id]
        if start - window <= day < start:
            before += total
        elif start <= day < start + window:
            after += total
    return before, after


def mentoring_effect(actor: User) -> TrainingEffect | None:
    """Sales of mentored stores in the 90 days before and after their first mentoring visit;
    None below three stores (a single store could be recognised)."""
    from marketplace.kim.models import MentoringVisit

    scope = _scope(actor)
    query = (
        select(MentoringVisit.store_id, func.min(MentoringVisit.visited_on))
        .join(Store, Store.id == MentoringVisit.store_id)
        .where(Store.status == StoreStatus.VERIFIED)
        .group_by(MentoringVisit.store_id)
    )
    if scope is not None:
        query = query.where(Store.kelurahan_id == scope)
    first_visit = dict(db.session.execute(query).all())
    if len(first_visit) < MIN_GROUP:
        return None
    before, after = _sales_around(first_visit)
    return TrainingEffect(len(first_visit), before, after)


def mentored_stores(actor: User) -> int:
    from marketplace.kim.models import MentoringVisit

    scope = _scope(actor)
    query = select(func.count(func.distinct(MentoringVisit.store_id))).join(
        Store, Store.id == MentoringVisit.store_id
    )
    if scope is not None:
        query = query.where(Store.kelurahan_id == scope)
    return db.session.scalar(query) or 0


CSV_COLUMNS = [f.name for f in fields(AreaFigures)]


def export_csv(impact: Impact) -> str:
    month = impact.period.first.strftime("%Y-%m")
    return csv_text(
        ["bulan", *CSV_COLUMNS],
        ([month, *(getattr(row, name) for name in CSV_COLUMNS)] for row in impact.rows),
    )
