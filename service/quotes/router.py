"""`GET /api/quotes`: quote search; `GET /api/quotes/export.xlsx`: the same as a workbook."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from search.export import quote_workbook
from search.quotes import SORTS, QuoteEngine, QuoteRequest
from service.quotes.models import QuoteAnswerOut

router = APIRouter(tags=["quotes"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def quote_request(
    article: Annotated[
        str | None, Query(max_length=100, description="Article, any spelling.")
    ] = None,
    brand: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words of the name, or the generic article of a VIN search.",
        ),
    ] = None,
    vin: Annotated[str | None, Query(max_length=32)] = None,
    client_group: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    price_group: Annotated[list[str] | None, Query(max_length=64)] = None,
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORTS) + ")$")] = "price",
    all_brands: Annotated[
        bool, Query(description="Search every brand of the article.")
    ] = False,
    analogs: bool = True,
    online: bool = True,
    in_stock: bool = False,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    request: Request = None,  # type: ignore[assignment]
) -> QuoteRequest:
    """The query parameters as a `QuoteRequest`."""
    settings = request.app.state.settings
    return QuoteRequest(
        article=article,
        brand=brand,
        text=q,
        vin=vin,
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
        who=request.headers.get("x-user"),
    )


QuoteRequestDep = Annotated[QuoteRequest, Depends(quote_request)]


def _engine(request: Request) -> QuoteEngine:
    engine: QuoteEngine = request.app.state.quotes
    return engine


@router.get(
    "/quotes",
    response_model=QuoteAnswerOut,
    response_class=Response,
    responses={200: {"model": QuoteAnswerOut, "content": {"application/json": {}}}},
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
    responses={200: {"content": {XLSX: {}}}},
)
async def quotes_workbook(query: QuoteRequestDep, request: Request) -> Response:
    """The same search as an Excel workbook for the client (no purchase prices)."""
    answer: dict[str, Any] = (await _engine(request).search_async(query)).to_dict()
    name = (query.article or query.text or "quote").replace('"', "")[:40]
    return Response(
        quote_workbook(answer),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="quote-{_ascii(name)}.xlsx"'
        },
    )


def _ascii(text: str) -> str:
    return "".join(
        c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text
    )
