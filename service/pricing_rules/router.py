"""`/api/pricing/…`: read and replace the rule set, read and add currency rates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from service.deps import ActorDep, SessionDep, require
from service.pricing_rules import logic
from service.pricing_rules.models import RateIn, SaveSummary

router = APIRouter(prefix="/pricing", tags=["pricing"])


@router.get("/rules")
def get_rules(session: SessionDep) -> dict[str, Any]:
    """The stored rule set: rules in their saved order, and client groups."""
    return logic.load_rule_set(session).model_dump(mode="json")


@router.put("/rules", dependencies=[require("pricing.write")])
def put_rules(
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    body: Annotated[dict[str, Any], Body(description="`{rules, client_groups}`")],
) -> SaveSummary:
    """Replace the whole rule set, or 422 listing every problem."""
    rule_set = logic.parse_rule_set(body)
    summary = logic.save_rule_set(session, rule_set, actor=actor)
    _quotes_reprice(request)
    return summary


@router.get("/rates")
def get_rates(
    session: SessionDep,
    on: Annotated[dt.date | None, Query(description="Rates as of this date.")] = None,
) -> dict[str, Any]:
    """The newest stored rate of each currency (as of `on`), with its date."""
    return logic.current_rates(session, on=on).model_dump(mode="json")


@router.post("/rates", status_code=201, dependencies=[require("pricing.write")])
def post_rate(
    session: SessionDep, actor: ActorDep, rate: RateIn, request: Request
) -> RateIn:
    """Store one rate for a currency and date (replacing that day's rate)."""
    row = logic.save_rate(session, rate, actor=actor)
    _quotes_reprice(request)
    return RateIn(currency=row.currency, rate=row.rate, date=row.date)


def _quotes_reprice(request: Request) -> None:
    """The next quote search in this process reads the rules and rates again."""
    parts = getattr(request.app.state, "quote_parts", None)
    if parts is not None:
        parts["pricing"].invalidate()


async def rules_rejected(request: Request, exc: Exception) -> JSONResponse:
    """A refused rule set as problem+json, with every problem listed."""
    problems = exc.problems if isinstance(exc, logic.RulesRejected) else [str(exc)]
    return JSONResponse(
        {
            "type": "about:blank",
            "title": "rule set refused",
            "status": 422,
            "detail": f"{len(problems)} problem(s); nothing was saved",
            "problems": problems,
        },
        status_code=422,
        media_type="application/problem+json",
    )
