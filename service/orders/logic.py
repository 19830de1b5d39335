"""Customer orders: price each chosen quote line again on the server, check
quantity, stock and price, save the order once per idempotency key, move it
through its statuses.

The browser names offers and quantities; prices and stock always come from a
new quote search, so a tampered or stale page cannot set a price.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pricing.rules import Discount
from search.index_read import ALL_DEPARTMENTS
from search.quotes import QuoteEngine, QuoteRequest
from service.clients.logic import client_pricing
from service.db import audit
from service.db.audit import Actor
from service.db.models import (
    Client,
    CustomerOrder,
    CustomerOrderLine,
    User,
    names_a_row,
    utcnow,
)
from service.db.session import transaction
from service.orders.models import (
    CheckLine,
    OrderCheck,
    OrderDraft,
    OrderHead,
    OrderIn,
    OrderLineIn,
    OrderLineOut,
    OrderOut,
    OrderSummary,
)
from service.users.logic import (
    CurrentUser,
    asked_department,
    department_clause,
    sees_department,
)

log = logging.getLogger(__name__)

STATUSES: tuple[str, ...] = (
    "new", "confirmed", "ordered", "received", "issued", "cancelled",
)  # fmt: skip
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "new": ("confirmed", "cancelled"),
    "confirmed": ("ordered", "cancelled"),
    "ordered": ("received", "cancelled"),
    "received": ("issued", "cancelled"),
    "issued": (),
    "cancelled": (),
}
STATUS_LABELS: dict[str, dict[str, str]] = {
    "ru": {
        "new": "Новый",
        "confirmed": "Подтверждён",
        "ordered": "Заказан у поставщика",
        "received": "Получен",
        "issued": "Выдан",
        "cancelled": "Отменён",
    },
    "en": {
        "new": "New",
        "confirmed": "Confirmed",
        "ordered": "Ordered from the supplier",
        "received": "Received",
        "issued": "Issued",
        "cancelled": "Cancelled",
    },
}
MAX_ORDERS = 200
SEARCH_LIMIT = 10_000
PRICES_CHANGED = "prices changed: review and submit again"

# what tells one offer from another: a price-list row, or an online supplier's
# offers of a part at a warehouse (the cheapest of them is taken)
OFFER_KEYS = ("source", "supplier_id", "warehouse", "brand", "article", "load_id",
              "row")  # fmt: skip

# (brand, article, source, online supplier id or None): one search each
# brand, article, source, online supplier, and whether analogs are searched
Identity = tuple[str, str, str, str | None, bool]


class OrderRejected(ValueError):
    """An order or a status change refused; `problems` lists every reason.

    `lines` holds the per-line problems (position, code, prices) for a page
    to mark; `status` is the HTTP status an API answers with; `code` and
    `facts` say a refusal of the whole in terms a page can put in its words.
    """

    def __init__(
        self,
        problems: list[str],
        *,
        status: int = 409,
        title: str = "order refused",
        lines: list[dict[str, Any]] | None = None,
        code: str | None = None,
        facts: dict[str, Any] | None = None,
    ) -> None:
        self.problems = problems
        self.status = status
        self.title = title
        self.lines = lines or []
        self.code = code
        self.facts = facts or {}
        super().__init__(f"{title}: " + "; ".join(problems))


@dataclass(frozen=True)
class Submission:
    """An order as posted: the body, its `Idempotency-Key`, and who posted it."""

    order: OrderIn
    key: str
    user: CurrentUser

    @property
    def digest(self) -> str:
        return request_hash(self.order)


@dataclass(frozen=True)
class Pricing:
    """Whom an order is priced for: the client's terms, and the department
    the user searches as (`search_department`)."""

    client_group: str | None
    discount: Discount | None
    department: str | None
    who: str
    time_limit_ms: float

    @property
    def order_department(self) -> str | None:
        """The department the order is kept as: the one searched as; none
        for an admin who searched every department's price lists."""
        return None if self.department == ALL_DEPARTMENTS else self.department


