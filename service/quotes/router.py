"""`GET /api/quotes`: quote search; `GET /api/quotes/export.xlsx`: the same as a workbook."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from search.export import quote_workbook
from search.quotes import SORTS, QuoteEngine, QuoteRequest
from service.clients.logic import ClientTerms, client_terms, known_model
from service.db.models import Id
from service.deps import CurrentUserDep, SessionDep
from service.downloads import XLSX, attachment
from service.quotes.models import QuoteAnswerOut
from service.users.logic import asked_department

router = APIRouter(tags=["quotes"])


def priced_for(
    session: SessionDep,
    client_id: Annotated[
        Id | None,
        Query(description="Price for this client: its group and own discount."),
    ] = None,
) -> ClientTerms | None:
    """The client a search is priced for, if one is named (404: unknown)."""
    return None if client_id is None else client_terms(session, client_id)


PricedForDep = Annotated[ClientTerms | None, Depends(priced_for)]


async def quote_request(
    request: Request,
    user: CurrentUserDep,
    session: SessionDep,
    client: PricedForDep,
    article: Annotated[
        str | None,
        Query(max_length=100, description="Article, any spelling (`0 986 452 041`)."),
    ] = None,
    brand: Annotated[
        str | None, Query(max_length=100, description="Brand, any alias (`MB`).")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words of the name, or the generic article of a VIN search "
            "(`колодки` or its id).",
        ),
    ] = None,
    vin: Annotated[
        str | None,
        Query(
            max_length=32,
            description="VIN: parts of its catalogue vehicles "
            "(make and model year) of the generic article in `q`.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        Query(
            max_length=100,
            description="The VIN's car model (`Vesta`): narrows its catalogue "
            "vehicles; default: the model of a client's car with that VIN.",
        ),
    ] = None,
    client_group: Annotated[
        str | None, Query(max_length=64, description="Price for this client group.")
    ] = None,
    department: Annotated[
        str | None,
        Query(
            max_length=64,
            description="The caller's department: price lists "
            "limited to other departments are not searched.",
        ),
    ] = None,
    price_group: Annotated[
        list[str] | None,
        Query(max_length=64, description="Only suppliers of these price groups."),
    ] = None,
    sort: Annotated[
        str,
        Query(
            pattern="^(" + "|".join(SORTS) + ")$",
            description="Order inside each group (requested, verified analogs, "
            "analogs): by price, by delivery days, or by delivery probability.",
        ),
    ] = "price",
    all_brands: Annotated[
        bool, Query(description="Every brand of the article instead of the list.")
    ] = False,
    analogs: Annotated[bool, Query(description="Add the analogs' offers.")] = True,
    online: Annotated[bool, Query(description="Ask the online suppliers.")] = True,
    in_stock: Annotated[
        bool, Query(description="Only offers with stock known to be above 0.")
    ] = False,
    limit: Annotated[
        int | None,
        Query(ge=1, le=10_000, description="Most lines (capped by the server)."),
    ] = None,
    source: Annotated[
        list[str] | None,
        Query(
            max_length=10,
            description="Only lines of these sources (`pricelist`, `online`).",
        ),
    ] = None,
    online_supplier: Annotated[
        list[str] | None,
        Query(max_length=64, description="Ask only these online suppliers."),
    ] = None,
) -> QuoteRequest:
    """The query parameters as a `QuoteRequest`, for the signed-in user.

    A user searches as their department; only an admin may name another.
    """
    settings = request.app.state.settings
    department = asked_department(session, user, department)
    discount = None
    if client is not None:
        client_group, discount = client.client_group, client.discount
    return QuoteRequest(
        article=article,
        brand=brand,
        text=q,
        vin=vin,
        vehicle_model=model or (known_model(session, vin) if vin else None),
        client_group=client_group,
        department=department,
        price_groups=tuple(price_group or ()),
        sort=sort,  # type: ignore[arg-type]
        all_brands=all_brands,
        analogs=analogs,
        online=online,
        in_stock=in_stock,
        limit=min(limit or settings.search_max_lines, settings.search_max_lines),
        time_limit_ms=settings.search_time_limit_ms,
        who=user.login,
        discount=discount,
        sources=tuple(source or ("pricelist", "online")),
        online_suppliers=tuple(online_supplier or ()),
    )


QuoteRequestDep = Annotated[QuoteRequest, Depends(quote_request)]


def _engine(request: Request) -> QuoteEngine:
    engine: QuoteEngine = request.app.state.quotes
    return engine


PROBLEM = {
    "description": "Bad input, as `application/problem+json`.",
    "content": {"application/problem+json": {}},
}


@router.get(
    "/quotes",
    response_model=QuoteAnswerOut,
    response_class=Response,
    responses={
        200: {"model": QuoteAnswerOut, "content": {"application/json": {}}},
        422: PROBLEM,
    },
)
async def quotes(query: QuoteRequestDep, request: Request) -> Response:
    """Every offer for a part and its analogs, priced for the client group.

    An article without a brand that exists under several brands answers
    `brands` to choose from (unless `all_brands`); then call again with
    `brand`. Words (`q`) search names; `vin` with `q` searches the parts of
    the VIN's catalogue vehicles of that generic article.
    """
    answer = await _engine(request).search_async(query)
    return Response(orjson.dumps(answer.to_dict()), media_type="application/json")


@router.get(
    "/quotes/export.xlsx",
    response_class=Response,
    responses={
        200: {"content": {XLSX: {}}},
        409: {**PROBLEM, "description": "The article needs a brand first."},
        422: PROBLEM,
    },
)
async def quotes_workbook(
    query: QuoteRequestDep, client: PricedForDep, request: Request
) -> Response:
    """The same search as an Excel workbook for the client (no purchase
    prices), headed with the client's name and group when one is named."""
    answer: dict[str, Any] = (await _engine(request).search_async(query)).to_dict()
    if answer["brands"]:
        brands = ", ".join(c["brand"] for c in answer["brands"])
        raise HTTPException(
            409, f"`{query.article}` exists under several brands ({brands}): "
            "give `brand` (or `all_brands=true`) to export its offers",
        )  # fmt: skip
    name = (query.article or query.text or query.vin or "quote")[:40]
    return Response(
        quote_workbook(answer, zone=request.app.state.settings.zone, client=client),
        media_type=XLSX,
        headers=attachment(f"quote-{name}.xlsx"),
    )
