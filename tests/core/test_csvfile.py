"""CSV exports never hand a spreadsheet a formula (CSV injection)."""

import pytest

from marketplace.books import services as books
from marketplace.core.csvfile import csv_text, safe_cell


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil.example","klik")', "+62 812", "-5+3", "@SUM(A1)", "\tx", "\rx"],
)
def test_a_text_cell_a_spreadsheet_would_run_is_written_as_text(typed):
    assert safe_cell(typed) == "'" + typed
    assert safe_cell("Nasi uduk = enak") == "Nasi uduk = enak"
    assert safe_cell(-5000) == -5000  # numbers stay numbers


def test_every_export_goes_through_it(client, create_store, login):
    store = create_store()
    books.record_entry(
        store.owner,
        store,
        books.EntryData(
            kind="pengeluaran", amount=5000, category="Bahan baku", note='=cmd|"/c calc"!A1'
        ),
    )
    login(store.owner)
    body = client.get(f"/toko-saya/{store.id}/buku-kas.csv").get_data(as_text=True)
    assert "'=cmd" in body
    assert ",=cmd" not in body
    assert csv_text(["a"], [["@x"]]).splitlines()[1] == "'@x"