@dataclass(frozen=True)
class PricedLine:
    """An order line matched to its current offer and checked."""

    position: int
    qty: int
    offer: dict[str, Any]
    stock_checked: bool

    @property
    def price_kop(self) -> int:
        return kopecks(self.offer["price"])


@dataclass(frozen=True)
class LineProblem:
    """Why one line cannot be ordered as asked."""

    position: int
    line: OrderLineIn
    code: str
    message: str
    status: int = 409
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        line = self.line
        return (
            f"line {self.position} ({line.brand} {line.article}, supplier "
            f"`{line.supplier_id}`): {self.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position, "brand": self.line.brand,
            "article": self.line.article, "supplier_id": self.line.supplier_id,
            "code": self.code, "message": self.text(), **self.extra,
        }  # fmt: skip


@dataclass(frozen=True)
class LineCheck:
    """An order line matched to its current offer (None: not offered any
    more) and what stops it from being ordered as asked."""

    position: int
    line: OrderLineIn
    offer: dict[str, Any] | None
    problems: list[LineProblem]

    def priced(self) -> PricedLine:
        """The line as it is ordered (only when it has no problems)."""
        assert self.offer is not None and not self.problems
        qty = self.line.qty
        return PricedLine(
            self.position, qty, self.offer, stock_checked(qty, self.offer)
        )


# money -----------------------------------------------------------------------------


def kopecks(rub: str | Decimal) -> int:
    """Roubles (`"570.00"`) as whole kopecks (57000)."""
    value = Decimal(rub) * 100
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def rub_text(kop: int) -> str:
    """Kopecks as roubles with two decimals (123450 → `"1234.50"`)."""
    return f"{Decimal(kop).scaleb(-2):.2f}"


# placing an order ------------------------------------------------------------------


def request_hash(order: OrderIn) -> str:
    """A SHA-256 of the canonical JSON of the order's client, lines and note
    (and department, when named)."""
    data = order.model_dump(mode="json", include={"client_id", "lines", "note"})
    if order.department is not None:
        # only when named, so the orders placed before it existed hash the same
        data["department"] = order.department
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def submit_order(
    session: Session,
    engine: QuoteEngine,
    submission: Submission,
    *,
    time_limit_ms: float,
) -> tuple[OrderOut, bool]:
    """Price, check and save an order; the order and whether it is new.

    A key this user already placed answers that order (False). Database work
    runs in a worker thread, the quote searches on the event loop.
    """
    existing = await asyncio.to_thread(replayed, session, submission)
    if existing is not None:
        return await asyncio.to_thread(order_out, session, existing), False
    pricing, answers = await priced_answers(
        session, engine, submission.order, submission.user,
        time_limit_ms=time_limit_ms,
    )  # fmt: skip
    hidden = hidden_suppliers(engine, pricing, submission.order)
    lines = price_lines(submission.order, answers, hidden)
    order, created = await asyncio.to_thread(
        place_order, session, submission, pricing, lines
    )
    return await asyncio.to_thread(order_out, session, order), created


async def check_order(
    session: Session,
    engine: QuoteEngine,
    order: OrderDraft,
    user: CurrentUser,
    *,
    time_limit_ms: float,
) -> OrderCheck:
    """Price and check an order as `submit_order` would, saving nothing:
    every line with its offer now, and every problem placing it would meet."""
    pricing, answers = await priced_answers(
        session, engine, order, user, time_limit_ms=time_limit_ms
    )
    checks = check_lines(order, answers, hidden_suppliers(engine, pricing, order))
    problems = sorted(
        (p for check in checks for p in check.problems), key=lambda p: p.position
    )
    priced = [  # a quantity below 1 is a problem, not a credit to the total
        (c.offer["price"], c.line.qty)
        for c in checks
        if c.offer is not None and c.offer["price"] is not None and c.line.qty >= 1
    ]
    return OrderCheck(
        orderable=not problems,
        client_group=pricing.client_group,
        department=pricing.order_department,
        total=rub_text(sum(kopecks(price) * qty for price, qty in priced)),
        lines=[check_out(check) for check in checks],
        problems=[p.to_dict() for p in problems],
    )


