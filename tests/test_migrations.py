"""The schema is built only by the migrations; the models and the migrations must agree."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.core.schema import include_object
from marketplace.extensions import db


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
