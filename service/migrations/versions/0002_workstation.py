"""The workstation: departments, users and their sign-ins, clients, phones,
vehicles, customer orders and their lines.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
BIGINT = sa.BigInteger()


def _tracked() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    _people()
    _clients()
    _orders()


def _people() -> None:
    op.create_table(
        "departments",
        _id(),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        *_tracked(),
        sa.PrimaryKeyConstraint("id", name="pk_departments"),
        sa.UniqueConstraint("code", name="uq_departments_code"),
    )
    op.create_table(
        "users",
        _id(),
        sa.Column("login", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"],
            name="fk_users_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("login", name="uq_users_login"),
    )  # fmt: skip
    op.create_table(
        "auth_tokens",
        _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=True),
        sa.Column("label", sa.String(120), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_auth_tokens_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_auth_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_auth_tokens_token_hash"),
    )
    op.create_index("ix_auth_tokens_user_id", "auth_tokens", ["user_id"])


def _clients() -> None:
    op.create_table(
        "clients",
        _id(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("search_name", sa.String(300), nullable=False),
        sa.Column("inn", sa.String(12), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("client_group", sa.String(60), nullable=False),
        sa.Column("discount_percent", sa.Numeric(5, 2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_tracked(),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
    )
    op.create_index("ix_clients_name", "clients", ["name"])
    op.create_index("ix_clients_search_name", "clients", ["search_name"])
    op.create_table(
        "client_phones",
        _id(),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("e164", sa.String(20), nullable=False),
        sa.Column("raw", sa.String(60), nullable=False),
        sa.Column("label", sa.String(60), nullable=True),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], ondelete="CASCADE",
            name="fk_client_phones_client_id_clients",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_client_phones"),
        sa.UniqueConstraint("client_id", "e164", name="uq_client_phones_client_e164"),
    )  # fmt: skip
    op.create_index("ix_client_phones_client_id", "client_phones", ["client_id"])
    op.create_index("ix_client_phones_e164", "client_phones", ["e164"])
    op.create_table(
        "vehicles",
        _id(),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("vin", sa.String(17), nullable=True),
        sa.Column("plate", sa.String(16), nullable=True),
        sa.Column("make", sa.String(60), nullable=True),
        sa.Column("model", sa.String(100), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], ondelete="CASCADE",
            name="fk_vehicles_client_id_clients",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_vehicles"),
    )  # fmt: skip
    op.create_index("ix_vehicles_client_id", "vehicles", ["client_id"])
    op.create_index("ix_vehicles_vin", "vehicles", ["vin"])
    op.create_index("ix_vehicles_plate", "vehicles", ["plate"])


def _orders() -> None:
    op.create_table(
        "customer_orders",
        _id(),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(60), nullable=True),
        sa.Column("client_group", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total_kop", BIGINT, nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"],
            name="fk_customer_orders_client_id_clients",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_customer_orders_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customer_orders"),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name="uq_customer_orders_user_key"
        ),
    )  # fmt: skip
    op.create_index("ix_customer_orders_client_id", "customer_orders", ["client_id"])
    op.create_index("ix_customer_orders_status", "customer_orders", ["status"])
    op.create_table(
        "customer_order_lines",
        _id(),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("brand", sa.String(100), nullable=False),
        sa.Column("article", sa.String(100), nullable=False),
        sa.Column("name", sa.String(500), nullable=True),
        sa.Column("supplier_id", sa.String(60), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("warehouse", sa.String(100), nullable=True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("price_kop", BIGINT, nullable=False),
        sa.Column("amount_kop", BIGINT, nullable=False),
        sa.Column("purchase_price", sa.Numeric(18, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("delivery_days_min", sa.Integer(), nullable=True),
        sa.Column("delivery_days_max", sa.Integer(), nullable=True),
        sa.Column("offer", JSON, nullable=False),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["order_id"], ["customer_orders.id"], ondelete="CASCADE",
            name="fk_customer_order_lines_order_id_customer_orders",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customer_order_lines"),
    )  # fmt: skip
    op.create_index(
        "ix_customer_order_lines_order_id", "customer_order_lines", ["order_id"]
    )


def downgrade() -> None:
    for table in ("customer_order_lines", "customer_orders", "vehicles",
                  "client_phones", "clients", "auth_tokens", "users",
                  "departments"):  # fmt: skip
        op.drop_table(table)
