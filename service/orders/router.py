"""`/api/orders`: place customer orders from quote lines, list and read them,
move them through their statuses, export one for the client."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from service.db.models import Id
from service.db.session import transaction
from service.deps import SessionDep, SettingsDep, require
from service.downloads import XLSX, attachment
from service.orders import logic
from service.orders.export import order_workbook
from service.orders.models import (
    OrderCheck,
    OrderDraft,
    OrderIn,
    OrderOut,
    OrderPage,
    Status,
    StatusIn,
)
from service.users.logic import CurrentUser

router = APIRouter(prefix="/orders", tags=["orders"])
Reader = Annotated[CurrentUser, require("orders.read")]
Writer = Annotated[CurrentUser, require("orders.write")]
# a check saves nothing and shows what a quote search for the client shows
Quoter = Annotated[CurrentUser, require("quote")]
PROBLEM = {
    "description": "Refused, as `application/problem+json` with `problems`.",
    "content": {"application/problem+json": {}},
}


@router.post(
    "",
    status_code=201,
    responses={
        200: {"model": OrderOut, "description": "A replay of this key: the order."},
        409: PROBLEM,
        422: PROBLEM,
    },
)
async def post_order(
    body: OrderIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    user: Writer,
    idempotency_key: Annotated[
        str,
        Header(
            min_length=1,
            max_length=80,
            description="One per order the page submits; a retry sends it again.",
        ),
    ],
) -> OrderOut:
    """Place an order: every line is priced again here and checked; refused
    whole (409/422, every problem listed) or saved whole."""
    submission = logic.Submission(body, idempotency_key, user)
    order, created = await logic.submit_order(
        session, request.app.state.quotes, submission,
        time_limit_ms=settings.search_time_limit_ms,
    )  # fmt: skip
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replay"] = "true"
    return order


@router.post("/check", responses={422: PROBLEM})
async def post_check(
    body: OrderDraft,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Quoter,
) -> OrderCheck:
    """Price and check an order as `POST /api/orders` would, saving nothing:
    every line with its offer now (price, stock, multiplicity) and every
    problem at once; 200 even when there are problems."""
    return await logic.check_order(
        session, request.app.state.quotes, body, user,
        time_limit_ms=settings.search_time_limit_ms,
    )  # fmt: skip


@router.get("")
def get_orders(
    session: SessionDep,
    user: Reader,
    client_id: Annotated[Id | None, Query(description="Of this client.")] = None,
    status: Annotated[Status | None, Query(description="In this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=logic.MAX_ORDERS)] = 50,
) -> OrderPage:
    """Orders of the user's department (an admin: all), newest first."""
    orders, cut = logic.list_orders(
        session, client_id=client_id, status=status, limit=limit, viewer=user
    )
    return OrderPage(orders=orders, truncated=cut)


@router.get("/{order_id}")
def get_order(order_id: Id, session: SessionDep, user: Reader) -> OrderOut:
    """One order with its lines (404 for another department's order)."""
    return logic.order_out(session, logic.get_order(session, order_id, viewer=user))


@router.post("/{order_id}/status", responses={409: PROBLEM})
def post_status(
    order_id: Id, body: StatusIn, session: SessionDep, user: Writer
) -> OrderOut:
    """Move an order on (new → confirmed → ordered → received → issued), or
    cancel it before it is issued."""
    with transaction(session):
        order = logic.get_order(session, order_id, lock=True, viewer=user)
        logic.change_status(
            session, order, body.status, actor=user.actor, seen_version=body.version
        )
    return logic.order_out(session, order)


@router.get(
    "/{order_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def get_order_workbook(
    order_id: Id, session: SessionDep, settings: SettingsDep, user: Reader
) -> Response:
    """The order as an Excel workbook for the client (no purchase prices)."""
    order = logic.order_out(session, logic.get_order(session, order_id, viewer=user))
    return Response(
        order_workbook(order, zone=settings.zone),
        media_type=XLSX,
        headers=attachment(f"order-{order.id}.xlsx"),
    )


async def order_rejected(request: Request, exc: Exception) -> JSONResponse:
    """A refused order or status change as problem+json, every problem listed."""
    if not isinstance(exc, logic.OrderRejected):
        raise exc
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": exc.title,
        "status": exc.status,
        "detail": f"{len(exc.problems)} problem(s); nothing was saved",
        "problems": exc.problems,
    }
    if exc.lines:
        body["lines"] = exc.lines
    if exc.code is not None:
        body.update(code=exc.code, **exc.facts)
    return JSONResponse(
        body, status_code=exc.status, media_type="application/problem+json"
    )
