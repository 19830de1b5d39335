"""Querying online suppliers: one generic httpx client for every config.

`OnlineClients.query` asks every enabled supplier for every identity at once
and always returns by the deadline: a slow, failing or strange supplier gives
a result whose status says why, never an exception. Replies are parsed with
the price-list parsers of `search.offer_values`, so `"2 040,74"`, `>10` or
`3-5` mean the same here as in a price file.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import math
import ssl
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from urllib.parse import quote, quote_plus

import httpx
import polars as pl

from crosses.articles import normalize_article, note_words_from
from crosses.brands import BrandTable, default_table
from search.offer_values import (
    delivery_expr,
    money_cents,
    money_currency_expr,
    multiplicity_expr,
    qty_expr,
)
from search.online.config import (
    BasicAuth,
    BearerAuth,
    HeaderAuth,
    OnlineConfigError,
    OnlineSupplier,
    QueryAuth,
    resolve_secret,
)

log = logging.getLogger(__name__)

Status = Literal["ok", "timeout", "error", "skipped"]
Identity = tuple[str, str]

MAX_REPLY_BYTES = 8 * 1024 * 1024
DEFAULT_CACHE_SIZE = 4096
# Slack past the deadline for tasks to notice their own timeout before the
# outer guard cuts them.
GRACE_S = 0.05
_CENT = Decimal("0.01")
_MAX_ERROR_CHARS = 160


@dataclass(frozen=True, slots=True)
class OnlineOffer:
    """One offer of an online supplier, with canonical identity."""

    supplier_id: str
    brand: str
    article: str
    article_raw: str
    brand_raw: str
    name: str
    price: Decimal
    currency: str
    qty: int | None
    qty_approx: bool
    multiplicity: int = 1
    delivery_days_min: int | None = None
    delivery_days_max: int | None = None
    delivery_probability: float | None = None
    warehouse: str | None = None
    vat_included: bool = True


@dataclass(frozen=True, slots=True)
class OnlineResult:
    """What one supplier answered for one identity, or why it did not."""

    supplier_id: str
    brand: str
    article: str
    status: Status
    offers: list[OnlineOffer] = field(default_factory=list)
    error: str | None = None
    elapsed_ms: float = 0.0
    cached: bool = False
    skipped_items: int = 0
    truncated: bool = False
    supplier_name: str = ""


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """Offers read from a reply, and the items that could not be read."""

    offers: list[OnlineOffer]
    skipped: Counter[str]
    truncated: bool


class ReplyError(ValueError):
    """A reply whose shape does not match the supplier's config."""


class _Refused(Exception):
    """A request that ended without a usable reply; the message is the reason."""


# Requests --------------------------------------------------------------------