def check_out(check: LineCheck) -> CheckLine:
    """One checked line as `POST /api/orders/check` answers it."""
    line = check.line
    return CheckLine(
        position=check.position, brand=line.brand, article=line.article,
        supplier_id=line.supplier_id, source=line.source, warehouse=line.warehouse,
        qty=line.qty, price_seen=line.price_seen, offer=check.offer,
    )  # fmt: skip


async def priced_answers(
    session: Session,
    engine: QuoteEngine,
    order: OrderDraft,
    user: CurrentUser,
    *,
    time_limit_ms: float,
) -> tuple[Pricing, dict[Identity, dict[str, Any]]]:
    """Whom and as what department the order is priced for, and the quote
    answer of each identity of its lines, priced so."""
    pricing = await asyncio.to_thread(
        pricing_for, session, order, user, time_limit_ms=time_limit_ms
    )
    # hold no transaction open while the suppliers are asked
    await asyncio.to_thread(session.rollback)
    return pricing, await search_offers(engine, order, pricing)


def replayed(session: Session, submission: Submission) -> CustomerOrder | None:
    """The order this user placed with this key before, else None.

    The same key with another body is refused (422): it is a client bug,
    and answering the old order would hide it.
    """
    order = session.scalar(
        select(CustomerOrder).where(
            CustomerOrder.user_id == submission.user.id,
            CustomerOrder.idempotency_key == submission.key,
        )
    )
    if order is not None and order.request_hash != submission.digest:
        raise OrderRejected(
            [f"`Idempotency-Key` `{submission.key}` was used for order {order.id} "
             "with other lines: send a new key for a new order"],
            status=422, title="Idempotency-Key reused for a different order",
        )  # fmt: skip
    return order


def pricing_for(
    session: Session, order: OrderDraft, user: CurrentUser, *, time_limit_ms: float
) -> Pricing:
    """The client's group and discount (404: no client) and the department
    the user searches as: their own, or the one an admin names (403 for
    others, 422 for an unknown one)."""
    client_group, discount = (
        client_pricing(session, order.client_id)
        if order.client_id is not None
        else (None, None)  # a cart checked before its client is chosen
    )
    department = asked_department(session, user, order.department)
    return Pricing(client_group, discount, department, user.login, time_limit_ms)


def identity(line: OrderLineIn) -> Identity:
    """What one search is for; lines of one identity share it.

    An analog is searched from the part that was asked for, analogs on, so
    that it is priced as the analog it was shown as.
    """
    online = line.supplier_id if line.source == "online" else None
    if line.asked_article:
        brand = line.asked_brand or line.brand
        return brand, line.asked_article, line.source, online, True
    return line.brand, line.article, line.source, online, False


def quote_request(key: Identity, pricing: Pricing) -> QuoteRequest:
    """The quote search that prices the offers of one identity for the client."""
    brand, article, source, online_supplier, analogs = key
    return QuoteRequest(
        article=article,
        brand=brand,
        analogs=analogs,
        client_group=pricing.client_group,
        discount=pricing.discount,
        department=pricing.department,
        sources=(source,),
        online=source == "online",
        online_suppliers=(online_supplier,) if online_supplier else (),
        limit=SEARCH_LIMIT,
        time_limit_ms=pricing.time_limit_ms,
        who=pricing.who,
    )


async def search_offers(
    engine: QuoteEngine, order: OrderDraft, pricing: Pricing
) -> dict[Identity, dict[str, Any]]:
    """The quote answer of each identity of the order, searched together."""
    keys = list(dict.fromkeys(identity(line) for line in order.lines))
    answers = await asyncio.gather(
        *(engine.search_async(quote_request(key, pricing)) for key in keys)
    )
    log.info("order priced: %d lines, %d searches", len(order.lines), len(keys))
    return {key: a.to_dict() for key, a in zip(keys, answers, strict=True)}


