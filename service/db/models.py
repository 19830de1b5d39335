"""Tables of the operational database (SQLAlchemy 2, typed).

A column whose values must never reach the audit log (a password hash, a
token hash) says so with `info={"secret": True}`; `service.db.audit` keeps
only whether such a value was set or changed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Ge, Le
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# row ids are 32-bit integers on PostgreSQL: a larger number names no row, and
# is refused as input (422) before it reaches a query it would break
MAX_ID = 2**31 - 1
Id = Annotated[int, Ge(1), Le(MAX_ID)]


def names_a_row(value: int) -> bool:
    """Whether `value` can be a row id at all."""
    return 1 <= value <= MAX_ID


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """Now, in UTC, aware."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC timestamps on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive timestamp `{value}`: pass an aware datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Tracked:
    """Who made a row and who changed it last; `version` counts the changes."""

    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)


class PriceRule(Tracked, Base):
    """One markup rule; its terms are the JSON form of `pricing.rules.Rule`."""

    __tablename__ = "price_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict[str, Any]] = mapped_column(Json)


class CurrencyRate(Tracked, Base):
    """Roubles for one unit of a currency, from a date on."""

    __tablename__ = "currency_rates"
    __table_args__ = (
        UniqueConstraint("currency", "date", name="uq_currency_rates_currency_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    date: Mapped[dt.date] = mapped_column(Date)


class ClientGroup(Tracked, Base):
    """A client group (retail, wholesale levels, service station…)."""

    __tablename__ = "client_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    terms: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class AuditEntry(Base):
    """One write: who, when, which row, and the row before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    who: Mapped[str] = mapped_column(String(120))
    via: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(60), index=True)
    row_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(10))
    old: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    new: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the department of the row (an order's, a user's); None: every department's
    department: Mapped[str | None] = mapped_column(
        String(60), nullable=True, index=True
    )


class Department(Tracked, Base):
    """A shop or branch (подразделение): which price lists its people search."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Tracked, Base):
    """A person who signs in; `role` is `admin`, `manager` or `analyst`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200), info={"secret": True})
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), nullable=True
    )
    language: Mapped[str] = mapped_column(String(5), default="ru")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuthToken(Base):
    """A page session (cookie) or an API token (bearer), stored as a hash."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # session | token
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, info={"secret": True}
    )
    csrf: Mapped[str | None] = mapped_column(
        String(64), nullable=True, info={"secret": True}
    )
    label: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Client(Tracked, Base):
    """A customer: a person or a company, priced by its client group."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # person | company
    name: Mapped[str] = mapped_column(String(300), index=True)
    search_name: Mapped[str] = mapped_column(String(300), index=True)
    inn: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    client_group: Mapped[str] = mapped_column(String(60))
    discount_percent: Mapped[Decimal | None] = mapped_column(
        Numeric(5, 2), nullable=True
    )
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ClientPhone(Tracked, Base):
    """One phone of a client, E.164 (`+79161234567`), with the text as given."""

    __tablename__ = "client_phones"
    __table_args__ = (
        UniqueConstraint("client_id", "e164", name="uq_client_phones_client_e164"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    e164: Mapped[str] = mapped_column(String(20), index=True)
    raw: Mapped[str] = mapped_column(String(60))
    label: Mapped[str | None] = mapped_column(String(60), nullable=True)


class Vehicle(Tracked, Base):
    """A client's car: VIN, plate (registry form, Cyrillic), make, model, year."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    vin: Mapped[str | None] = mapped_column(String(17), nullable=True, index=True)
    plate: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    make: Mapped[str | None] = mapped_column(String(60), nullable=True)
    model: Mapped[str | None] = mapped_column(String(100), nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CustomerOrder(Tracked, Base):
    """A customer order (заказ покупателя) made from quote lines."""

    __tablename__ = "customer_orders"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "idempotency_key", name="uq_customer_orders_user_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department: Mapped[str | None] = mapped_column(String(60), nullable=True)
    client_group: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), index=True)
    total_kop: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    # a digest of the order's own body: nothing a reader could sign in with
    request_hash: Mapped[str] = mapped_column(String(64), info={"secret": False})
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CustomerOrderLine(Tracked, Base):
    """One line of a customer order, with the offer and price as they were."""

    __tablename__ = "customer_order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("customer_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    brand: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    supplier_id: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(10))
    warehouse: Mapped[str | None] = mapped_column(String(100), nullable=True)
    qty: Mapped[int] = mapped_column(Integer)
    price_kop: Mapped[int] = mapped_column(BigInteger)
    amount_kop: Mapped[int] = mapped_column(BigInteger)
    purchase_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    delivery_days_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    delivery_days_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offer: Mapped[dict[str, Any]] = mapped_column(Json)