class _RedactSecrets(logging.Filter):
    """Masks query-parameter keys in httpx's own request lines, which show URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.values: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.values:
            text = record.getMessage()
            if any(value in text for value in self.values):
                for value in self.values:
                    text = text.replace(value, "***")
                record.msg, record.args = text, ()
        return True


_REDACT = _RedactSecrets()
logging.getLogger("httpx").addFilter(_REDACT)


def fill_url(template: str, *, brand: str, article: str) -> str:
    """The URL template with `{article}` and `{brand}` URL-encoded in place."""
    filled = template.replace("{article}", quote(article, safe=""))
    return filled.replace("{brand}", quote(brand, safe=""))


def fill_body(template: Any, *, brand: str, article: str) -> Any:
    """The JSON body template with the placeholders filled in every string."""
    if isinstance(template, str):
        return template.replace("{article}", article).replace("{brand}", brand)
    if isinstance(template, dict):
        return {
            k: fill_body(v, brand=brand, article=article) for k, v in template.items()
        }
    if isinstance(template, list):
        return [fill_body(v, brand=brand, article=article) for v in template]
    return template


def build_request(
    client: httpx.AsyncClient,
    supplier: OnlineSupplier,
    *,
    brand: str,
    article: str,
    timeout_s: float,
) -> httpx.Request:
    """The HTTP request asking one supplier for one identity, logged in."""
    url = httpx.URL(fill_url(supplier.url, brand=brand, article=article))
    headers: dict[str, str] = {}
    auth = supplier.auth
    if isinstance(auth, BearerAuth):
        headers["Authorization"] = f"Bearer {resolve_secret(auth.token)}"
    elif isinstance(auth, BasicAuth):
        pair = f"{auth.user}:{resolve_secret(auth.password)}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    elif isinstance(auth, HeaderAuth):
        headers[auth.name] = resolve_secret(auth.value)
    elif isinstance(auth, QueryAuth):
        key = resolve_secret(auth.value)
        url = url.copy_add_param(auth.name, key)
        _REDACT.values.update({key, quote(key, safe=""), quote_plus(key)})
    body = (
        None
        if supplier.body is None
        else fill_body(supplier.body, brand=brand, article=article)
    )
    return client.build_request(
        supplier.method, url, headers=headers, json=body, timeout=timeout_s
    )


def _scrub(text: str, supplier: OnlineSupplier) -> str:
    """An error text without any secret of the config, cut short."""
    for secret in supplier.secrets():
        try:
            value = resolve_secret(secret)
        except OnlineConfigError:
            continue
        text = text.replace(value, "***")
    return text[:_MAX_ERROR_CHARS]


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise _Refused(f"reply larger than {MAX_REPLY_BYTES // 2**20} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


async def _exchange(client: httpx.AsyncClient, request: httpx.Request) -> Any:
    """Send a request and decode its JSON reply, or raise `_Refused`."""
    response = await client.send(request, stream=True)
    try:
        if response.status_code in (401, 403):
            raise _Refused(f"login refused (HTTP {response.status_code})")
        if not 200 <= response.status_code < 300:
            raise _Refused(f"HTTP {response.status_code}")
        body = await _read_capped(response)
    finally:
        await response.aclose()
    try:
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise _Refused(f"bad JSON: {exc}") from exc


# Replies ---------------------------------------------------------------------

_MISSING = object()


def dig(value: Any, path: str) -> Any:
    """The value at a dotted path (`data.items`, `offers.0.price`); `` is the root."""
    for key in path.split(".") if path else ():
        if isinstance(value, dict):
            value = value.get(key, _MISSING)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def _items_of(payload: Any, path: str) -> list[Any]:
    items = dig(payload, path)
    shown = path or "the top level"
    if items is _MISSING:
        raise ReplyError(f"no `{shown}` in the reply")
    if items is None:
        return []  # some services answer `null` when they have nothing
    if not isinstance(items, list):
        raise ReplyError(f"`{shown}` is not a list")
    return items


def _text(value: Any) -> str | None:
    if value is None or value is _MISSING or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "есть" if value else "нет"
    text = str(value).strip()
    return text or None


def _number_money(value: Any) -> Decimal | None:
    """A JSON number is a price without locale doubts: no text parser needed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Decimal(str(value)).quantize(_CENT, ROUND_HALF_UP)


def _percent(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text.rstrip("%").strip().replace(",", "."))
    except ValueError:
        return None
    return number if 0 <= number <= 100 else None


def _field(item: dict[str, Any], fields: Mapping[str, str], name: str) -> Any:
    path = fields.get(name)
    return _MISSING if path is None else dig(item, path)


_PARSED_FIELDS = (
    "price",
    "currency",
    "qty",
    "multiplicity",
    "delivery_days",
    "delivery_days_min",
    "delivery_days_max",
)


def _columns(supplier: OnlineSupplier, items: list[dict[str, Any]]) -> pl.DataFrame:
    """The fields parsed as price lists parse them, one row per item."""
    texts = {
        name: [_text(_field(item, supplier.fields, name)) for item in items]
        for name in _PARSED_FIELDS
    }
    frame = pl.DataFrame(texts, schema=dict.fromkeys(texts, pl.String))
    return frame.with_columns(
        cents=money_cents(frame["price"], supplier.decimal),
        price_currency=money_currency_expr("price"),
        item_currency=money_currency_expr("currency"),
        stock=qty_expr("qty"),
        days=delivery_expr("delivery_days"),
        days_min=delivery_expr("delivery_days_min").struct.field("min"),
        days_max=delivery_expr("delivery_days_max").struct.field("max"),
        step=multiplicity_expr("multiplicity"),
    )


def _currency(row: dict[str, Any], default: str) -> str:
    own = (row["currency"] or "").upper()
    if row["item_currency"]:
        return str(row["item_currency"])
    if len(own) == 3 and own.isalpha() and own.isascii():
        return own
    return str(row["price_currency"] or default)


def _days(row: dict[str, Any]) -> tuple[int | None, int | None]:
    lo = row["days_min"] if row["days_min"] is not None else row["days"]["min"]
    hi = row["days_max"] if row["days_max"] is not None else row["days"]["max"]
    lo = hi if lo is None else lo
    hi = lo if hi is None else hi
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


