"""The workstation's pages and fragments under `/ui` (and `/` → `/ui`).

Pages are rendered here; the script fetches fragments for results, online
suppliers and clients, and calls the JSON API for orders.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from search.export import quote_workbook
from search.quotes import QuoteError, QuoteRequest
from service.clients import logic as clients
from service.db import audit
from service.db.models import Id, utcnow
from service.db.session import transaction
from service.deps import (
    BrandsDep,
    OptionalUserDep,
    SessionDep,
    SettingsDep,
    user_of,
)
from service.downloads import XLSX, attachment
from service.orders import logic as orders
from service.orders.models import MAX_QTY
from service.users import logic as users
from service.users import signin
from service.users.logic import CurrentUser, search_department
from service.web import i18n, views
from service.web.query import BoxQuery, read_box, without_brand

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["money"] = views.money
templates.env.filters["phone"] = views.phone_text
templates.env.filters["percent"] = views.percent_text
templates.env.globals["note"] = i18n.note
templates.env.globals["plural"] = i18n.plural
templates.env.globals["local_time"] = views.local_time
router = APIRouter(include_in_schema=False)


class SignInNeeded(Exception):
    """A page asked without a signed-in user: go to the sign-in form."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def _user(user: CurrentUser | None, request: Request) -> CurrentUser:
    if user is None:
        raise SignInNeeded(request.url.path)
    return user


def language(request: Request, user: CurrentUser | None) -> str:
    """The cookie's language, else the user's, else Russian."""
    chosen = request.cookies.get(i18n.COOKIE)
    if chosen in i18n.LANGUAGES:
        return chosen
    return user.language if user is not None else "ru"


def render(
    request: Request,
    name: str,
    user: CurrentUser | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A template with the user, the labels and the CSRF token."""
    lang = language(request, user)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "lang": lang,
            "t": i18n.labels(lang),
            "csrf": getattr(request.state, "csrf", None) or "",
            "zone": request.app.state.settings.zone,
            **context,
        },
        status_code=status_code,
    )


async def sign_in_needed(request: Request, exc: Exception) -> Response:
    """Send a page request without a user to the sign-in form, and back."""
    assert isinstance(exc, SignInNeeded)
    return RedirectResponse(f"/ui/login?next={quote(exc.next_url)}", status_code=303)


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not the script asking for a fragment)."""
    return request.url.path.startswith("/ui") and not request.headers.get(
        "x-requested-with"
    )


def ui_error(request: Request, status: int, message: str) -> HTMLResponse | None:
    """An error of a `/ui` request as the workstation shows it, in its
    language: a page for a browser navigating, a fragment for the script's
    requests; None for the API, which answers problem+json in English."""
    if not request.url.path.startswith("/ui"):
        return None
    page = "error.html" if wants_page(request) else "_error.html"
    return _error(request, page, status, message)


def _error(request: Request, name: str, status: int, message: str) -> HTMLResponse:
    user = user_of(request)
    said = i18n.page_error(status, message, language(request, user))
    return render(request, name, user, status_code=status,
                  status=status, message=said, code=None)  # fmt: skip


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui", status_code=307)


# sign-in ---------------------------------------------------------------


@router.get("/ui/login")
def login_page(
    request: Request,
    user: OptionalUserDep,
    next: str = "/ui",
    expired: bool = False,
    out: bool = False,
) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", None, next=_safe_next(next),
                  expired=expired, out=out, error=False)  # fmt: skip


