"""An unreachable or unmigrated database is said in one line, by the command
line and by the API, never with its password."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from parts.settings import Settings
from service.app import DATABASE_DOWN, create_app
from service.db.engine import Database
from service.db.migrate import head_revision
from tests.conftest import REPO, _free_port

PASSWORD = "s3cret-pw"


def _closed_port_url() -> tuple[str, int]:
    port = _free_port()  # nothing listens there once the probe is closed
    return f"postgresql://clerk:{PASSWORD}@127.0.0.1:{port}/parts", port


def _where(port: int) -> str:
    return (
        f"cannot connect to the database at 127.0.0.1:{port} "
        f"(postgresql+psycopg://clerk:***@127.0.0.1:{port}/parts): "
    )


@pytest.mark.parametrize("command", [["db", "current"], ["db", "upgrade"]])
def test_an_unreachable_database_is_one_line_and_exit_1_never_the_password(
    tmp_path: Path, command: list[str]
) -> None:
    url, port = _closed_port_url()
    env = {**os.environ, "PARTS_DATA_DIR": str(tmp_path), "DATABASE_URL": url}
    env.pop("PARTS_DATABASE_URL", None)

    done = subprocess.run(
        [sys.executable, "-m", "parts.cli", *command],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert (done.returncode, done.stdout) == (1, "")
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: {_where(port)}"), line
    assert "Connection refused" in line
    assert PASSWORD not in done.stderr


def test_an_unreachable_database_is_one_log_line_at_api_start_then_503(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url, port = _closed_port_url()
    app = create_app(settings.model_copy(update={"database_url": url}))

    with caplog.at_level(logging.WARNING), TestClient(app) as client:
        started = [(r.levelname, r.getMessage()) for r in caplog.records]
        health = client.get("/api/health")
        signed_in = client.get("/api/me", headers={"Authorization": "Bearer x"})

    ((level, message),) = started
    assert level == "ERROR"
    assert message.startswith(_where(port)), message
    assert message.endswith("; requests answer 503 until it is back")
    assert PASSWORD not in caplog.text
    assert health.status_code == 200
    assert (signed_in.status_code, signed_in.json()) == (503, {
        "type": "about:blank", "title": "database unavailable", "status": 503,
        "detail": DATABASE_DOWN,
    })  # fmt: skip


@pytest.mark.parametrize("empty_db_url", ["postgresql"], indirect=True)
def test_the_api_leaves_postgresql_unmigrated_and_says_so_at_start(
    settings: Settings, empty_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings.model_copy(update={"database_url": empty_db_url}))

    with caplog.at_level(logging.WARNING), TestClient(app):
        started = [(r.levelname, r.getMessage()) for r in caplog.records]

    database = Database.from_url(empty_db_url)
    assert inspect(database.engine).get_table_names() == []
    database.close()
    assert started == [(
        "WARNING",
        f"database {empty_db_url} is at revision none (never migrated), this "
        f"code needs {head_revision()}: run `parts db upgrade`",
    )]  # fmt: skip


def test_an_unreachable_database_is_said_in_the_pages_language(
    settings: Settings,
) -> None:
    url, _ = _closed_port_url()
    app = create_app(settings.model_copy(update={"database_url": url}))
    fragment = {"X-Requested-With": "fetch"}

    with TestClient(app) as client:
        client.cookies.set(
            "parts_session", "a-session"
        )  # reading it needs the database
        page = client.get("/ui")
        results = client.get("/ui/results", params={"box": "0986452041"},
                             headers=fragment)  # fmt: skip
        client.cookies.set("parts_lang", "en")
        english = client.get("/ui/clients", params={"q": "Иванов"}, headers=fragment)

    assert (page.status_code, page.headers["content-type"]) == (
        503, "text/html; charset=utf-8",
    )  # fmt: skip
    assert '<p role="alert">База данных недоступна: попробуйте чуть позже</p>' in (
        page.text
    )
    assert (results.status_code, results.text) == (503, (
        '<p class="error" role="alert" data-code="">Поиск не выполнен: '
        "База данных недоступна: попробуйте чуть позже</p>"
    ))  # fmt: skip
    assert (english.status_code, english.text) == (503, (
        '<p class="error" role="alert" data-code="">Search failed: '
        "The database cannot be reached: try again shortly</p>"
    ))  # fmt: skip
