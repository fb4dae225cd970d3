"""Schema objects that live only in migrations (full-text search, listing indexes in the pages'
sort order, the bits of "open now"), hidden from autogenerate."""

from __future__ import annotations

MIGRATION_TABLE_PREFIXES = (
    "product_fts",
    "store_fts",
    "product_search_postings",
    "store_search_postings",
    # each two words of a product's name (migration 0046), kept by the postings' trigger
    "product_search_pairs",
    # each two words of a verified store's name (migration 0048), kept by its postings' trigger
    "store_search_pairs",
    "search_words",
    # kept by triggers on the opening periods (migration 0045), read as SQL text
    "open_hours_segments",
)
SEARCH_INDEXES = {
    "ix_products_search",
    "ix_stores_search",
    "ix_products_search_vector",
    "ix_stores_search_vector",
    "ix_products_newest",
    "ix_products_category_newest",
    "ix_products_listed_newest",
    "ix_products_listed_category_newest",
    "ix_products_listed_kelurahan_newest",
    "ix_products_listed_name",
    "ix_products_listed_rating",
    "ix_products_listed_price",
    "ix_products_store_newest",
    "ix_products_name_trgm",
    "ix_stores_verified_newest",
    "ix_stores_verified_kelurahan_name",
    "ix_search_words_trgm",
}
#: stored generated columns (PostgreSQL): written by the database, never by the models
GENERATED_COLUMNS = {"search_vector"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: skip the tables, indexes and columns that live only in migrations."""
    if type_ == "table" and name and name.startswith(MIGRATION_TABLE_PREFIXES):
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    if type_ == "column" and name in GENERATED_COLUMNS:
        return False
    return True
