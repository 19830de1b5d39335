"""Engines and sessions: a SQLite file by default, PostgreSQL when a URL says so."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, Engine, ExceptionContext, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from parts.settings import Settings

STATEMENT_TIMEOUT_MS = 10_000
SQLITE_BUSY_TIMEOUT_S = 10.0


class DatabaseUnavailable(Exception):
    """The operational database could not be connected to: where, and why."""

    def __init__(self, url: URL, reason: BaseException) -> None:
        self.url = masked_url(url)
        self.reason = _one_line(str(reason), url.password)
        super().__init__(f"cannot connect to the database {_where(url)}: {self.reason}")


def masked_url(url: str | URL) -> str:
    """`url` with its password shown as `***`, fit to print or log."""
    return make_url(url).render_as_string(hide_password=True)


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"file `{url.database or ':memory:'}`"
    port = url.port or {"postgresql": 5432}.get(url.get_backend_name())
    host = url.host or "localhost"
    where = f"{host}:{port}" if port else host
    return f"at {where} ({masked_url(url)})"


def _one_line(text: str, password: str | None) -> str:
    if password:  # drivers do not echo it; never rely on that
        text = text.replace(str(password), "***")
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _unreachable(context: ExceptionContext) -> BaseException | None:
    """A failed connect (no connection yet, not a pool's ping) as
    `DatabaseUnavailable`; every other error as it is."""
    if context.connection is not None or context.is_pre_ping or not context.engine:
        return None
    return DatabaseUnavailable(context.engine.url, context.original_exception)


def database_url(settings: Settings) -> str:
    """`PARTS_DATABASE_URL`, else `DATABASE_URL`, else `$PARTS_DATA_DIR/parts.db`."""
    url = settings.database_url or os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{settings.data_dir / 'parts.db'}"
    if url.startswith(("postgres://", "postgresql://")):
        # the bare scheme would pick psycopg2; we ship psycopg 3
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """An engine with the pragmas or timeouts every connection needs."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    connect_args: dict[str, Any] = {
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    }
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    event.listen(engine, "handle_error", _unreachable)
    return engine


def _sqlite_engine(url: str) -> Engine:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _unreachable)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a write is in flight; SQLite leaves
    # foreign keys off unless every connection asks for them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass(frozen=True)
class Database:
    """One engine and its session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Open (lazily: no connection yet) the database at `url`."""
        engine = make_engine(url)
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The operational database these settings name."""
        return cls.from_url(database_url(settings))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
