"""A demo install served by a real `uvicorn` on loopback, and a real headless
Chromium (Debian's `/usr/bin/chromium`) driven by Playwright.

The demo set is built once per backend by `parts demo` itself; the online
suppliers are the demo's two (fast, and slow past its timeout), served by
this process on free ports.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from search.online.demo_server import DemoSupplierServer
from service.db.engine import masked_url
from tests.conftest import REPO, _free_port
from tests.web.timings import ENTER_TO_ROWS_MS

CHROMIUM = Path(os.environ.get("PARTS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
BIN = Path(sys.executable).parent


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the page's timings (measured, never asserted)."""
    if not ENTER_TO_ROWS_MS:
        return
    times = sorted(ENTER_TO_ROWS_MS)
    median = statistics.median(times)
    terminalreporter.write_line(
        f"workstation, Enter to first rows drawn (demo set, headless Chromium): "
        f"{len(times)} searches, median {median:.0f} ms, max {times[-1]:.0f} ms "
        "(aim: under 300 ms)"
    )


@dataclass
class LiveInstall:
    """A served demo install."""

    url: str
    data_dir: Path
    database_url: str
    env: dict[str, str]


@pytest.fixture(scope="session")
def online_demo() -> Iterator[tuple[DemoSupplierServer, DemoSupplierServer]]:
    """The demo's fast online supplier (with its token) and its slow one."""
    with (
        DemoSupplierServer(token="demo-token") as fast,
        DemoSupplierServer(latency_ms=3000) as slow,
    ):
        yield fast, slow


def _profiles(root: Path, fast: str, slow: str) -> Path:
    """The repository's supplier profiles, online ones pointed at our servers."""
    profiles = root / "suppliers"
    shutil.copytree(REPO / "suppliers", profiles)
    for name, url in (("demo-emex.toml", fast), ("demo-slow.toml", slow)):
        path = profiles / "online" / name
        text = re.sub(r"http://127\.0\.0\.1:\d+", url, path.read_text("utf-8"))
        path.write_text(text, encoding="utf-8")
    return profiles


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "uvicorn"), "service.main:app", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/ui/login", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the API did not answer in 60 s: {log.read_text()}")


def _install(
    root: Path,
    database_url: str,
    online: tuple[DemoSupplierServer, DemoSupplierServer],
) -> Iterator[LiveInstall]:
    profiles = _profiles(root, online[0].url, online[1].url)
    env = {**os.environ, "PARTS_DATA_DIR": str(root / "var"),
           "PARTS_PROFILES_DIR": str(profiles), "PARTS_LOG_LEVEL": "WARNING",
           "PARTS_DATABASE_URL": database_url}  # fmt: skip
    demo = subprocess.run([str(BIN / "parts"), "demo"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "demo users: manager" in demo.stdout, demo.stdout
    assert f"operational database: {masked_url(database_url)}\n" in demo.stdout
    process, url = _serve(env, root / "api.log")
    try:
        yield LiveInstall(url, root / "var", database_url, env)
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    online_demo: tuple[DemoSupplierServer, DemoSupplierServer],
) -> Iterator[LiveInstall]:
    """The demo install on SQLite (the default)."""
    root = tmp_path_factory.mktemp("live-sqlite")
    yield from _install(root, f"sqlite:///{root / 'var' / 'parts.db'}", online_demo)


@pytest.fixture(scope="session")
def live_postgres(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str,
    online_demo: tuple[DemoSupplierServer, DemoSupplierServer],
) -> Iterator[LiveInstall]:
    """The demo install on PostgreSQL (`DATABASE_URL`)."""
    from tests.service.conftest import admin_execute

    admin_execute(postgres_server, "CREATE DATABASE workstation_e2e")
    root = tmp_path_factory.mktemp("live-postgres")
    yield from _install(root, f"{postgres_server}/workstation_e2e", online_demo)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless; the tests are skipped without it."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
