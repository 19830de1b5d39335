"""Migrations build the operational database from nothing on both backends."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from parts.settings import Settings
from service.db.engine import Database, database_url
from service.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from service.db.models import Base


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
