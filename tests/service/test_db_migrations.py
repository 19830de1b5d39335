"""Migrations build the operational database from nothing on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, update

from parts.settings import Settings
from service.db import audit
from service.db.engine import Database, database_url
from service.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from service.db.models import AuditEntry, Base
from service.db.session import transaction
from service.users.logic import find_user, update_user
from tests.service.test_audit import ACTOR, seed_two_departments


@pytest.mark.parametrize("empty_db_url", ["sqlite", "postgresql"], indirect=True)
def test_migrations_run_up_from_an_empty_database(empty_db_url: str) -> None:
    database = Database.from_url(empty_db_url)
    assert current_revision(database.engine) is None

    upgrade(database.engine)
    upgrade(database.engine)  # a second run is a no-op

    tables = set(inspect(database.engine).get_table_names())
    assert {"price_rules", "currency_rates", "client_groups", "audit_log"} <= tables
    assert current_revision(database.engine) == head_revision()
    database.close()


def test_sqlite_connections_use_wal_and_foreign_keys(settings: Settings) -> None:
    database = Database.from_settings(settings)
    with database.engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (mode, keys) == ("wal", 1)
    assert database.url == f"sqlite:///{settings.data_dir / 'parts.db'}"
    database.close()


def test_database_url_prefers_the_setting_then_database_url(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/env")
    assert database_url(settings) == "postgresql+psycopg://u@h/env"
    pinned = settings.model_copy(update={"database_url": "postgresql://u@h/set"})
    assert database_url(pinned) == "postgresql+psycopg://u@h/set"


@pytest.mark.parametrize("empty_db_url", ["sqlite", "postgresql"], indirect=True)
def test_models_and_migrations_agree_and_0002_goes_down_and_up(
    empty_db_url: str,
) -> None:
    database = Database.from_url(empty_db_url)
    upgrade(database.engine)

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []

    _downgrade(database.engine, "0001")
    assert current_revision(database.engine) == "0001"
    assert "users" not in inspect(database.engine).get_table_names()
    upgrade(database.engine)
    assert current_revision(database.engine) == head_revision()
    assert {"users", "clients", "customer_order_lines"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.close()


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@pytest.mark.parametrize("empty_db_url", ["sqlite", "postgresql"], indirect=True)
def test_0003_redacts_stored_password_hashes_and_gives_old_entries_a_department(
    empty_db_url: str,
) -> None:
    database = Database.from_url(empty_db_url)
    upgrade(database.engine)
    seed_two_departments(database)
    with database.sessions() as session, transaction(session):
        ivan = find_user(session, "manager-ekb")
        assert ivan is not None
        update_user(session, ivan, {"password": "password-2"}, actor=ACTOR)
        audit.record(session, table="auth_tokens", row_id="manager-ekb",
                     action="insert", actor=ACTOR, note="signed in")  # fmt: skip
    _as_written_before_0003(database)
    with database.sessions() as session:
        stored = session.scalars(select(AuditEntry.new).order_by(AuditEntry.id))
        assert "$argon2id$v=19$hash-1" in str(list(stored))

    _downgrade(database.engine, "0002")
    upgrade(database.engine)

    with database.sessions() as session:
        found = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        entries = [(e.table_name, e.action, e.department, _hash(e.old),
                    _hash(e.new)) for e in found]  # fmt: skip
    assert entries == [
        ("client_groups", "insert", None, None, None),
        ("departments", "insert", None, None, None),
        ("users", "insert", "msk", None, "<redacted: set>"),
        ("departments", "insert", None, None, None),
        ("users", "insert", "ekb", None, "<redacted: set>"),
        ("clients", "insert", None, None, None),
        ("customer_orders", "insert", "msk", None, None),
        ("customer_order_lines", "insert", "msk", None, None),
        ("customer_orders", "insert", "ekb", None, None),
        ("customer_order_lines", "insert", "ekb", None, None),
        ("users", "update", "ekb", "<redacted>", "<redacted: set>"),
        ("auth_tokens", "insert", "ekb", None, None),
    ]
    database.close()


def _as_written_before_0003(database: Database) -> None:
    """Entries as the code before 0003 wrote them: users' password hashes in
    full (a new one with each version), no department."""
    with database.sessions() as session, transaction(session):
        users = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "users")
        )
        for entry in users:
            entry.old, entry.new = _with_hash(entry.old), _with_hash(entry.new)
        session.execute(update(AuditEntry).values(department=None))


def _with_hash(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {**values, "password_hash": f"$argon2id$v=19$hash-{values['version']}"}


def _hash(values: dict[str, Any] | None) -> str | None:
    return None if values is None else values.get("password_hash")
