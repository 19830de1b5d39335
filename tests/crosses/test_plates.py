"""The plate registry client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from crosses.plates import (
    BadPlate,
    PlateClient,
    PlateNotFound,
    RegistryError,
    RegistryNotConfigured,
    RegistryUnavailable,
    latin_plate,
    normalize_plate,
    plate_kind,
)

TOKEN = "s3cret"
VESTA = {
    "plate": "А123ВС77",
    "vin": "xtagfl110ky100017",
    "make": "LADA",
    "model": "VESTA",
    "year": 2019,
}


@dataclass
class Registry:
    """What the fake registry does next, and what it saw."""

    script: list[tuple[str, Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)


def _handler(registry: Registry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            plate = parse_qs(url.query).get("plate", [""])[0]
            auth = self.headers.get("Authorization")
            registry.seen.append({"path": url.path, "plate": plate, "auth": auth})
            mode, arg = registry.script.pop(0) if registry.script else ("ok", None)
            if mode == "sleep":  # longer than the client's timeout
                time.sleep(arg)
                mode, arg = "ok", None
            if mode == "status":
                self._send(arg, {"detail": f"mode {arg}"})
            elif mode == "text":
                self._send(200, None, body=arg.encode())
            elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"detail": "bad token"})
            elif plate == VESTA["plate"]:
                self._send(200, {"vehicle": VESTA})
            else:
                self._send(404, {"detail": "not found"})

        def _send(self, status: int, data: Any, body: bytes | None = None) -> None:
            payload = body if body is not None else json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up after its timeout

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def registry() -> Iterator[tuple[Registry, str]]:
    state = Registry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/api/"
    finally:
        server.shutdown()
        server.server_close()


def _client(url: str, **kwargs: Any) -> PlateClient:
    options: dict[str, Any] = {"timeout_s": 0.3, "retries": 2, "backoff_s": 0.01}
    return PlateClient(url, TOKEN, **(options | kwargs))


@pytest.mark.parametrize(
    ("typed", "plate", "kind"),
    [
        ("А123ВС77", "А123ВС77", "car"),
        ("a123bc77", "А123ВС77", "car"),  # Latin look-alikes
        ("A 123 BC 777 RUS", "А123ВС777", "car"),
        ("ах-123-77", "АХ12377", "public"),
        ("АВ 1234 50", "АВ123450", "public/trailer"),  # region 450 or 50
        ("АВ 1234 777", "АВ1234777", "trailer"),
        ("1234 АВ 50", "1234АВ50", "motorcycle"),
    ],
)
def test_plates_normalize_to_the_registry_form(
    typed: str, plate: str, kind: str
) -> None:
    assert (normalize_plate(typed), plate_kind(plate)) == (plate, kind)
    assert latin_plate(plate).isascii()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Б123ВС77", "`Б` not used on Russian plates"),
        ("A123BC7", "matches no Russian format"),
        ("A123BC00", "matches no Russian format"),
        ("", "matches no Russian format"),
    ],
)
def test_bad_plates_are_refused_before_any_request(typed: str, message: str) -> None:
    with pytest.raises(BadPlate, match=message):
        normalize_plate(typed)


def test_lookup_finds_the_vehicle(registry: tuple[Registry, str]) -> None:
    state, url = registry
    with _client(url) as client:
        found = client.lookup("a123bc77")
    assert found.to_dict() == {
        "plate": "А123ВС77",
        "plate_latin": "A123BC77",
        "vin": "XTAGFL110KY100017",
        "make": "LADA",
        "model": "VESTA",
        "year": 2019,
        "registry": VESTA,
    }
    assert state.seen == [
        {"path": "/api/vehicles", "plate": "А123ВС77", "auth": f"Bearer {TOKEN}"}
    ]


def test_not_found_and_refused_token(registry: tuple[Registry, str]) -> None:
    _, url = registry
    with _client(url) as client, pytest.raises(PlateNotFound, match="`В777ВВ99`"):
        client.lookup("В777ВВ99")
    with (
        PlateClient(url, "wrong", timeout_s=0.3) as client,
        pytest.raises(RegistryError, match="PARTS_PLATES_TOKEN"),
    ):
        client.lookup("А123ВС77")


def test_server_errors_and_timeouts_are_retried(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.script = [("status", 503), ("sleep", 0.6)]  # then the normal answer
    with _client(url) as client:
        assert client.lookup("А123ВС77").vin == "XTAGFL110KY100017"
    assert len(state.seen) == 3


def test_gives_up_after_the_last_retry(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.script = [("status", 502), ("status", 500), ("sleep", 0.6)]
    started = time.perf_counter()
    with _client(url) as client, pytest.raises(RegistryUnavailable) as info:
        client.lookup("А123ВС77")
    assert str(info.value) == (
        "the plate registry did not answer after 3 attempt(s): timed out"
    )
    assert len(state.seen) == 3
    assert time.perf_counter() - started < 2


def test_client_errors_are_not_retried(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.script = [("status", 422)]
    with _client(url) as client, pytest.raises(BadPlate, match="refused plate"):
        client.lookup("А123ВС77")
    state.script = [("text", "<html>oops</html>")]
    with _client(url) as client, pytest.raises(RegistryError, match="not JSON"):
        client.lookup("А123ВС77")
    assert len(state.seen) == 2


def test_backoff_doubles_between_attempts(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.script = [("status", 503)] * 3
    pauses: list[float] = []
    client = PlateClient(url, TOKEN, retries=2, backoff_s=0.5, sleep=pauses.append)
    with client, pytest.raises(RegistryUnavailable, match="HTTP 503"):
        client.lookup("А123ВС77")
    assert pauses == [0.5, 1.0]


def test_no_endpoint_is_a_clear_error() -> None:
    with pytest.raises(RegistryNotConfigured, match="PARTS_PLATES_URL"):
        PlateClient("")


def test_unreachable_server_is_unavailable() -> None:
    client = PlateClient("http://127.0.0.1:9", TOKEN, retries=1, backoff_s=0.01)
    with client, pytest.raises(RegistryUnavailable, match="connection failed"):
        client.lookup("А123ВС77")