@dataclass(frozen=True, slots=True)
class _Context:
    supplier: OnlineSupplier
    brand: str
    brands: BrandTable
    is_note_word: Callable[[str], bool] | None


def _offer(
    item: dict[str, Any], row: dict[str, Any], ctx: _Context
) -> OnlineOffer | str:
    """An offer from one item and its parsed row, or the reason it is skipped."""
    supplier, fields = ctx.supplier, ctx.supplier.fields
    article_raw = _text(_field(item, fields, "article"))
    article = normalize_article(article_raw, ctx.is_note_word)[0]
    if not article_raw or not article:
        return "no_article"
    price = _number_money(_field(item, fields, "price"))
    if price is None and row["cents"] is not None:
        price = (Decimal(row["cents"]) / 100).quantize(_CENT)
    if price is None:
        return "bad_price"
    if price <= 0:
        return "price_not_positive"
    if row["step"] is None:
        return "bad_multiplicity"

    brand_raw = _text(_field(item, fields, "brand")) or ctx.brand
    lo, hi = _days(row)
    probability = _percent(_field(item, fields, "delivery_probability"))
    stock = row["stock"]
    return OnlineOffer(
        supplier_id=supplier.id,
        brand=ctx.brands.canonical(brand_raw) or ctx.brand,
        article=article,
        article_raw=article_raw,
        brand_raw=brand_raw,
        name=_text(_field(item, fields, "name")) or "",
        price=price,
        currency=_currency(row, supplier.currency),
        qty=stock["qty"],
        qty_approx=bool(stock["approx"]),
        multiplicity=int(row["step"]),
        delivery_days_min=lo,
        delivery_days_max=hi,
        delivery_probability=(
            probability if probability is not None else supplier.delivery_probability
        ),
        warehouse=_text(_field(item, fields, "warehouse")),
        vat_included=supplier.vat_included,
    )


def parse_reply(
    supplier: OnlineSupplier,
    payload: Any,
    *,
    brand: str,
    brands: BrandTable,
    is_note_word: Callable[[str], bool] | None = None,
) -> ParsedReply:
    """Offers in a decoded JSON reply; items that do not parse are counted."""
    items = _items_of(payload, supplier.items)
    truncated = len(items) > supplier.max_items
    items = items[: supplier.max_items]
    skipped: Counter[str] = Counter()
    objects = [item for item in items if isinstance(item, dict)]
    skipped["not_an_object"] = len(items) - len(objects)
    ctx = _Context(supplier, brand, brands, is_note_word)

    offers: list[OnlineOffer] = []
    rows = _columns(supplier, objects).iter_rows(named=True)
    for item, row in zip(objects, rows, strict=True):
        offer = _offer(item, row, ctx)
        if isinstance(offer, str):
            skipped[offer] += 1
        else:
            offers.append(offer)
    if +skipped:
        log.debug("items skipped supplier=%s reasons=%s", supplier.id, dict(skipped))
    return ParsedReply(offers, +skipped, truncated)


# Cache -----------------------------------------------------------------------


