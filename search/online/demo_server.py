"""A fake online supplier: a real HTTP server on loopback, for tests and demos.

    GET  /api/search?article=…&brand=…  → {"data": {"items": [...]}}
    GET  /_control                       → the current mode, latency and count
    POST /_control {"mode": …, "latency_ms": …}

Articles match in any spelling (`0 986 452 041` = `0986452041`), the brand
is optional and matched through the alias table. Modes: `ok`, `error500`,
`hang` (no answer until the server stops), `bad_json`, `auth` (always 401).
With a token, a request without `Authorization: Bearer <token>` gets 401.

    python -m search.online.demo_server --port 8010 --stock FILE.json
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, Literal, cast, get_args
from urllib.parse import parse_qs, urlsplit

from crosses.articles import normalize_article
from crosses.brands import BrandTable, default_table

log = logging.getLogger(__name__)

Mode = Literal["ok", "error500", "hang", "bad_json", "auth"]
MODES: tuple[str, ...] = get_args(Mode)
HANG_LIMIT_S = 300.0
STOCK_KEYS = ("brand", "article", "name", "price", "qty", "delivery", "warehouse")

DEMO_STOCK: list[dict[str, str]] = [
    {
        "brand": "BOSCH",
        "article": "0 986 452 041",
        "name": "Фильтр масляный",
        "price": "412,30",
        "qty": ">10",
        "delivery": "1-2",
        "warehouse": "Москва",
    },
    {
        "brand": "MB",
        "article": "A 000 180 26 09",
        "name": "Фильтр масляный MB",
        "price": "2 040,74",
        "qty": "5",
        "delivery": "3-5",
        "warehouse": "Москва",
    },
    {
        "brand": "MANN-FILTER",
        "article": "W 712/95",
        "name": "Фильтр масляный",
        "price": "1 299,50 руб.",
        "qty": "есть",
        "delivery": "2",
        "warehouse": "Санкт-Петербург",
    },
]


def _clean_stock(stock: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for n, item in enumerate(stock, start=1):
        if not isinstance(item, Mapping) or not item.get("article"):
            raise ValueError(f"stock item {n} has no `article`")
        rows.append({k: str(item[k]) for k in STOCK_KEYS if item.get(k) is not None})
    return rows


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoSupplierServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "demo-supplier/1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: `_send` logs one line per request instead."""

    def do_GET(self) -> None:
        started = time.perf_counter()
        demo = self.server.demo
        url = urlsplit(self.path)
        if url.path == "/_control":
            self._send(200, demo.state(), started)
        elif url.path == "/api/search":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, body = demo.answer(query, self.headers.get("Authorization"))
            if status:
                self._send(status, body, started)
            else:
                log.info("demo supplier GET %s hung until stop", url.path)
        else:
            self._send(404, {"error": "not found"}, started)

    def do_POST(self) -> None:
        started = time.perf_counter()
        if urlsplit(self.path).path != "/_control":
            self._send(404, {"error": "not found"}, started)
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            change = json.loads(self.rfile.read(length) or b"{}")
            self.server.demo.control(
                mode=change.get("mode"), latency_ms=change.get("latency_ms")
            )
        except (ValueError, TypeError, AttributeError) as exc:
            self._send(400, {"error": str(exc)}, started)
            return
        self._send(200, self.server.demo.state(), started)

    def _send(self, status: int, body: Any, started: float) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: that is what latency tests do
        elapsed_ms = (time.perf_counter() - started) * 1000
        path = urlsplit(self.path).path
        log.info(
            "demo supplier %s %s status=%d ms=%.0f",
            self.command,
            path,
            status,
            elapsed_ms,
        )


class DemoSupplierServer:
    """A fake supplier web service on loopback, in a thread of this process."""

    def __init__(
        self,
        stock: Iterable[Mapping[str, Any]] = DEMO_STOCK,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int = 0,
        mode: Mode = "ok",
        token: str | None = None,
        brands: BrandTable | None = None,
    ) -> None:
        self.stock = _clean_stock(stock)
        self.host, self.port = host, port
        self.token = token
        self.brands = brands if brands is not None else default_table()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._latency_ms = 0
        self._mode: Mode = "ok"
        self._requests = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.control(mode=mode, latency_ms=latency_ms)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo supplier is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def request_count(self) -> int:
        """Search requests received (control requests not counted)."""
        with self._lock:
            return self._requests

    def start(self) -> str:
        """Bind (port 0 picks a free one), serve in a thread; give the base URL."""
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler)
        self._server.demo = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long `stop` waits for the loop
            name="demo-supplier",
            daemon=True,
        )
        self._thread.start()
        log.info("demo supplier listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        """Release hung requests, stop serving and free the port."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> DemoSupplierServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def control(
        self, *, mode: str | None = None, latency_ms: int | None = None
    ) -> None:
        """Change the mode or the latency of a running server."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode `{mode}` is not one of {list(MODES)}")
        if latency_ms is not None and (
            not isinstance(latency_ms, int) or latency_ms < 0
        ):
            raise ValueError(f"latency_ms `{latency_ms}` is not a whole number >= 0")
        with self._lock:
            if mode is not None:
                self._mode = cast(Mode, mode)
            if latency_ms is not None:
                self._latency_ms = latency_ms

    def state(self) -> dict[str, Any]:
        """Mode, latency and the number of search requests so far."""
        with self._lock:
            return {
                "mode": self._mode,
                "latency_ms": self._latency_ms,
                "requests": self._requests,
            }

    def search(self, article: str, brand: str | None = None) -> list[dict[str, str]]:
        """Stock items for an article in any spelling, of a brand if one is given."""
        wanted = normalize_article(article)[0]
        brand_key = self.brands.canonical(brand) if brand else None
        return [
            item
            for item in self.stock
            if normalize_article(item["article"])[0] == wanted
            and (
                brand_key is None
                or self.brands.canonical(item.get("brand")) == brand_key
            )
        ]

    def answer(
        self, query: Mapping[str, str], authorization: str | None
    ) -> tuple[int, Any]:
        """Status and body for a search; status 0 means hang without an answer."""
        with self._lock:
            self._requests += 1
            mode, latency_ms = self._mode, self._latency_ms
        if latency_ms and self._stopping.wait(latency_ms / 1000):
            return 0, None
        if mode == "auth" or (
            self.token is not None and authorization != f"Bearer {self.token}"
        ):
            return 401, {"error": "unauthorized"}
        if mode == "hang":
            self._stopping.wait(HANG_LIMIT_S)
            return 0, None
        if mode == "error500":
            return 500, {"error": "internal error"}
        if mode == "bad_json":
            return 200, b"<html>not json"
        items = self.search(query.get("article", ""), query.get("brand"))
        return 200, {"data": {"items": items}}


def _read_stock(path: Path) -> list[dict[str, str]]:
    stock = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(stock, list):
        raise ValueError(f"stock file {path} must hold a JSON list of items")
    return _clean_stock(stock)


def main(argv: list[str] | None = None) -> None:
    """Run a demo supplier until interrupted (SIGINT or SIGTERM)."""
    from parts.logs import configure_logging

    parser = argparse.ArgumentParser(description="A fake online parts supplier.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--stock", type=Path, help="JSON list of stock items")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--token", help="bearer token every search must carry")
    args = parser.parse_args(argv)

    configure_logging()
    try:
        stock = _read_stock(args.stock) if args.stock else DEMO_STOCK
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    server = DemoSupplierServer(
        stock,
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        mode=args.mode,
        token=args.token,
    )
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with server:
        while not done.wait(0.5):
            pass


if __name__ == "__main__":
    main()
