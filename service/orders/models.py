"""Request and answer shapes of customer orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from service.db.models import Id

Status = Literal["new", "confirmed", "ordered", "received", "issued", "cancelled"]
MAX_LINES = 200
MAX_QTY = 100_000


class OrderLineIn(BaseModel):
    """One quote line the manager chose: which offer, and how many."""

    brand: str = Field(min_length=1, max_length=100)
    article: str = Field(min_length=1, max_length=100)
    supplier_id: str = Field(min_length=1, max_length=60)
    source: Literal["pricelist", "online"]
    warehouse: str | None = Field(None, max_length=100)
    load_id: str | None = Field(
        None,
        max_length=80,
        description="The price list load the line was seen in (price-list "
        "lines). After a new load, the offer is the same supplier, warehouse, "
        "brand and article in the live one.",
    )
    row: int | None = Field(None, ge=0, description="The row in that load.")
    qty: int = Field(
        le=MAX_QTY, description="How many; checked against stock and multiplicity."
    )
    asked_brand: str | None = Field(
        None,
        max_length=100,
        description="The part searched for, when this line is one of its analogs: "
        "the offer is priced again as that search's analog.",
    )
    asked_article: str | None = Field(
        None, max_length=100, description="Given with `asked_brand`, always."
    )
    price_seen: Decimal | None = Field(
        None,
        ge=0,
        decimal_places=2,
        description="The price the manager saw, RUB; the order is refused if the "
        "price is no longer this.",
    )

    @field_validator("asked_brand", "asked_article")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        # `""` names no part: as absent, so "both or neither" holds for it too
        return (value or "").strip() or None

    @field_validator("price_seen")
    @classmethod
    def _in_kopecks(cls, value: Decimal | None) -> Decimal | None:
        # `570`, `570.0` and `570.00` are one price, and hash as one body
        return None if value is None else value.quantize(Decimal("0.01"))

    @model_validator(mode="after")
    def _price_list_offer_named(self) -> Self:
        if self.source == "pricelist" and (self.load_id is None or self.row is None):
            raise ValueError("a `pricelist` line needs its `load_id` and `row`")
        if (self.asked_brand is None) != (self.asked_article is None):
            raise ValueError(
                "an analog line names the part it was found for by both "
                "`asked_brand` and `asked_article` (its `via[0].from`); a line "
                "of the part itself, by neither"
            )
        return self


class OrderDraft(BaseModel):
    """An order's lines to check (`POST /api/orders/check`), the client
    not chosen yet perhaps."""

    client_id: Id | None = Field(
        None,
        description="The client; empty: priced as a search with no client is "
        "(no group, no discount).",
    )
    note: str | None = Field(None, max_length=2000)
    department: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$",
        description="The department the lines were searched as, as "
        "`GET /api/quotes` takes it (an admin's only); the order is priced and "
        "kept as that department's. Empty: the user's own (an admin with none: "
        "every department's price lists, and an order of no department).",
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)


class OrderIn(OrderDraft):
    """A new customer order."""

    client_id: Id


class StatusIn(BaseModel):
    """The status an order moves to."""

    status: Status
    version: int | None = Field(
        None,
        ge=1,
        description="The order's `version` the page showed: the change is refused "
        "(409, `order_changed`) if someone else changed the order since. "
        "Empty: moved from whatever status it has now, if allowed.",
    )


class OrderLineOut(BaseModel):
    """A saved order line with the price the server found."""

    position: int
    brand: str
    article: str
    name: str | None
    supplier_id: str
    source: str
    warehouse: str | None
    qty: int
    price: str = Field(description="Sell price, RUB, two decimals.")
    amount: str = Field(description="`price` × `qty`, RUB.")
    purchase_price: str = Field(description="In `currency`; not for the client.")
    currency: str
    delivery_days_min: int | None
    delivery_days_max: int | None
    stock_checked: bool = Field(
        description="False when stock was unknown or approximate and below `qty`."
    )
    offer: dict[str, Any] = Field(description="The quote line as it was priced.")


class OrderHead(BaseModel):
    """What a list and a detail show of an order."""

    id: int
    client_id: int
    client_name: str
    user_login: str
    user_name: str = Field(description="The name of the user who placed it.")
    department: str | None
    client_group: str
    status: Status
    total: str = Field(description="RUB, two decimals.")
    created_at: dt.datetime


class OrderSummary(OrderHead):
    """An order in a list."""

    line_count: int


class OrderOut(OrderHead):
    """One order with its lines."""

    note: str | None
    updated_at: dt.datetime
    updated_by: str
    version: int
    next_statuses: list[str] = Field(description="The statuses it may move to.")
    lines: list[OrderLineOut]


class OrderPage(BaseModel):
    """Orders, newest first; `truncated` when more matched."""

    orders: list[OrderSummary]
    truncated: bool


class CheckLine(BaseModel):
    """An order line as asked, with its offer now."""

    position: int
    brand: str
    article: str
    supplier_id: str
    source: str
    warehouse: str | None
    qty: int = Field(description="The quantity asked.")
    price_seen: Decimal | None = Field(description="The price the page showed.")
    offer: dict[str, Any] | None = Field(
        description="The offer now, as a line of `GET /api/quotes` (its `price` "
        "for the client, stock `qty` and `qty_approx`, `multiplicity`, "
        "`load_id` and `row`…); null when it is no longer offered."
    )


class OrderCheck(BaseModel):
    """What `POST /api/orders` would find for an order now; nothing saved."""

    orderable: bool = Field(
        description="No problem: placing the order now would save it as it is."
    )
    client_group: str | None = Field(
        description="The group it is priced for; null without a client."
    )
    department: str | None = Field(description="The department it would be kept as.")
    total: str = Field(
        description="RUB, two decimals: each priced offer's `price` × `qty`."
    )
    lines: list[CheckLine]
    problems: list[dict[str, Any]] = Field(
        description="Every problem, as the `lines` of a refusal of "
        "`POST /api/orders` (`position`, `code`, `message`…), by position."
    )
