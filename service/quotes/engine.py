"""The quote engine of one install: index, graph, stored pricing, online suppliers.

`build_engine` is shared by the API (`create_app`) and `parts search`, so both
give the same answer for the same data dir and database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from sqlalchemy import func, select

from crosses.brand_decisions import decisions_path
from crosses.brands import BrandTable, default_table
from crosses.graph import CrossGraph
from parts.settings import Settings
from search.catalogue_lake import CatalogueCache
from search.index_read import ALL_DEPARTMENTS, open_index
from search.online.client import OnlineClients
from search.online.config import OnlineSupplier, load_online_suppliers
from search.online_loop import LoopThread
from search.quotes import PricingContext, QuoteEngine
from search.search_log import SearchLog
from service.db.engine import Database
from service.db.models import AuditEntry
from service.pricing_rules.logic import current_rates, load_rule_set

log = logging.getLogger(__name__)

PRICING_CHECK_S = 1.0


class StoredPricing:
    """Rules and rates from the database, read again when the audit log moved
    (every change to them writes an audit row), checked at most once a second."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._context: PricingContext | None = None
        self._version: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Read the rules again at the next search (after a save here)."""
        with self._lock:
            self._checked = 0.0
            self._version = None

    def get(self) -> PricingContext | None:
        """The current rules and rates."""
        now = time.monotonic()
        if now - self._checked < PRICING_CHECK_S:
            return self._context
        with self._lock:
            if now - self._checked < PRICING_CHECK_S:
                return self._context
            with self.database.sessions() as session:
                version = session.scalar(select(func.max(AuditEntry.id))) or 0
                if version != self._version or self._context is None:
                    self._context = PricingContext(
                        rules=load_rule_set(session), rates=current_rates(session)
                    )
                    self._version = version
            self._checked = now
            return self._context


class Refreshed:
    """Values that are slow to load (the cross graph, the catalogue), kept by a
    background thread: a search reads the last loaded value and never waits
    for a reload (a change shows within `every_s`)."""

    def __init__(self, loaders: dict[str, Callable[[], Any]], every_s: float = 2.0):
        self._loaders = loaders
        self._values: dict[str, Any] = {}
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load every value now (at start, before serving)."""
        for name, loader in self._loaders.items():
            try:
                value = loader()
            except Exception:  # a broken source must not stop the others
                log.exception("%s not reloaded", name)
                continue
            self._values[name] = value

    def getter(self, name: str) -> Callable[[], Any]:
        """A provider of the last value (loaded on first use when not running)."""

        def get() -> Any:
            if name not in self._values:
                with self._lock:
                    if name not in self._values:
                        self._values[name] = self._loaders[name]()
            return self._values[name]

        return get

    def start(self) -> None:
        """Reload in the background every `every_s` seconds."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="quote-refresh", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            self.load()

    def close(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


def online_visibility(
    suppliers: dict[str, OnlineSupplier],
) -> Callable[[str | None, Sequence[str]], frozenset[str]]:
    """Which online suppliers a department may see, narrowed to price groups."""

    def visible(department: str | None, price_groups: Sequence[str]) -> frozenset[str]:
        wanted = set(price_groups)
        return frozenset(
            s.id
            for s in suppliers.values()
            if s.enabled
            and (
                not s.departments
                or department == ALL_DEPARTMENTS
                or department in s.departments
            )
            and (not wanted or wanted & set(s.price_groups))
        )

    return visible


class OnlineRunner:
    """Online clients on a background loop, so sync searches can wait on them."""

    def __init__(self, clients: OnlineClients) -> None:
        self.clients = clients
        self._loop = LoopThread()

    def fetch(
        self,
        identities: list[tuple[str, str]],
        deadline_s: float,
        allowed: frozenset[str] | None,
    ) -> Future[list[Any]] | None:
        """Start the queries; None when no supplier may be asked."""
        names = sorted(allowed) if allowed is not None else None
        if names == []:
            return None
        coro = self.clients.query(identities, deadline_s=deadline_s, suppliers=names)
        return self._loop.submit(coro)

    def close(self) -> None:
        """Close the clients, then the loop."""
        try:
            self._loop.submit(self.clients.aclose()).result(timeout=2)
        except Exception:  # closing must not fail a shutdown
            log.warning("online clients not closed cleanly", exc_info=True)
        self._loop.close()


def build_engine(
    settings: Settings,
    database: Database,
    *,
    graph: Callable[[], CrossGraph | None],
    online: bool = True,
) -> tuple[QuoteEngine, dict[str, Any]]:
    """The engine and its parts to start, close or invalidate: `pricing`,
    `online`, `log`, `refreshed` (the graph and the catalogue; a server calls
    its `load()` before serving and `start()` to follow changes)."""
    lake_dir = settings.lake_dir

    def brands() -> BrandTable:
        return default_table(accepted=decisions_path(lake_dir))

    pricing = StoredPricing(database)
    online_suppliers = (
        load_online_suppliers(settings.profiles_dir / "online") if online else {}
    )
    runner = (
        OnlineRunner(OnlineClients(online_suppliers, brands=brands()))
        if online_suppliers
        else None
    )
    search_log = SearchLog(lake_dir)
    refreshed = Refreshed({"graph": graph, "catalogue": CatalogueCache(lake_dir).get})
    engine = QuoteEngine(
        index=open_index(settings.index_dir),
        brands=brands,
        graph=refreshed.getter("graph"),
        pricing=pricing.get,
        catalogue=refreshed.getter("catalogue"),
        online=runner.fetch if runner else None,
        online_visible=online_visibility(online_suppliers),
        online_deadline_s=settings.online_deadline_s,
        priority_brands=[
            b.strip().upper() for b in settings.priority_brands.split(",") if b.strip()
        ],
        log_search=search_log.write,
        online_price_groups={
            s.id: s.price_groups[0] for s in online_suppliers.values() if s.price_groups
        },
    )
    parts = {
        "pricing": pricing,
        "online": runner,
        "log": search_log,
        "refreshed": refreshed,
        "online_suppliers": online_suppliers,
    }
    return engine, parts
