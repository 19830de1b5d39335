"""`parts ui start` starts the API detached and knows when it answers (the
demo waits on it), then stops it."""

from __future__ import annotations

import httpx

from parts import ui
from parts.settings import Settings
from tests.conftest import _free_port


def test_the_api_is_started_seen_up_and_stopped(settings: Settings) -> None:
    port = _free_port()

    url = ui.start(settings, port=port, service=ui.API)
    try:
        up = httpx.get(f"{url}/api/health", timeout=5)
        page = httpx.get(f"{url}/ui/login", timeout=5)
    finally:
        stopped = ui.stop(settings, service=ui.API)

    assert (up.status_code, up.json()) == (200, {"status": "ok"})
    assert page.status_code == 200
    assert stopped