@router.post("/ui/login")
def login_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    login: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/ui",
) -> Response:
    page = {"next": _safe_next(next), "expired": False, "out": False,
            "login": login[:60]}  # fmt: skip
    with transaction(session):
        try:
            found = users.authenticate_throttled(
                session, request.app.state.signin_throttle, login[:60], password
            )
        except users.TooManyAttempts as exc:
            return render(request, "login.html", None, status_code=429,
                          error=False, wait_s=round(exc.wait_s), **page)  # fmt: skip
        if found is None:
            return render(request, "login.html", None, status_code=401,
                          error=True, **page)  # fmt: skip
        issued = signin.issue(
            session, found, kind="session",
            ttl=dt.timedelta(hours=settings.session_ttl_h),
        )  # fmt: skip
        audit.record(session, table="auth_tokens", row_id=found.login,
                     action="insert", actor=audit.Actor(found.login, "ui"),
                     new=issued.row, note="signed in",
                     department=users.current_user(session, found).department)  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        signin.COOKIE, issued.secret, httponly=True, samesite="lax",
        secure=settings.cookie_secure, path="/",
        max_age=int(settings.session_ttl_h * 3600),
    )  # fmt: skip
    return response


@router.post("/ui/logout")
def logout(
    request: Request,
    session: SessionDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """End the page session (its CSRF token comes as a form field here)."""
    cookie = request.cookies.get(signin.COOKIE, "")
    found = signin.resolve(session, cookie, kind="session") if cookie else None
    if found is not None and _same(csrf, found.csrf):
        with transaction(session):
            signin.revoke(session, cookie)
            me = users.current_user(session, found.user)
            audit.record(session, table="auth_tokens", row_id=me.login,
                         action="update", actor=audit.Actor(me.login, "ui"),
                         old={"revoked_at": None},
                         new={"revoked_at": utcnow().isoformat()},
                         note="signed out", department=me.department)  # fmt: skip
    response = RedirectResponse("/ui/login?out=1", status_code=303)
    response.delete_cookie(signin.COOKIE, path="/")
    return response


def _same(sent: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(
        sent.encode("utf-8", "replace"), (expected or "").encode()
    )


@router.get("/ui/lang/{lang}")
def set_language(lang: str, next: str = "/ui") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, samesite="lax", path="/",
                            max_age=365 * 24 * 3600)  # fmt: skip
    return response


def _safe_next(url: str) -> str:
    """Only our own pages: never an absolute or protocol-relative URL."""
    if not url.startswith("/ui") or url.startswith("//"):
        return "/ui"
    return url


# the workstation -------------------------------------------------------


@router.get("/ui")
def workstation(
    request: Request, user: OptionalUserDep, session: SessionDep
) -> Response:
    me = _user(user, request)
    return render(request, "workstation.html", me, max_qty=MAX_QTY,
                  groups=clients.group_names(session),
                  sorts=("price", "delivery", "probability"))  # fmt: skip


@dataclass(frozen=True)
class BoxParams:
    """What the page sends with every search: the box and the choices made."""

    box: str
    brand: str | None
    client_id: int | None
    sort: str
    all_brands: bool


def box_params(
    box: Annotated[str, Query(max_length=200)] = "",
    brand: Annotated[str | None, Query(max_length=100)] = None,
    client_id: Id | None = None,
    sort: Annotated[str, Query(pattern="^(price|delivery|probability)$")] = "price",
    all_brands: bool = False,
) -> BoxParams:
    """The search parameters of a results request."""
    return BoxParams(box, brand, client_id, sort, all_brands)


BoxDep = Annotated[BoxParams, Depends(box_params)]


async def _search(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    params: BoxParams,
    parsed: BoxQuery,
    *,
    sources: tuple[str, ...],
    online_suppliers: tuple[str, ...] = (),
) -> dict[str, Any] | Response:
    """The quote answer for the box, priced for the chosen client; or the
    error fragment when it cannot be searched."""
    settings = request.app.state.settings
    try:
        group, discount = (
            clients.client_pricing(session, params.client_id)
            if params.client_id is not None
            else (None, None)
        )
    except LookupError:  # the page holds a client that is no more
        return render(request, "_error.html", user, status_code=404,
                      code="client_gone", message=None)  # fmt: skip
    try:
        query = QuoteRequest(
            article=parsed.article, brand=params.brand or parsed.brand,
            text=parsed.text, vin=parsed.vin, client_group=group,
            vehicle_model=clients.known_model(session, parsed.vin) if parsed.vin else None,
            department=search_department(user), sort=params.sort,  # type: ignore[arg-type]
            all_brands=params.all_brands, limit=settings.search_max_lines,
            time_limit_ms=settings.search_time_limit_ms, discount=discount,
            who=user.login, sources=sources, online_suppliers=online_suppliers,
        )  # fmt: skip
        answer: dict[str, Any] = (
            await request.app.state.quotes.search_async(query)
        ).to_dict()
    except QuoteError as exc:
        return render(request, "_error.html", user, status_code=422,
                      code="bad_query", message=str(exc))  # fmt: skip
    return answer


@router.get("/ui/results")
async def results(
    request: Request,
    user: OptionalUserDep,
    session: SessionDep,
    brands: BrandsDep,
    params: BoxDep,
) -> Response:
    """The price-list lines of a search (online suppliers come apart)."""
    if user is None:
        return _expired()
    parsed = read_box(params.box, brands)
    if parsed.vin and not parsed.text:
        return render(request, "_vin_hint.html", user, vin=parsed.vin)
    if not (parsed.article or parsed.text or parsed.vin):
        return HTMLResponse("")
    answer = await _search(request, session, user, params, parsed,
                           sources=("pricelist",))  # fmt: skip
    if isinstance(answer, Response):
        return answer
    retry = without_brand(parsed, params.brand or parsed.brand, brands)
    if retry is not None and not answer["lines"] and not answer["brands"]:
        again_params = replace(params, box=retry[0].article or "", brand=None)
        again = await _search(request, session, user, again_params, retry[0],
                              sources=("pricelist",))  # fmt: skip
        if not isinstance(again, Response) and (again["lines"] or again["brands"]):
            again["notes"] = [retry[1], *again["notes"]]
            answer, parsed, params = again, retry[0], again_params
    lang = language(request, user)
    unknown = i18n.labels(lang)["unknown_qty"]
    return render(
        request, "_results.html", user,
        answer=answer,
        groups=views.grouped(answer["lines"], lang, unknown,
                             clients.group_names(session)),
        online=_online_to_ask(request, user, parsed, answer), box=params.box,
        brand=params.brand or parsed.brand or "",
    )  # fmt: skip


@router.get("/ui/results/online")
async def online_results(
    request: Request,
    user: OptionalUserDep,
    session: SessionDep,
    brands: BrandsDep,
    params: BoxDep,
    supplier: Annotated[str, Query(max_length=64)],
) -> Response:
    """One online supplier's lines for the search, as rows to merge in."""
    if user is None:
        return _expired()
    parsed = read_box(params.box, brands)
    answer = await _search(request, session, user, params, parsed,
                           sources=("online",), online_suppliers=(supplier,))  # fmt: skip
    if isinstance(answer, Response):
        return answer
    lang = language(request, user)
    failed = next(iter(answer["suppliers_failed"]), None)
    unknown = i18n.labels(lang)["unknown_qty"]
    names = clients.group_names(session)
    lines = answer["lines"]
    rows = [
        views.row_view(line, lang, unknown, names, key=key)
        for line, key in zip(lines, views.line_keys(lines), strict=True)
    ]
    return render(request, "_online.html", user, supplier=supplier, rows=rows,
                  failed=failed)  # fmt: skip


@router.post("/ui/export.xlsx")
async def export_lines(
    request: Request,
    session: SessionDep,
    brands: BrandsDep,
    csrf: Annotated[str, Form(max_length=100)],
    keys: Annotated[str, Form(max_length=200_000)],
    box: Annotated[str, Form(max_length=200)] = "",
    brand: Annotated[str, Form(max_length=100)] = "",
    client_id: Annotated[str, Form(max_length=20)] = "",
    sort: Annotated[str, Form(pattern="^(price|delivery|probability)$")] = "price",
    all_brands: Annotated[str, Form(max_length=5)] = "false",
) -> Response:
    """The lines on screen as the client's workbook: searched again and priced
    for the client, kept in the order and choice the page sent."""
    cookie = request.cookies.get(signin.COOKIE, "")
    found = signin.resolve(session, cookie, kind="session") if cookie else None
    if found is None or not _same(csrf, found.csrf):
        raise SignInNeeded("/ui")
    user = users.current_user(session, found.user)
    wanted = _row_keys(keys)
    params = BoxParams(box, brand or None, int(client_id) if client_id.isdigit()
                       else None, sort, all_brands == "true")  # fmt: skip
    parsed = read_box(box, brands)
    answer = await _search(request, session, user, params, parsed,
                           sources=("pricelist", "online"))  # fmt: skip
    if isinstance(answer, Response):
        return answer
    answer["lines"], missing = views.on_screen(answer["lines"], wanted)
    client = (
        clients.client_terms(session, params.client_id)
        if params.client_id is not None
        else None
    )
    return Response(
        quote_workbook(
            answer, zone=request.app.state.settings.zone, client=client, missing=missing
        ),
        media_type=XLSX,
        headers=attachment(f"quote-{box.strip()[:40] or 'lines'}.xlsx"),
    )


def _row_keys(keys: str) -> list[str]:
    """The rows on screen, as the page sends them: a JSON list of row keys."""
    try:
        found = orjson.loads(keys)
    except orjson.JSONDecodeError:
        found = None
    if not isinstance(found, list) or not all(isinstance(k, str) for k in found):
        raise ValueError("`keys` is a JSON list of the rows' keys (strings)")
    return found


def _online_to_ask(
    request: Request, user: CurrentUser, box: BoxQuery, answer: dict[str, Any]
) -> list[dict[str, str]]:
    """The online suppliers the page should ask next (none for a brand choice
    or a name search: they are asked for identities)."""
    if answer["brands"] or box.kind == "text":
        return []
    engine = request.app.state.quotes
    known = request.app.state.quote_parts.get("online_suppliers") or {}
    visible = engine.visible_online(search_department(user))
    return [{"id": sid, "name": known[sid].name if sid in known else sid}
            for sid in sorted(visible)]  # fmt: skip


def _expired() -> Response:
    """A fragment asked after the session ended: the script goes to sign-in."""
    return Response(status_code=401, headers={"X-Sign-In": "/ui/login?expired=1"})


@router.get("/ui/clients")
def client_choices(
    request: Request,
    user: OptionalUserDep,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Clients matching the picker's text, as a list to choose from."""
    if user is None:
        return _expired()
    if len(q.strip()) < 2:
        return HTMLResponse("")
    rows, how, cut = clients.find_clients(
        session, q, limit=10, region=settings.default_phone_region
    )
    found = [clients.client_out(session, r) for r in rows]
    return render(request, "_clients.html", user, clients=found, how=how, cut=cut,
                  groups=clients.group_names(session))  # fmt: skip


# orders ----------------------------------------------------------------


@router.get("/ui/orders")
def orders_page(
    request: Request, user: OptionalUserDep, session: SessionDep
) -> Response:
    me = _user(user, request)
    found, cut = orders.list_orders(session, limit=100, viewer=me)
    return render(request, "orders.html", me, orders=found, cut=cut,
                  statuses=orders.STATUS_LABELS)  # fmt: skip


@router.get("/ui/orders/{order_id}")
def order_page(
    order_id: Id, request: Request, user: OptionalUserDep, session: SessionDep
) -> Response:
    me = _user(user, request)
    order = orders.order_out(session, orders.get_order(session, order_id, viewer=me))
    group = clients.group_names(session).get(order.client_group, order.client_group)
    return render(request, "order.html", me, order=order, group=group,
                  statuses=orders.STATUS_LABELS)  # fmt: skip