class _TtlCache:
    """Recent successful results; a lock because several threads may share it."""

    def __init__(self, max_size: int, clock: Callable[[], float]) -> None:
        self._max_size = max_size
        self._clock = clock
        self._items: OrderedDict[tuple[str, str, str], tuple[float, OnlineResult]]
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> OnlineResult | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return entry[1]

    def put(
        self, key: tuple[str, str, str], result: OnlineResult, ttl_s: float
    ) -> None:
        if ttl_s <= 0 or self._max_size <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + ttl_s, result)
            self._items.move_to_end(key)
            while len(self._items) > self._max_size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# Clients ---------------------------------------------------------------------


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: building one costs ~20 ms per client."""
    return httpx.create_ssl_context()


class OnlineClients:
    """Every configured online supplier behind one bounded, cached `query`.

    An `httpx.AsyncClient` belongs to the event loop it first ran in, so the
    shared client is bound to the first loop that queries; a query from any
    other loop (another thread's `asyncio.run`, `query_sync`) gets a client of
    its own for that call. `transport` is for tests (`httpx.MockTransport`).
    """

    def __init__(
        self,
        suppliers: Mapping[str, OnlineSupplier],
        *,
        brands: BrandTable | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        max_connections: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.suppliers = dict(suppliers)
        self.brands = brands if brands is not None else default_table()
        self._is_note_word = note_words_from(self.brands.spellings)
        self._transport = transport
        self._limits = httpx.Limits(max_connections=max_connections)
        self._cache = _TtlCache(cache_size, clock)
        self._clock = clock
        self._down: dict[str, tuple[float, str]] = {}  # supplier → until, why
        self._lock = threading.Lock()
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self._transport,
            verify=_ssl_context(),
            limits=self._limits,
            headers={"Accept": "application/json", "User-Agent": "parts-online/1"},
        )

    def _client_for_running_loop(self) -> tuple[httpx.AsyncClient, bool]:
        """The shared client if it belongs to this loop, else a one-call client."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._client is None or self._loop is None or self._loop.is_closed():
                # A client of a closed loop is dropped: its sockets died with it.
                self._client, self._loop = self._new_client(), loop
            if self._loop is loop:
                return self._client, False
        return self._new_client(), True

    def clear_cache(self) -> None:
        """Forget every cached reply."""
        self._cache.clear()

    async def query(
        self,
        identities: list[tuple[str, str]],
        *,
        deadline_s: float,
        suppliers: list[str] | None = None,
    ) -> list[OnlineResult]:
        """Ask the suppliers for every `(brand, article)`; back by the deadline.

        One result per supplier and identity, suppliers in config order. Offers
        may name other brands than the one asked: choosing is the caller's job.
        """
        until = time.monotonic() + deadline_s
        client, owned = self._client_for_running_loop()
        try:
            return await self._query(client, identities, until=until, names=suppliers)
        finally:
            if owned:
                await client.aclose()

    def query_sync(
        self,
        identities: list[tuple[str, str]],
        *,
        deadline_s: float,
        suppliers: list[str] | None = None,
    ) -> list[OnlineResult]:
        """`query` for code without an event loop (the CLI, worker threads)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("`query_sync` called inside an event loop; use `query`")
        until = time.monotonic() + deadline_s
        return asyncio.run(self._query_own_client(identities, until, suppliers))

    async def _query_own_client(
        self, identities: list[Identity], until: float, names: list[str] | None
    ) -> list[OnlineResult]:
        async with self._new_client() as client:
            return await self._query(client, identities, until=until, names=names)

    def _plan(
        self, names: list[str] | None
    ) -> tuple[list[OnlineSupplier], list[tuple[str, str]]]:
        """Suppliers to ask, and the named ones that cannot be asked (why)."""
        if names is None:
            return [s for s in self.suppliers.values() if s.enabled], []
        chosen: list[OnlineSupplier] = []
        refused: list[tuple[str, str]] = []
        for name in dict.fromkeys(names):
            supplier = self.suppliers.get(name)
            if supplier is None:
                refused.append((name, "unknown online supplier"))
            elif not supplier.enabled:
                refused.append((name, "disabled"))
            else:
                chosen.append(supplier)
        return chosen, refused

    async def _query(
        self,
        client: httpx.AsyncClient,
        identities: Iterable[Identity],
        *,
        until: float,
        names: list[str] | None,
    ) -> list[OnlineResult]:
        chosen, refused = self._plan(names)
        wanted = list(dict.fromkeys(identities))
        jobs = [(s, b, a) for s in chosen for b, a in wanted]
        tasks = [
            asyncio.ensure_future(
                self._fetch(client, s, brand=b, article=a, until=until)
            )
            for s, b, a in jobs
        ]
        if tasks:
            # Each request has its own timeout within the deadline; this guard
            # only catches one that failed to notice it.
            left = max(0.0, until - time.monotonic())
            _, pending = await asyncio.wait(tasks, timeout=left + GRACE_S)
            for task in pending:
                task.cancel()
        results = [
            replace(_outcome(task, s, brand=b, article=a), supplier_name=s.name)
            for task, (s, b, a) in zip(tasks, jobs, strict=True)
        ]
        results += [
            OnlineResult(name, b, a, "error", error=reason)
            for name, reason in refused
            for b, a in wanted
        ]
        return results

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        supplier: OnlineSupplier,
        *,
        brand: str,
        article: str,
        until: float,
    ) -> OnlineResult:
        key = (supplier.id, brand, article)
        hit = self._cache.get(key)
        if hit is not None:
            return replace(hit, cached=True, elapsed_ms=0.0)
        left = until - time.monotonic()
        if left <= 0:
            reason = "query deadline passed before the request"
            return OnlineResult(supplier.id, brand, article, "skipped", error=reason)
        down = self._cooling(supplier)
        if down is not None:
            return OnlineResult(supplier.id, brand, article, "skipped", error=down)

        budget = min(supplier.timeout_s, left)
        started = time.perf_counter()
        result = await self._ask(
            client, supplier, brand=brand, article=article, budget=budget
        )
        result = replace(result, elapsed_ms=(time.perf_counter() - started) * 1000)
        if result.status == "ok":
            self._cache.put(key, result, supplier.cache_ttl_s)
        self._note_health(supplier, result, cut=budget < supplier.timeout_s)
        log.info(
            "online request supplier=%s brand=%s article=%s status=%s "
            "elapsed_ms=%.0f offers=%d skipped=%d error=%s",
            supplier.id,
            brand,
            article,
            result.status,
            result.elapsed_ms,
            len(result.offers),
            result.skipped_items,
            result.error,
        )
        return result

    def _cooling(self, supplier: OnlineSupplier) -> str | None:
        """Why the supplier is not asked now (it failed a moment ago), or None."""
        with self._lock:
            down = self._down.get(supplier.id)
        if down is None:
            return None
        left = down[0] - self._clock()
        if left <= 0:
            return None
        # whole seconds, rounded up: 0.3 s left is "1 s", never "0 s"
        return f"not asked for {math.ceil(left)} s more: {down[1]}"

    def _note_health(
        self, supplier: OnlineSupplier, result: OnlineResult, *, cut: bool
    ) -> None:
        """A supplier that timed out or failed is skipped for `cooldown_s`; one
        cut short by the query's own deadline is not its fault."""
        with self._lock:
            if result.status == "ok":
                self._down.pop(supplier.id, None)
            elif supplier.cooldown_s > 0 and not (result.status == "timeout" and cut):
                until = self._clock() + supplier.cooldown_s
                self._down[supplier.id] = (until, result.error or result.status)

    async def _ask(
        self,
        client: httpx.AsyncClient,
        supplier: OnlineSupplier,
        *,
        brand: str,
        article: str,
        budget: float,
    ) -> OnlineResult:
        """One request and its parsed reply; every failure becomes a status."""

        def failed(status: Status, reason: str) -> OnlineResult:
            return OnlineResult(
                supplier.id, brand, article, status, error=_scrub(reason, supplier)
            )

        try:
            request = build_request(
                client,
                supplier,
                brand=brand,
                article=article,
                timeout_s=budget + GRACE_S,
            )
            async with asyncio.timeout(budget):
                payload = await _exchange(client, request)
            parsed = parse_reply(
                supplier,
                payload,
                brand=brand,
                brands=self.brands,
                is_note_word=self._is_note_word,
            )
        except (TimeoutError, httpx.TimeoutException):
            cut = " (query deadline)" if budget < supplier.timeout_s else ""
            return failed("timeout", f"timed out after {budget:.1f} s{cut}")
        except (_Refused, OnlineConfigError) as exc:
            return failed("error", str(exc))
        except ReplyError as exc:
            return failed("error", f"bad reply: {exc}")
        except httpx.ConnectError as exc:
            return failed("error", f"cannot connect: {exc}")
        except httpx.HTTPError as exc:
            return failed("error", f"{type(exc).__name__}: {exc}")
        return OnlineResult(
            supplier.id,
            brand,
            article,
            "ok",
            offers=parsed.offers,
            skipped_items=sum(parsed.skipped.values()),
            truncated=parsed.truncated,
        )

    async def aclose(self) -> None:
        """Close the shared client (from the loop that uses it)."""
        with self._lock:
            client, loop = self._client, self._loop
            self._client = self._loop = None
        if client is not None and loop is asyncio.get_running_loop():
            await client.aclose()

    def close(self) -> None:
        """Close the shared client from synchronous code."""
        with self._lock:
            client, loop = self._client, self._loop
            if loop is not None and loop.is_running():
                raise RuntimeError("the shared client's loop is running; use `aclose`")
            self._client = self._loop = None
        if client is not None and loop is not None and not loop.is_closed():
            loop.run_until_complete(client.aclose())

    async def __aenter__(self) -> OnlineClients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __enter__(self) -> OnlineClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _outcome(
    task: asyncio.Future[OnlineResult],
    supplier: OnlineSupplier,
    *,
    brand: str,
    article: str,
) -> OnlineResult:
    """The result of a finished task, or why it has none."""
    if not task.done() or task.cancelled():
        reason = "cut at the query deadline"
        return OnlineResult(supplier.id, brand, article, "timeout", error=reason)
    exc = task.exception()
    if exc is not None:
        # A bug in this module must not take the quote search down with it.
        log.error("online request failed supplier=%s", supplier.id, exc_info=exc)
        reason = f"internal error: {type(exc).__name__}"
        return OnlineResult(supplier.id, brand, article, "error", error=reason)
    return task.result()
