"""Database fixtures: every test gets a fresh, migrated database on each backend."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session

from service.db.engine import Database
from service.db.migrate import upgrade

TEMPLATE = "parts_template"
_names = itertools.count()


def admin_execute(server_url: str, sql: str) -> None:
    """Run one statement on the server's `postgres` database, outside a transaction."""
    dsn = server_url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str) -> str:
    """A migrated database that each test's database is copied from."""
    admin_execute(postgres_server, f"CREATE DATABASE {TEMPLATE}")
    database = Database.from_url(f"{postgres_server}/{TEMPLATE}")
    upgrade(database.engine)
    database.close()  # a template may have no open connections
    return postgres_server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test's database is copied from."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    database = Database.from_url(f"sqlite:///{path}")
    upgrade(database.engine)
    database.close()
    return path


@pytest.fixture
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a database with no tables yet (param: `sqlite` or `postgresql`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'parts.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"empty_{next(_names)}"
    admin_execute(server, f"CREATE DATABASE {name} TEMPLATE template0")
    yield f"{server}/{name}"
    admin_execute(server, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database on each backend, dropped after the test."""
    if request.param == "sqlite":
        path = tmp_path / "parts.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_template")
    name = f"test_{next(_names)}"
    admin_execute(server, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    yield f"{server}/{name}"
    admin_execute(server, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """The fresh database, opened."""
    database = Database.from_url(db_url)
    yield database
    database.close()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session on the fresh database."""
    with database.sessions() as session:
        yield session


@pytest.fixture(autouse=True)
def _light_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its lightest cost in these tests: the same code path, a
    millisecond a hash instead of the production cost's tens."""
    from argon2 import PasswordHasher

    from service.users import logic

    light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(logic, "_hasher", light)