def hidden_suppliers(
    engine: QuoteEngine, pricing: Pricing, order: OrderDraft
) -> frozenset[str]:
    """The order's suppliers its department does not see (their lists limited
    to other departments): a line of one is not "gone", it is not theirs."""
    named = {line.supplier_id for line in order.lines if line.source == "pricelist"}
    snapshot = engine.index.snapshot() if named else None
    seen = snapshot.allowed(pricing.department) if snapshot is not None else None
    hidden = named - seen if seen is not None else set()
    online = {line.supplier_id for line in order.lines if line.source == "online"}
    if online:
        hidden |= online - engine.visible_online(pricing.department)
    return frozenset(hidden)


def price_lines(
    order: OrderDraft,
    answers: dict[Identity, dict[str, Any]],
    hidden: frozenset[str] = frozenset(),
) -> list[PricedLine]:
    """Each line matched to its offer and checked, or `OrderRejected` naming
    every problem of every line."""
    checks = check_lines(order, answers, hidden)
    problems = [p for check in checks for p in check.problems]
    if problems:
        raise rejection(problems)
    return [check.priced() for check in checks]


def check_lines(
    order: OrderDraft,
    answers: dict[Identity, dict[str, Any]],
    hidden: frozenset[str] = frozenset(),
) -> list[LineCheck]:
    """Every line matched to its current offer, with all that is wrong with
    ordering it as asked (a line naming an offer an earlier line took too)."""
    checks = []
    taken: dict[tuple[Any, ...], int] = {}
    for position, line in enumerate(order.lines, start=1):
        check = check_line(position, line, answers[identity(line)], hidden)
        key = offer_key(line, check.offer)
        if key in taken:
            # stock is checked per line: two lines of one offer would pass it
            message = (
                f"the same offer as line {taken[key]}: order it once, with the "
                "whole qty"
            )
            repeated = LineProblem(position, line, "repeated", message, status=422)
            check = replace(check, problems=[repeated, *check.problems])
        taken.setdefault(key, position)
        checks.append(check)
    return checks


def offer_key(line: OrderLineIn, offer: dict[str, Any] | None) -> tuple[Any, ...]:
    """Which offer a line takes: the one it matched, else the one it names
    (whether it was asked for as itself or as an analog)."""
    named = offer or line.model_dump()
    return tuple(named.get(k) for k in OFFER_KEYS)


def check_line(
    position: int,
    line: OrderLineIn,
    answer: dict[str, Any],
    hidden: frozenset[str] = frozenset(),
) -> LineCheck:
    """One line matched to its current offer and checked."""
    offer = match_offer(line, answer["lines"])
    if offer is None and line.supplier_id in hidden:
        message = f"supplier `{line.supplier_id}` is not offered to this department"
        problem = LineProblem(position, line, "not_visible", message)
        return LineCheck(position, line, None, [problem])
    if offer is None:
        return LineCheck(position, line, None, [_gone(position, line, answer)])
    if offer["price"] is None:
        reason = offer.get("price_reason") or "no pricing rule applies"
        problem = LineProblem(position, line, "no_price", f"no price: {reason}")
        return LineCheck(position, line, offer, [problem])
    problems = qty_problems(position, line, offer)
    price = Decimal(offer["price"])
    if line.price_seen is not None and line.price_seen != price:
        problems.append(
            LineProblem(
                position, line, "price_changed",
                f"price changed from {line.price_seen} to {offer['price']}",
                extra={"price_seen": str(line.price_seen), "price": offer["price"]},
            )
        )  # fmt: skip
    return LineCheck(position, line, offer, problems)


def price_line(
    position: int, line: OrderLineIn, answer: dict[str, Any]
) -> PricedLine | list[LineProblem]:
    """One line priced from the current offer, or what is wrong with it."""
    check = check_line(position, line, answer)
    return check.problems or check.priced()


