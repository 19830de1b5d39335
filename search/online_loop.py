"""A background event loop for online supplier queries.

Quote search runs in worker threads (the API's thread pool, the CLI's main
thread); online queries are asyncio (httpx). One loop thread per process
keeps one connection pool warm for every search; a search submits its
queries and gets a `concurrent.futures.Future` it waits on with a timeout.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """An asyncio loop in a daemon thread."""

    def __init__(self, name: str = "online-suppliers") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run a coroutine on the loop; its result as a future."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the loop and wait for the thread."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self._loop.close()
