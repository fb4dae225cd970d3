"""Schema objects that live only in migrations (full-text search), hidden from autogenerate."""

from __future__ import annotations

SEARCH_TABLE_PREFIXES = ("product_fts", "store_fts")
SEARCH_INDEXES = {"ix_products_search", "ix_stores_search"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: skip the FTS5 tables and the tsvector GIN indexes."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIXES):
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    return True
