"""full-text search: PostgreSQL GIN indexes on tsvector expressions, SQLite FTS5 tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 13:40:00

The expressions here must match marketplace/catalog/search.py exactly.
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_INDEXES = {
    "ix_products_search": (
        "products",
        "setweight(to_tsvector('indonesian', coalesce(name, '')), 'A') || "
        "setweight(to_tsvector('indonesian', coalesce(description, '')), 'B')",
    ),
    "ix_stores_search": (
        "stores",
        "setweight(to_tsvector('indonesian', coalesce(name, '')), 'A') || "
        "setweight(to_tsvector('indonesian', coalesce(story, '')), 'B')",
    ),
}

# (fts table, content table, indexed columns)
FTS = [("product_fts", "products", ("name", "description")), ("store_fts", "stores", ("name", "story"))]


def _sqlite_fts(fts: str, table: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name, (table, expression) in PG_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (({expression}))")
    elif dialect == "sqlite":
        for fts, table, columns in FTS:
            for statement in _sqlite_fts(fts, table, columns):
                op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif dialect == "sqlite":
        for fts, _table, _columns in FTS:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