def match_offer(
    line: OrderLineIn, offers: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The offer a line names: its price-list row, or the online supplier's
    cheapest offer at that warehouse."""
    same = [
        o for o in offers
        if o["source"] == line.source and o["supplier_id"] == line.supplier_id
        and o["warehouse"] == line.warehouse
        and (o["brand"], o["article"]) == (line.brand, line.article)
    ]  # fmt: skip
    if line.source == "pricelist":
        return price_list_row(line, same)
    return _cheapest(same)


def price_list_row(
    line: OrderLineIn, same: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The row of the supplier's live load that is the line's offer.

    While the load the line was seen in is live, only its own row is. After
    a new load (suppliers send several a day, and a row may move), it is the
    live row of the same supplier, warehouse, brand and article. Of several
    such rows (packagings, batches), the same row number is most likely the
    same line of a file that barely changed; else the one priced closest to
    what the manager saw (they chose it for that price), the cheaper on a
    tie; else the cheapest.
    """
    if not same:
        return None
    if same[0]["load_id"] == line.load_id:  # one supplier: one live load
        return next((o for o in same if o["row"] == line.row), None)
    by_row = next((o for o in same if o["row"] == line.row), None)
    if by_row is not None:
        return by_row
    seen = line.price_seen
    priced = [o for o in same if o["price"] is not None]
    if seen is not None and priced:
        return min(
            priced,
            key=lambda o: (abs(Decimal(o["price"]) - seen), Decimal(o["price"])),
        )
    return _cheapest(same)


def _cheapest(offers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The cheapest priced offer, else the first, else None."""
    priced = [o for o in offers if o["price"] is not None]
    if priced:
        return min(priced, key=lambda o: Decimal(o["price"]))
    return offers[0] if offers else None


def qty_problems(
    position: int, line: OrderLineIn, offer: dict[str, Any]
) -> list[LineProblem]:
    """What is wrong with the quantity: below 1, off the multiplicity, over stock."""
    qty, stock = line.qty, offer["qty"]
    if qty < 1:
        message = f"qty {qty}: order at least 1"
        return [LineProblem(position, line, "bad_qty", message, status=422)]
    problems = []
    step = offer.get("multiplicity") or 1
    if qty % step:
        problems.append(_off_step(position, line, step))
    if stock == 0:
        problems.append(LineProblem(position, line, "out_of_stock", "out of stock"))
    elif stock is not None and not offer["qty_approx"] and qty > stock:
        problems.append(
            LineProblem(position, line, "over_stock",
                        f"only {stock} in stock, {qty} asked", extra={"stock": stock})
        )  # fmt: skip
    return problems


def stock_checked(qty: int, offer: dict[str, Any]) -> bool:
    """Whether the known stock covers `qty` (unknown or approximate: not checked)."""
    return offer["qty"] is not None and qty <= offer["qty"]


def _off_step(position: int, line: OrderLineIn, step: int) -> LineProblem:
    lower = line.qty // step * step
    nearest = [q for q in (lower, lower + step) if q >= 1]
    choices = " or ".join(str(q) for q in nearest)
    return LineProblem(
        position, line, "multiplicity",
        f"qty {line.qty} is not a multiple of {step}: order {choices}",
        status=422, extra={"multiplicity": step, "nearest": nearest},
    )  # fmt: skip


def _gone(position: int, line: OrderLineIn, answer: dict[str, Any]) -> LineProblem:
    failed = [
        f for f in answer["suppliers_failed"] if f["supplier_id"] == line.supplier_id
    ]
    if failed:
        status = failed[0]["status"]
        message = f"the supplier did not answer ({status}): try again"
        return LineProblem(position, line, "supplier_failed", message)
    return LineProblem(position, line, "gone", "no longer offered")


def rejection(problems: list[LineProblem]) -> OrderRejected:
    """One refusal for every line problem; 409 unless all are bad input (422)."""
    problems = sorted(problems, key=lambda p: p.position)
    status = 422 if all(p.status == 422 for p in problems) else 409
    only_prices = all(p.code == "price_changed" for p in problems)
    return OrderRejected(
        [p.text() for p in problems],
        status=status,
        title=PRICES_CHANGED if only_prices else "order refused",
        lines=[p.to_dict() for p in problems],
    )


def place_order(
    session: Session,
    submission: Submission,
    pricing: Pricing,
    lines: list[PricedLine],
) -> tuple[CustomerOrder, bool]:
    """Save the order in one transaction; the order and whether it is new.

    Two requests with one key race past `replayed`: the unique constraint on
    (user, key) refuses the second, which then answers the first's order.
    """
    try:
        with transaction(session):
            return save_order(session, submission, pricing, lines), True
    except IntegrityError:
        existing = replayed(session, submission)
        if existing is None:
            raise
        log.info("idempotent race lost", extra={"order_id": existing.id})
        return existing, False


def save_order(
    session: Session,
    submission: Submission,
    pricing: Pricing,
    lines: list[PricedLine],
) -> CustomerOrder:
    """The order row and its lines, audited; the caller commits."""
    user = submission.user
    assert pricing.client_group is not None  # an order always has its client
    order = CustomerOrder(
        client_id=submission.order.client_id,
        user_id=user.id,
        department=pricing.order_department,
        client_group=pricing.client_group,
        status="new",
        total_kop=sum(line.price_kop * line.qty for line in lines),
        idempotency_key=submission.key,
        request_hash=submission.digest,
        note=submission.order.note,
    )
    audit.write(session, order, action="insert", actor=user.actor)
    priced_at = utcnow().isoformat()
    for line in lines:
        row = line_row(order.id, line, priced_at=priced_at)
        audit.write(session, row, action="insert", actor=user.actor)
    return order


def line_row(order_id: int, line: PricedLine, *, priced_at: str) -> CustomerOrderLine:
    """The order line of a priced line, with the whole offer as its snapshot."""
    offer = line.offer
    snapshot = orjson.loads(orjson.dumps(offer))
    snapshot.update(
        stock_checked=line.stock_checked, requested_qty=line.qty, priced_at=priced_at
    )
    return CustomerOrderLine(
        order_id=order_id,
        position=line.position,
        brand=offer["brand"],
        article=offer["article"],
        name=_clip(offer.get("name"), 500),
        supplier_id=offer["supplier_id"],
        source=offer["source"],
        warehouse=offer["warehouse"],
        qty=line.qty,
        price_kop=line.price_kop,
        amount_kop=line.price_kop * line.qty,
        purchase_price=Decimal(offer["purchase_price"]),
        currency=offer["currency"],
        delivery_days_min=offer["delivery_days_min"],
        delivery_days_max=offer["delivery_days_max"],
        offer=snapshot,
    )


def _clip(text: str | None, most: int) -> str | None:
    return text[:most] if text else None


# reading orders --------------------------------------------------------------------


def get_order(
    session: Session,
    order_id: int,
    *,
    lock: bool = False,
    viewer: CurrentUser | None = None,
) -> CustomerOrder:
    """The order `order_id` (locked for update if asked), or LookupError (404);
    also 404 when the `viewer` may not see its department's orders."""
    query = select(CustomerOrder).where(CustomerOrder.id == order_id)
    order = (
        session.scalar(query.with_for_update() if lock else query)
        if names_a_row(order_id)
        else None
    )
    if order is None or (
        viewer is not None and not sees_department(viewer, order.department)
    ):
        raise LookupError(f"no order {order_id}")
    return order


def list_orders(
    session: Session,
    *,
    client_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
    viewer: CurrentUser | None = None,
) -> tuple[list[OrderSummary], bool]:
    """Orders newest first (of one client, in one status, of the departments
    the `viewer` sees), at most `limit`; and whether more matched."""
    limit = max(1, min(limit, MAX_ORDERS))
    query = _summaries().limit(limit + 1)
    seen = department_clause(viewer, CustomerOrder.department) if viewer else None
    if seen is not None:
        query = query.where(seen)
    if client_id is not None:
        query = query.where(CustomerOrder.client_id == client_id)
    if status is not None:
        query = query.where(CustomerOrder.status == status)
    rows = session.execute(query).all()
    found = [
        OrderSummary(**_head(order, client, user).model_dump(), line_count=n or 0)
        for order, client, user, n in rows[:limit]
    ]
    return found, len(rows) > limit


def _summaries() -> Any:
    counts = (
        select(CustomerOrderLine.order_id, func.count().label("n"))
        .group_by(CustomerOrderLine.order_id)
        .subquery()
    )
    return (
        select(CustomerOrder, Client.name, User, counts.c.n)
        .join(Client, Client.id == CustomerOrder.client_id)
        .join(User, User.id == CustomerOrder.user_id)
        .outerjoin(counts, counts.c.order_id == CustomerOrder.id)
        .order_by(CustomerOrder.created_at.desc(), CustomerOrder.id.desc())
    )


def order_out(session: Session, order: CustomerOrder) -> OrderOut:
    """An order with its lines, client name and user, as the API shows it."""
    client = session.get(Client, order.client_id)
    user = session.get(User, order.user_id)
    lines = session.scalars(
        select(CustomerOrderLine)
        .where(CustomerOrderLine.order_id == order.id)
        .order_by(CustomerOrderLine.position)
    )
    head = _head(order, client.name if client else "", user)
    return OrderOut(
        **head.model_dump(),
        note=order.note,
        updated_at=order.updated_at,
        updated_by=order.updated_by,
        version=order.version,
        next_statuses=list(NEXT_STATUSES.get(order.status, ())),
        lines=[line_out(line) for line in lines],
    )


def _head(order: CustomerOrder, client_name: str, user: User | None) -> OrderHead:
    return OrderHead(
        id=order.id, client_id=order.client_id, client_name=client_name,
        user_login=user.login if user else "", user_name=user.name if user else "",
        department=order.department,
        client_group=order.client_group, status=order.status,  # type: ignore[arg-type]
        total=rub_text(order.total_kop), created_at=order.created_at,
    )  # fmt: skip


def line_out(line: CustomerOrderLine) -> OrderLineOut:
    """A saved order line as the API shows it."""
    return OrderLineOut(
        position=line.position, brand=line.brand, article=line.article,
        name=line.name, supplier_id=line.supplier_id, source=line.source,
        warehouse=line.warehouse, qty=line.qty, price=rub_text(line.price_kop),
        amount=rub_text(line.amount_kop), purchase_price=f"{line.purchase_price:.2f}",
        currency=line.currency, delivery_days_min=line.delivery_days_min,
        delivery_days_max=line.delivery_days_max,
        stock_checked=bool(line.offer.get("stock_checked", True)), offer=line.offer,
    )  # fmt: skip


# statuses --------------------------------------------------------------------------


def change_status(
    session: Session,
    order: CustomerOrder,
    status: str,
    *,
    actor: Actor,
    seen_version: int | None = None,
) -> CustomerOrder:
    """Move an order to `status` if its current status allows it, else 409;
    409 too when the order is no longer the `seen_version` the caller showed."""

    def refused(problem: str, code: str) -> OrderRejected:
        return OrderRejected(
            [problem], status=409, title="status change refused", code=code,
            facts={"order_status": order.status, "requested_status": status},
        )  # fmt: skip

    if seen_version is not None and seen_version != order.version:
        raise refused(
            f"order {order.id} is at version {order.version} (`{order.status}`), "
            f"not the version {seen_version} shown: look at it again",
            "order_changed",
        )
    allowed = NEXT_STATUSES.get(order.status, ())
    if status not in allowed:
        choices = ", ".join(f"`{s}`" for s in allowed) or "none: it is final"
        raise refused(
            f"order {order.id} is `{order.status}` and cannot become `{status}` "
            f"(allowed next: {choices})",
            "status_not_allowed",
        )
    audit.write(session, order, action="update", actor=actor,
                changes={"status": status})  # fmt: skip
    return order
