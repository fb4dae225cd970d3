"""The schema is built only by the migrations; the models and the migrations must agree."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.core.schema import include_object
from marketplace.extensions import db
from tests.conftest import make_app


def test_models_and_migrations_agree(app):
    # Given the schema built by `flask db upgrade` in the app fixture
    context = MigrationContext.configure(
        db.session.connection(),
        opts={"include_object": include_object, "compare_type": True},
    )
    # When autogenerate compares it with the models
    differences = compare_metadata(context, db.metadata)
    # Then it finds nothing to do
    assert differences == []


def test_migrations_are_at_head(app):
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    assert current == head


def test_full_text_triggers_survive_every_migration(app, dialect):
    """A batch migration that copies a table on SQLite drops its triggers: the search of new
    stores and products would silently stop finding them."""
    import sqlalchemy as sa

    from marketplace.extensions import db

    if dialect != "sqlite":  # PostgreSQL: the stored vectors keep their indexes
        indexes = set(db.session.scalars(sa.text("SELECT indexname FROM pg_indexes")))
        assert {"ix_products_search_vector", "ix_stores_search_vector"} <= indexes
        return
    names = set(
        db.session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    )
    for fts in ("product_fts", "store_fts"):
        assert {f"{fts}_ai", f"{fts}_ad", f"{fts}_au"} <= names, names


def _fill(connection, table: str, **values) -> None:
    """Insert one row with every required column given a plain value (``values`` win)."""
    row = {}
    for _cid, name, type_, notnull, default, pk in connection.exec_driver_sql(
        f"PRAGMA table_info({table})"
    ).fetchall():
        if name in values or not notnull or default is not None:
            continue
        type_ = type_.upper()
        if pk:
            row[name] = 1
        elif "INT" in type_ or "BOOL" in type_:
            row[name] = 0
        elif "DATETIME" in type_:
            row[name] = "2026-12-01 00:00:00"
        elif "DATE" in type_:
            row[name] = "2026-12-01"
        elif "TIME" in type_:
            row[name] = "08:00:00"
        else:
            row[name] = "x"
    row.update(values)
    names = ", ".join(row)
    marks = ", ".join(f":{name}" for name in row)
    connection.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), row)  # noqa: S608


def test_rebuilding_orders_for_new_payment_methods_keeps_their_rows(tmp_path):
    """0030 rebuilds ``orders`` and ``cash_entries`` on SQLite to widen a CHECK: the rows that
    reference them (order lines with ON DELETE CASCADE, events, debt payments) must survive."""
    from flask_migrate import downgrade, upgrade

    app = make_app(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path / "uploads")
    counted = ("orders", "order_lines", "order_events", "cash_entries", "debt_payments")
    with app.app_context():
        upgrade(revision="0029")
        c = db.session.connection()
        _fill(c, "users", id=1, role="seller", phone="6281200000001")
        _fill(c, "kecamatan", id=1)
        _fill(c, "kelurahan", id=1, kecamatan_id=1)
        _fill(
            c,
            "stores",
            id=1,
            owner_id=1,
            kelurahan_id=1,
            slug="warung",
            status="verified",
            offers_pickup=1,
            cash_on_pickup=1,
        )
        _fill(
            c,
            "orders",
            id=1,
            store_id=1,
            token="t",
            checkout_token="c",
            fulfilment="pickup",
            payment_method="cash",
            status="completed",
            subtotal=0,
            total=0,
        )
        _fill(c, "order_lines", id=1, order_id=1, quantity=1, unit_price=5, line_total=5)
        _fill(c, "order_events", id=1, order_id=1, to_status="new")
        _fill(
            c,
            "cash_entries",
            id=1,
            store_id=1,
            kind="terima_piutang",
            category="kasbon",
            amount=5,
            method="tunai",
            channel="",
            order_id=1,
        )
        _fill(c, "credit_customers", id=1, store_id=1, credit_limit=10)
        _fill(c, "debts", id=1, store_id=1, direction="piutang", customer_id=1, amount=5)
        _fill(c, "debt_payments", id=1, debt_id=1, amount=5, entry_id=1)
        db.session.commit()
        upgrade()
        for table in counted:
            assert db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 1, table  # noqa: S608
        assert not db.session.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
        db.session.remove()  # the migration writes on its own connection
        downgrade(revision="0029")
        upgrade()
        for table in counted:
            assert db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 1, table  # noqa: S608
        db.session.remove()
        db.engine.dispose()


def test_products_already_there_are_listed_by_the_rule(tmp_path):
    """0033 fills ``products.listed``: shown only when not hidden and the store is verified."""
    from flask_migrate import downgrade, upgrade

    app = make_app(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path / "uploads")
    with app.app_context():
        upgrade(revision="0032")
        c = db.session.connection()
        _fill(c, "users", id=1, role="seller", phone="6281200000001")
        _fill(c, "kecamatan", id=1)
        _fill(c, "kelurahan", id=1, kecamatan_id=1)
        _fill(c, "categories", id=1, name="Nasi", slug="nasi")
        for store_id, status in ((1, "verified"), (2, "pending"), (3, "rejected")):
            _fill(
                c,
                "stores",
                id=store_id,
                owner_id=1,
                kelurahan_id=1,
                slug=f"warung-{store_id}",
                status=status,
                offers_pickup=1,
            )
        for product_id, store_id, hidden in ((1, 1, 0), (2, 1, 1), (3, 2, 0), (4, 3, 0)):
            _fill(
                c,
                "products",
                id=product_id,
                store_id=store_id,
                category_id=1,
                name=f"Nasi {product_id}",
                price=1000,
                stock_mode="unlimited",
                is_hidden=hidden,
            )
        db.session.commit()
        upgrade()
        listed = sa.text("SELECT id FROM products WHERE listed ORDER BY id")
        assert db.session.scalars(listed).all() == [1]
        # 0035 copies each store's kelurahan onto its products
        copied = sa.text("SELECT DISTINCT kelurahan_id FROM products")
        assert db.session.scalars(copied).all() == [1]
        db.session.remove()
        downgrade(revision="0032")
        assert db.session.scalar(sa.text("SELECT count(*) FROM products")) == 4
        db.session.remove()
        db.engine.dispose()


def test_office_invoices_move_to_the_offices_own_credit_row(tmp_path):
    """0034: a credit customer whose every debt is an office invoice becomes that office's row;
    one that also holds a person's kasbon stays the person's; no debt is lost on SQLite's
    rebuild of the table."""
    from flask_migrate import downgrade, upgrade

    app = make_app(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path / "uploads")
    with app.app_context():
        upgrade(revision="0033")
        c = db.session.connection()
        _fill(c, "users", id=1, role="seller", phone="6281200000001")
        _fill(c, "kecamatan", id=1)
        _fill(c, "kelurahan", id=1, kecamatan_id=1)
        store = {"owner_id": 1, "kelurahan_id": 1, "status": "verified", "offers_pickup": 1}
        _fill(c, "stores", id=1, slug="w", **store)
        for office in (1, 2):
            _fill(
                c,
                "institutions",
                id=office,
                kind="kelurahan",
                kelurahan_id=1,
                phone=f"62813555500{office}",
            )
            _fill(
                c,
                "bulk_orders",
                id=office,
                institution_id=office,
                created_by_id=1,
                kelurahan_id=1,
                status="delivered",
                boxes=1,
                budget_per_box=1,
                terms_days=0,
            )
        # 1: the office's invoice only; 2: an office invoice and a person's kasbon; 3: a person
        for customer in (1, 2, 3):
            _fill(
                c,
                "credit_customers",
                id=customer,
                store_id=1,
                phone=f"62813555500{customer}",
                credit_limit=10,
            )
        debts = {1: 1, 2: 2, 3: 2, 4: 3}  # debt: customer
        for debt, customer in debts.items():
            _fill(
                c,
                "debts",
                id=debt,
                store_id=1,
                direction="piutang",
                customer_id=customer,
                amount=5,
            )
        for share, (office, debt) in enumerate(((1, 1), (2, 2)), start=1):
            _fill(
                c,
                "bulk_shares",
                id=share,
                bulk_order_id=office,
                store_id=1,
                debt_id=debt,
                status="delivered",
                boxes=1,
            )
        db.session.commit()
        upgrade()
        rows = sa.text("SELECT id, institution_id FROM credit_customers ORDER BY id")
        assert db.session.execute(rows).all() == [(1, 1), (2, None), (3, None)]
        assert db.session.scalar(sa.text("SELECT count(*) FROM debts")) == 4
        assert not db.session.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
        db.session.remove()
        downgrade(revision="0033")
        assert db.session.scalar(sa.text("SELECT count(*) FROM debts")) == 4
        db.session.remove()
        db.engine.dispose()
