"""Books: a seller's cash book (buku kas) and the append-only ledger of card money the platform
holds for each store (its payout balance)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Rupiah, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class EntryKind(StrEnum):
    INCOME = "pemasukan"
    EXPENSE = "pengeluaran"
    #: money taken out for the household
    DRAWING = "prive"
    #: money the owner puts into the business
    CAPITAL = "modal"
    #: a customer pays down a kasbon: cash in, not revenue (the sale was revenue)
    RECEIVED = "terima_piutang"
    #: the stall pays a supplier debt: cash out, not an expense (the purchase was)
    PAID_DEBT = "bayar_utang"


class Method(StrEnum):
    CASH = "tunai"
    TRANSFER = "transfer"
    CARD = "kartu"
    QRIS = "qris"


class Channel(StrEnum):
    ONLINE_CARD = "online_kartu"
    ONLINE_CASH = "online_tunai"
    ONLINE_QRIS = "online_qris"
    ONLINE_TRANSFER = "online_transfer"
    STALL = "di_tempat"
    #: expenses, drawings and capital belong to no sales channel
    NONE = ""


#: one-tap expense categories (a seller adds their own beside these)
EXPENSE_CATEGORIES = (
    "bahan baku",
    "kemasan",
    "gas & listrik",
    "sewa tempat",
    "gaji/upah",
    "transport",
    "lainnya",
)
INCOME_CATEGORIES = ("penjualan di tempat", "penjualan online", "lainnya")
PLATFORM_FEE_CATEGORY = "biaya platform"


class CashEntry(db.Model):
    """One line of the cash book. Entries from the marketplace carry a ``source_key`` (unique):
    they are posted once, never edited by hand, only explained with a note."""

    __tablename__ = "cash_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('pemasukan', 'pengeluaran', 'prive', 'modal', 'terima_piutang',"
            " 'bayar_utang')",
            name="kind_known",
        ),
        CheckConstraint("method IN ('tunai', 'transfer', 'kartu', 'qris')", name="method_known"),
        CheckConstraint(
            "channel IN ('online_kartu', 'online_tunai', 'online_qris', 'online_transfer',"
            " 'di_tempat', '')",
            name="channel_known",
        ),
        # Only a posted reversal (a refund) is negative
        CheckConstraint(
            "amount > 0 OR (amount < 0 AND source_key IS NOT NULL)", name="amount_sign"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: when the money moved (UTC); reports cut days at 00:00 Asia/Jakarta
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(60))
    #: whole Rupiah; negative only for a posted reversal
    amount: Mapped[Rupiah]
    method: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    receipt_thumb: Mapped[str | None] = mapped_column(String(80))
    receipt_large: Mapped[str | None] = mapped_column(String(80))
    #: "capture:order:12", "cash:order:12", "refund:order:12", ...: posted exactly once
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()

    @property
    def is_automatic(self) -> bool:
        return self.source_key is not None

    def is_managed_by(self, user) -> bool:
        return self.store.is_managed_by(user)


class BookCategory(db.Model):
    """A category a seller added to the one-tap list."""

    __tablename__ = "book_categories"
    __table_args__ = (
        UniqueConstraint("store_id", "kind", "name", name="uq_book_categories_name"),
        CheckConstraint("kind IN ('pemasukan', 'pengeluaran')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(60))


class LedgerKind(StrEnum):
    CAPTURE = "capture"
    REFUND = "refund"
    FEE = "fee"
    FEE_REFUND = "fee_refund"
    PAYOUT = "payout"


class LedgerEntry(db.Model):
    """Card money the platform holds for a store: append-only; the balance is its sum."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('capture', 'refund', 'fee', 'fee_refund', 'payout')", name="kind_known"
        ),
        CheckConstraint(
            "(kind IN ('capture', 'fee_refund') AND amount > 0)"
            " OR (kind IN ('refund', 'fee', 'payout') AND amount < 0)",
            name="amount_sign",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: whole Rupiah, signed: money in for the store (+) or out of its balance (−)
    amount: Mapped[Rupiah]
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    #: one posting per source event ("capture:order:12", "payout:7", ...)
    source_key: Mapped[str] = mapped_column(String(80), unique=True)
    #: the bank transfer reference and date of a payout
    reference: Mapped[str] = mapped_column(String(120), default="")
    paid_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CreditCustomer(db.Model):
    """A regular customer who may buy on credit (kasbon), up to a limit."""

    __tablename__ = "credit_customers"
    __table_args__ = (
        # a person once per store by phone; an office once per store, whoever answers its phone
        Index(
            "uq_credit_customers_phone",
            "store_id",
            "phone",
            unique=True,
            postgresql_where=text("institution_id IS NULL"),
            sqlite_where=text("institution_id IS NULL"),
        ),
        Index(
            "uq_credit_customers_institution",
            "store_id",
            "institution_id",
            unique=True,
            postgresql_where=text("institution_id IS NOT NULL"),
            sqlite_where=text("institution_id IS NOT NULL"),
        ),
        CheckConstraint("credit_limit > 0", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: an office buying on invoice (office orders); None for a person buying on kasbon
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    name: Mapped[str] = mapped_column(String(120))
    #: WhatsApp number normalised to 62…
    phone: Mapped[str] = mapped_column(String(20))
    #: whole Rupiah the customer may owe at most
    credit_limit: Mapped[Rupiah]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()

    def is_managed_by(self, user) -> bool:
        return self.store.is_managed_by(user)


class Debt(db.Model):
    """Money owed: by a customer to the stall (a kasbon sale, a receivable) or by the stall to a
    supplier (a payable). Paid down by ``DebtPayment`` rows; never edited."""

    __tablename__ = "debts"
    __table_args__ = (
        CheckConstraint("direction IN ('piutang', 'utang')", name="direction_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "(direction = 'piutang' AND customer_id IS NOT NULL)"
            " OR (direction = 'utang' AND supplier <> '')",
            name="party_given",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    #: "piutang" (a customer owes the stall) or "utang" (the stall owes a supplier)
    direction: Mapped[str] = mapped_column(String(8))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_customers.id", ondelete="CASCADE"), index=True
    )
    supplier: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    #: whole Rupiah of the sale on credit, or of the purchase on credit
    amount: Mapped[Rupiah]
    #: when it was sold or bought (UTC): revenue or expense of that day
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    due_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    store: Mapped[Store] = relationship()
    customer: Mapped[CreditCustomer | None] = relationship()
    payments: Mapped[list[DebtPayment]] = relationship(
        back_populates="debt", order_by="DebtPayment.id", cascade="all, delete-orphan"
    )

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payments)

    @property
    def outstanding(self) -> int:
        return self.amount - self.paid

    def is_managed_by(self, user) -> bool:
        return self.store.is_managed_by(user)


class DebtPayment(db.Model):
    """A partial or full payment of a debt; its cash movement is in the cash book too."""

    __tablename__ = "debt_payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("debts.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Rupiah]
    #: the cash book entry of the money that moved
    entry_id: Mapped[int] = mapped_column(ForeignKey("cash_entries.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    debt: Mapped[Debt] = relationship(back_populates="payments")
