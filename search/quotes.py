"""Quote search ("проценка"): every offer for a part and its analogs, priced.

    request ─► normalize (article, brand) ─► brand choice (article under
    several brands) ─► analogs (cross graph, catalogue check) ─► offers of
    every identity in one pass over the index snapshot ─► online suppliers
    (started first, in parallel, cut at the deadline) ─► pricing for the
    client group ─► ranking ─► answer

`QuoteEngine.search` is the one function behind `GET /api/quotes` and
`parts search`. Everything it needs comes in through providers (the index,
the graph, pricing rules, online clients), so tests and the bench build it
from plain objects. Every search has a time limit and a result cap, and an
answer that was cut says so and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from crosses.articles import normalize_article
from crosses.brands import BrandTable
from crosses.catalogue import Catalogue
from crosses.graph import CrossGraph, Resolution, confirm_analogs
from pricing.engine import OfferBatch, price_batch
from pricing.rules import Discount, PricingError, Rates, RuleSet, VatRules
from search.index_read import OffersIndex, Snapshot
from search.index_store import Manifest

log = logging.getLogger(__name__)

Sort = Literal["price", "delivery", "probability"]
Match = Literal["exact", "verified_analog", "analog"]
# what a search looked for: its `exact` lines are that article, the parts
# whose names hold the words, or the VIN's catalogue parts
FoundBy = Literal["article", "name", "vin"]
SORTS: tuple[str, ...] = ("price", "delivery", "probability")
_GROUP: dict[str, int] = {"exact": 0, "verified_analog": 1, "analog": 2}
HIDDEN_HOLD_SOME = (
    "price lists hidden from this department or price group hold offers for this search"
)
_NONE_LAST = 1 << 62


class QuoteError(ValueError):
    """A request that cannot be searched (nothing to search, a bad value)."""


@dataclass(frozen=True)
class QuoteRequest:
    """What a parts manager asks for."""

    article: str | None = None
    brand: str | None = None
    text: str | None = None
    vin: str | None = None
    vehicle_model: str | None = None  # narrows a VIN's vehicles: `Vesta`
    client_group: str | None = None
    department: str | None = None
    price_groups: tuple[str, ...] = ()
    sort: Sort = "price"
    all_brands: bool = False
    analogs: bool = True
    online: bool = True
    in_stock: bool = False
    limit: int = 300
    time_limit_ms: float = 2000.0
    discount: Discount | None = None
    who: str | None = None
    # the page asks for its price-list lines first and each online supplier's
    # lines apart, so that slow suppliers do not hold the first rows back
    sources: tuple[str, ...] = ("pricelist", "online")
    online_suppliers: tuple[str, ...] = ()  # empty: every visible one

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QuoteError(
                f"unknown sort `{self.sort}`; use one of {', '.join(SORTS)}"
            )
        for name, most in (("article", 100), ("brand", 100), ("text", 200),
                           ("vin", 32), ("vehicle_model", 100)):  # fmt: skip
            value = getattr(self, name)
            if value is not None and len(value) > most:
                raise QuoteError(f"`{name}` is longer than {most} characters")
        if self.article and self.text and not self.vin:
            raise QuoteError(
                "give an `article` or words of a name (`q`), not both "
                "(`q` goes with a `vin`: the part of that car)"
            )
        if self.limit < 1:
            raise QuoteError(f"`limit` must be at least 1, not {self.limit}")
        if self.time_limit_ms <= 0:
            raise QuoteError("`time_limit_ms` must be above 0")
        unknown = set(self.sources) - {"pricelist", "online"}
        if unknown or not self.sources:
            raise QuoteError(
                f"unknown source `{', '.join(sorted(unknown))}`; "
                "use `pricelist` and/or `online`"
            )


@dataclass(frozen=True)
class PricingContext:
    """The rules, rates and VAT settings a search prices with."""

    rules: RuleSet
    rates: Rates
    vat: VatRules | None = None


@dataclass(frozen=True)
class Wanted:
    """An identity the search looks up, and why."""

    brand: str
    article: str
    match: Match
    kind: str | None = None  # the analog's relation (analog, oe, replacement…)
    via: tuple[dict[str, Any], ...] = ()
    confirmed: bool | None = None


@dataclass
class Timings:
    """Milliseconds spent in each step."""

    steps: dict[str, float] = field(default_factory=dict)
    _last: float = field(default_factory=time.perf_counter)
    started: float = field(default_factory=time.perf_counter)

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = round((now - self._last) * 1000, 3)
        self._last = now

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def to_dict(self) -> dict[str, float]:
        return {**self.steps, "total": round(self.elapsed_ms(), 3)}


@dataclass
class QuoteAnswer:
    """What a search returns: brand choices or priced, ranked lines."""

    query: dict[str, Any]
    brands: list[dict[str, Any]] | None
    lines: list[dict[str, Any]]
    identities: int
    suppliers_failed: list[dict[str, Any]]
    truncated: bool
    truncated_reasons: list[str]
    timings_ms: dict[str, float]
    generation: str | None
    notes: list[str] = field(default_factory=list)
    found_by: FoundBy = "article"

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "found_by": self.found_by,
            "brands": self.brands,
            "lines": self.lines,
            "identities": self.identities,
            "suppliers_failed": self.suppliers_failed,
            "truncated": self.truncated,
            "truncated_reasons": self.truncated_reasons,
            "timings_ms": self.timings_ms,
            "generation": self.generation,
            "notes": self.notes,
        }


OnlineFetch = Callable[
    [list[tuple[str, str]], float, frozenset[str] | None], "Future[list[Any]] | None"
]
"""Start online queries for identities with a deadline (seconds) among the
allowed online supplier ids (None: all); a future of `OnlineResult`s."""


class QuoteEngine:
    """Quote search over an index, a cross graph, pricing and online suppliers."""

    def __init__(
        self,
        *,
        index: OffersIndex,
        brands: Callable[[], BrandTable],
        graph: Callable[[], CrossGraph | None] | None = None,
        pricing: Callable[[], PricingContext | None] | None = None,
        catalogue: Callable[[], Catalogue | None] | None = None,
        online: OnlineFetch | None = None,
        online_visible: Callable[[str | None, Sequence[str]], frozenset[str]]
        | None = None,
        online_deadline_s: float = 2.5,
        priority_brands: Sequence[str] = (),
        online_price_groups: dict[str, str] | None = None,
        max_identities: int = 400,
        max_offers: int = 5000,
        max_text_identities: int = 40,
        log_search: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.index = index
        self._brands = brands
        self._graph = graph or (lambda: None)
        self._pricing = pricing or (lambda: None)
        self._catalogue = catalogue or (lambda: None)
        self._online = online
        self._online_visible = online_visible
        self.online_deadline_s = online_deadline_s
        self.priority_brands = frozenset(priority_brands)
        self.online_price_groups = online_price_groups or {}
        self.max_identities = max_identities
        self.max_offers = max_offers
        self.max_text_identities = max_text_identities
        self._log_search = log_search

    def visible_online(
        self, department: str | None, price_groups: Sequence[str] = ()
    ) -> frozenset[str]:
        """The online suppliers a department's searches ask."""
        if self._online is None or self._online_visible is None:
            return frozenset()
        return self._online_visible(department, price_groups)

    # the search ------------------------------------------------------------

    def search(self, request: QuoteRequest) -> QuoteAnswer:
        """Search, price and rank; see the module doc."""
        run = _Run(self, request, Timings())
        answer = run.start()
        if answer is None:
            results: list[Any] | None = None
            if run.online is not None:
                with contextlib.suppress(FutureTimeout):
                    results = run.online.result(timeout=run.online_wait_s)
            answer = run.finish(results)
        return self._logged(request, answer)

    async def search_async(self, request: QuoteRequest) -> QuoteAnswer:
        """`search` for an event loop: the local steps run inline (they are
        CPU-bound and short), the wait for online suppliers does not block."""
        run = _Run(self, request, Timings())
        answer = run.start()
        if answer is None:
            results: list[Any] | None = None
            if run.online is not None:
                with contextlib.suppress(TimeoutError):
                    results = await asyncio.wait_for(
                        asyncio.wrap_future(run.online), run.online_wait_s
                    )
            answer = run.finish(results)
        return self._logged(request, answer)

    def _logged(self, request: QuoteRequest, answer: QuoteAnswer) -> QuoteAnswer:
        if self._log_search is not None:
            self._log_search(_log_record(request, answer))
        return answer


class _Run:
    """The state of one search."""

    def __init__(
        self, engine: QuoteEngine, request: QuoteRequest, timings: Timings
    ) -> None:
        self.engine = engine
        self.request = request
        self.timings = timings
        self.cut: list[str] = []
        self.notes: list[str] = []
        self.article: str | None = None
        self.wanted: list[Wanted] = []
        self.lines: list[dict[str, Any]] = []
        self.online: Future[list[Any]] | None = None
        self.online_wait_s = 0.0
        self.failed: list[dict[str, Any]] = []
        self.snapshot: Snapshot | None = engine.index.snapshot()
        manifest = self.snapshot.manifest if self.snapshot else None
        self.manifest: Manifest | None = manifest
        self.allowed: frozenset[str] | None = (
            self.snapshot.allowed(request.department, request.price_groups)
            if self.snapshot is not None
            else None
        )

    def over_time(self) -> bool:
        return self.timings.elapsed_ms() > self.request.time_limit_ms

    def start(self) -> QuoteAnswer | None:
        """The local steps; an answer already when the brand must be chosen."""
        request = self.request
        if request.vin:
            wanted = self._from_vin()
        elif request.article:
            wanted, choices = self._from_article()
            if choices:
                self.timings.lap("normalize")
                return self._answer([], brands=choices, identities=0)
        elif request.text:
            wanted = self._from_text()
        else:
            raise QuoteError("give an `article`, words (`q`) or a `vin` to search")
        self.timings.lap("normalize")
        self.online = self._start_online(wanted)
        if request.analogs and not (request.text and not request.vin):
            wanted = self._with_analogs(wanted)
        self.timings.lap("analogs")
        rows, asked = self._lookup(wanted)
        self.timings.lap("lookup")
        self.wanted = wanted
        if "pricelist" in request.sources:
            self.lines = self._lines(wanted, rows, asked)
        self.timings.lap("lines")
        return None

    def finish(self, results: list[Any] | None) -> QuoteAnswer:
        """Online lines (None: they did not come in time), pricing, ranking."""
        lines = self.lines
        if results is None and self.online is not None:
            self.failed = [{"supplier_id": "*", "status": "timeout",
                            "reason": "online suppliers did not answer in time",
                            "elapsed_ms": None}]  # fmt: skip
        elif results is not None:
            lines.extend(self._online_lines(results, self.wanted))
        self.timings.lap("online")
        self._explain_empty(lines)
        self._price(lines)
        self.timings.lap("pricing")
        ranked = self._rank(lines)
        self.timings.lap("ranking")
        return self._answer(ranked, brands=None, identities=len(self.wanted))

    def _explain_empty(self, lines: list[dict[str, Any]]) -> None:
        """Say why an answer has no lines, or that only online suppliers had some."""
        request = self.request
        no_brand = f"no brand holds the article `{self.article}`"
        if lines and no_brand in self.notes:
            self.notes.remove(no_brand)
            self.notes.append(f"only online suppliers offer `{self.article}`")
        if lines:
            return
        if not self.notes and request.article:
            asked = f"{request.brand or ''} {self.article}".strip()
            self.notes.append(f"no offers for `{asked}`")
        elif not self.notes and request.text and not request.vin:
            self.notes.append(f"no part names hold `{request.text}`")
        if "pricelist" in request.sources and self._hidden_hold_some():
            self.notes.append(HIDDEN_HOLD_SOME)

    def _hidden_hold_some(self) -> bool:
        """Whether price lists hidden from this caller (by department or price
        group) hold offers for this search: the search's own lookup, over
        them. Asked only of an empty answer, so it costs an empty search."""
        snapshot = self.snapshot
        if snapshot is None or self.allowed is None:
            return False
        hidden = (
            frozenset(self.manifest.suppliers if self.manifest else ()) - self.allowed
        )
        if not hidden:
            return False
        if self.wanted:
            keys = [(w.brand, w.article) for w in self.wanted]
            return bool(snapshot.find(keys, allowed=hidden, limit=1)[1])
        if self.request.text and not self.request.vin:
            words, brand = self._text_terms()
            found = words and snapshot.text(words, allowed=hidden, brand=brand, limit=1)
            return bool(found)
        return bool(self.article and snapshot.brands(self.article, allowed=hidden))

    # identities ------------------------------------------------------------

    def _from_article(self) -> tuple[list[Wanted], list[dict[str, Any]]]:
        """The identities of an article, or the brands to choose from."""
        request = self.request
        article, _note = normalize_article(request.article or "")
        if not article:
            raise QuoteError(f"`{request.article}` holds no article characters")
        self.article = article
        if request.brand:
            brand = self.engine._brands().canonical(request.brand)
            return [Wanted(brand, article, "exact")], []
        choices = self._brand_choices(article)
        if len(choices) == 1 or request.all_brands:
            return [Wanted(c["brand"], article, "exact") for c in choices], []
        if not choices:
            self.notes.append(f"no brand holds the article `{article}`")
        return [], choices

    def _brand_choices(self, article: str) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        if self.snapshot is not None:
            for c in self.snapshot.brands(article, allowed=self.allowed):
                found[c.brand] = {"brand": c.brand, "name": c.name, "offers": c.offers}
        graph = self.engine._graph()
        if graph is not None:
            for brand, _art in graph.identities(article):
                if brand and brand not in found:
                    found[brand] = {"brand": brand, "name": "", "offers": 0}
        # brands only the crosses know (an OE number nobody sells) are choices
        # too: choosing one lists its analogs' offers
        return sorted(found.values(), key=lambda c: (-c["offers"], c["brand"]))

    def _text_terms(self) -> tuple[list[str], str | None]:
        """The words a name search looks for, and the brand it is narrowed to."""
        from search import text_index

        words = text_index.terms(self.request.text or "")
        brand = (
            self.engine._brands().canonical(self.request.brand)
            if self.request.brand
            else None
        )
        return words, brand

    def _from_text(self) -> list[Wanted]:
        words, brand = self._text_terms()
        if not words or self.snapshot is None:
            return []
        limit = self.engine.max_text_identities
        keys = self.snapshot.text(
            words, allowed=self.allowed, brand=brand, limit=limit + 1
        )
        if len(keys) > limit:
            self.cut.append("text_identity_cap")
            keys = keys[:limit]
        return [Wanted(b, a, "exact") for b, a in keys]

    def _from_vin(self) -> list[Wanted]:
        """Parts of the VIN's catalogue vehicles of one generic article."""
        from crosses.fitment import FitmentError, parts_for_vehicle, vehicles_for_vin
        from crosses.vin import decode_vin

        decoded = decode_vin(self.request.vin or "")
        if not decoded.valid:
            raise QuoteError(f"VIN `{self.request.vin}`: {'; '.join(decoded.errors)}")
        generic = (self.request.text or self.request.article or "").strip()
        if not generic:
            raise QuoteError(
                "a VIN search needs a generic article too: its id (`402`) or "
                "words of its name (`колодки`) in `q`"
            )
        catalogue = self.engine._catalogue()
        if catalogue is None:
            raise QuoteError("no catalogue is loaded: a VIN search needs one")
        model = self.request.vehicle_model
        vehicles = vehicles_for_vin(catalogue, decoded, model=model, limit=20)
        if vehicles.truncated:
            self.cut.append("vehicle_cap")
        if vehicles.model_matched is False:
            self.notes.append(
                f"model `{model}` matches no catalogue vehicle of the VIN's make "
                "and year: the parts of all of them are listed"
            )
        seen: dict[tuple[str, str], None] = {}
        for vehicle in vehicles.rows:
            try:
                parts = parts_for_vehicle(catalogue, vehicle["vehicle_id"], generic)
            except FitmentError as exc:
                raise QuoteError(str(exc)) from exc
            for part in parts.parts:
                seen.setdefault((part["brand"], part["article"]), None)
        of_model = f" of model `{model}`" if vehicles.model_matched else ""
        self.notes.append(
            f"VIN {decoded.vin}: {len(vehicles.rows)} catalogue vehicles{of_model}, "
            f"{len(seen)} parts of `{generic}`"
        )
        return [Wanted(b, a, "exact") for b, a in seen]

    def _with_analogs(self, wanted: list[Wanted]) -> list[Wanted]:
        graph = self.engine._graph()
        if graph is None or not wanted:
            return wanted
        seen = {(w.brand, w.article) for w in wanted}
        out = list(wanted)
        catalogue = self.engine._catalogue()
        oe_numbers = catalogue.oe_numbers if catalogue is not None else None
        for w in wanted:
            if self.over_time():
                self.cut.append("time_limit")
                break
            resolution = graph.analogs(w.brand, w.article)
            if oe_numbers is not None:
                resolution = confirm_analogs(resolution, oe_numbers)
            if resolution.truncated:
                self.cut.append("analog_cap")
            out.extend(self._analogs_of(resolution, seen))
            if len(out) >= self.engine.max_identities:
                self.cut.append("identity_cap")
                return out[: self.engine.max_identities]
        return out

    @staticmethod
    def _analogs_of(resolution: Resolution, seen: set[tuple[str, str]]) -> list[Wanted]:
        out = []
        for analog in resolution.analogs:
            key = (analog.brand, analog.article)
            if analog.blocked or not analog.brand or key in seen:
                continue
            seen.add(key)
            verified = analog.verified or analog.confirmed is True
            out.append(
                Wanted(
                    analog.brand,
                    analog.article,
                    "verified_analog" if verified else "analog",
                    kind=analog.kind,
                    via=tuple(_hop(h) for h in analog.path),
                    confirmed=analog.confirmed,
                )
            )
        return out

    # offers ----------------------------------------------------------------

    def _lookup(self, wanted: list[Wanted]) -> tuple[dict[str, list[Any]], list[int]]:
        if self.snapshot is None or not wanted:
            return {}, []
        keys = [(w.brand, w.article) for w in wanted]
        columns, asked, cut = self.snapshot.find(
            keys, allowed=self.allowed, limit=self.engine.max_offers
        )
        if cut:
            self.cut.append("offer_cap")
        return columns, asked

    def _lines(
        self, wanted: list[Wanted], c: dict[str, list[Any]], asked: list[int]
    ) -> list[dict[str, Any]]:
        metas = self._metas()
        why = [_why(w) for w in wanted]
        in_stock = self.request.in_stock
        lines = []
        for j, i in enumerate(asked):
            qty = c["qty"][j]
            if in_stock and qty <= 0:
                continue
            days_min, days_max = c["delivery_days_min"][j], c["delivery_days_max"][j]
            vat = c["vat_included"][j]
            supplier = c["supplier_id"][j]
            name, probability, group = metas.get(supplier, _NO_META)
            lines.append(
                {
                    "brand": c["brand"][j],
                    "article": c["article"][j],
                    "article_raw": c["article_raw"][j],
                    "name": c["name"][j],
                    "supplier_id": supplier,
                    "supplier_name": name or supplier,
                    "source": "pricelist",
                    "warehouse": c["warehouse"][j],
                    "qty": None if qty < 0 else qty,
                    "qty_approx": bool(c["qty_approx"][j]),
                    "multiplicity": c["multiplicity"][j] or 1,
                    "delivery_days_min": None if days_min < 0 else days_min,
                    "delivery_days_max": None if days_max < 0 else days_max,
                    "delivery_probability": probability,
                    "purchase_kop": c["price_kop"][j],
                    "currency": c["currency"][j],
                    "vat_included": None if vat < 0 else bool(vat),
                    "price_group": group,
                    "load_id": c["load_id"][j],
                    "row": c["row"][j],
                    **why[i],
                }
            )
        return lines

    def _metas(self) -> dict[str, tuple[str, float | None, str | None]]:
        return self.snapshot.supplier_details if self.snapshot is not None else {}

    # online ----------------------------------------------------------------

    def _start_online(self, wanted: list[Wanted]) -> Future[list[Any]] | None:
        engine = self.engine
        request = self.request
        if not request.online or "online" not in request.sources:
            return None
        if engine._online is None:
            return None
        asked = [(w.brand, w.article) for w in wanted if w.match == "exact"]
        if not asked and self.request.article and not self.request.brand:
            asked = [("", self.article or "")]
        if not asked or (self.request.text and not self.request.vin):
            return None
        visible = (
            engine._online_visible(self.request.department, self.request.price_groups)
            if engine._online_visible
            else None
        )
        if request.online_suppliers:
            asked_for = frozenset(request.online_suppliers)
            visible = asked_for if visible is None else visible & asked_for
        left_s = max(
            0.0, (self.request.time_limit_ms - self.timings.elapsed_ms()) / 1e3
        )
        deadline = min(engine.online_deadline_s, left_s)
        self.online_wait_s = deadline + 0.25
        return engine._online(asked[:4], deadline, visible)

    def _online_lines(
        self, results: list[Any], wanted: list[Wanted]
    ) -> list[dict[str, Any]]:
        known = {(w.brand, w.article): w for w in wanted}
        lines: list[dict[str, Any]] = []
        failed: dict[str, dict[str, Any]] = {}
        for result in results:
            if result.status != "ok":
                # one entry per supplier, however many identities it was asked
                failed.setdefault(
                    result.supplier_id,
                    {
                        "supplier_id": result.supplier_id,
                        "status": result.status,
                        "reason": result.error,
                        "elapsed_ms": round(result.elapsed_ms, 1),
                    },
                )
                continue
            group = self.engine.online_price_groups.get(result.supplier_id)
            for offer in result.offers:
                if self.request.in_stock and not offer.qty:
                    continue
                w = known.get((offer.brand, offer.article))
                if w is None and offer.article == self.article and not wanted:
                    # the article asked without a brand, known to no price list
                    w = Wanted(offer.brand, offer.article, "exact")
                asked = (result.brand or None, result.article)
                lines.append(_online_line(offer, result, w, asked, group))
        self.failed = list(failed.values())
        return lines

    # pricing and ranking ---------------------------------------------------

    def _price(self, lines: list[dict[str, Any]]) -> None:
        context = self.engine._pricing()
        if not lines:
            return
        if context is None or not context.rules.rules:
            for line in lines:
                line.update(price_kop=None, rule=None, price_reason="no rules")
            return
        batch = OfferBatch(
            supplier_id=[x["supplier_id"] for x in lines],
            brand=[x["brand"] for x in lines],
            price_kop=np.fromiter(
                (x["purchase_kop"] for x in lines), np.int64, len(lines)
            ),
            currency=[x["currency"] for x in lines],
            price_group=[x["price_group"] for x in lines],
            is_analog=[x["match"] != "exact" for x in lines],
            delivery_days_min=[x["delivery_days_min"] for x in lines],
            delivery_days_max=[x["delivery_days_max"] for x in lines],
            vat_included=[x["vat_included"] for x in lines],
        )
        try:
            priced = price_batch(
                batch, context.rules, context.rates,
                client_group=self.request.client_group,
                department=self.request.department,
                vat_rules=context.vat, discount=self.request.discount,
            )  # fmt: skip
        except PricingError as exc:
            raise QuoteError(str(exc)) from exc
        sell = priced.sell_kop.tolist()
        explanations = priced.explanations_text()
        for i, line in enumerate(lines):
            line["price_kop"] = sell[i] if sell[i] >= 0 else None
            line["rule"] = priced.rule_id[i]
            line["price_reason"] = priced.reason[i]
            line["explanation"] = explanations[i]

    def _rank(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        sort = self.request.sort
        if sort not in SORTS:
            raise QuoteError(f"unknown sort `{sort}`; use one of {', '.join(SORTS)}")
        for line in lines:
            line["priority_brand"] = line["brand"] in self.engine.priority_brands
        lines.sort(key=_sort_key(sort))
        if len(lines) > self.request.limit:
            self.cut.append("result_cap")
            lines = lines[: self.request.limit]
        return [_public(line) for line in lines]

    def _answer(
        self,
        lines: list[dict[str, Any]],
        *,
        brands: list[dict[str, Any]] | None,
        identities: int,
    ) -> QuoteAnswer:
        if self.over_time() and "time_limit" not in self.cut:
            self.cut.append("time_limit")
        request = self.request
        return QuoteAnswer(
            query={
                "article": self.article or request.article,
                "brand": request.brand,
                "text": request.text,
                "vin": request.vin,
                "client_group": request.client_group,
                "department": request.department,
                "sort": request.sort,
            },
            brands=brands,
            lines=lines,
            identities=identities,
            suppliers_failed=self.failed,
            truncated=bool(self.cut),
            truncated_reasons=sorted(set(self.cut)),
            timings_ms=self.timings.to_dict(),
            generation=self.manifest.generation if self.manifest else None,
            notes=self.notes,
            found_by=found_by(request),
        )


_NO_META: tuple[str, float | None, str | None] = ("", None, None)


def found_by(request: QuoteRequest) -> FoundBy:
    """What a request searches by: a VIN (with the part's name), words of a
    name, or an article."""
    if request.vin:
        return "vin"
    return "name" if request.text and not request.article else "article"


def _hop(hop: Any) -> dict[str, Any]:
    return {
        "from": {"brand": hop.from_brand or None, "article": hop.from_article},
        "to": {"brand": hop.to_brand or None, "article": hop.to_article},
        "kind": hop.kind,
        "source": hop.source,
        "verified": hop.verified,
    }


def _why(w: Wanted | None) -> dict[str, Any]:
    if w is None:
        return {"match": "analog", "analog_kind": None, "via": [], "confirmed": None}
    return {
        "match": w.match,
        "analog_kind": w.kind,
        "via": list(w.via),
        "confirmed": w.confirmed,
    }


def _online_line(
    offer: Any,
    result: Any,
    w: Wanted | None,
    asked: tuple[str | None, str],
    price_group: str | None,
) -> dict[str, Any]:
    why = _why(w)
    if w is None:
        # the supplier's own cross: from the part asked to the part it offered
        why["via"] = [
            {
                "from": {"brand": asked[0], "article": asked[1]},
                "to": {"brand": offer.brand or None, "article": offer.article},
                "kind": "online",
                "source": result.supplier_id,
                "verified": False,
            }
        ]
    return {
        "brand": offer.brand,
        "article": offer.article,
        "article_raw": offer.article_raw,
        "name": offer.name,
        "supplier_id": offer.supplier_id,
        "supplier_name": result.supplier_name or result.supplier_id,
        "source": "online",
        "warehouse": offer.warehouse,
        "qty": offer.qty,
        "qty_approx": offer.qty_approx,
        "multiplicity": offer.multiplicity or 1,
        "delivery_days_min": offer.delivery_days_min,
        "delivery_days_max": offer.delivery_days_max,
        "delivery_probability": offer.delivery_probability,
        "purchase_kop": int(offer.price * 100),
        "currency": offer.currency,
        "vat_included": offer.vat_included,
        "price_group": price_group,
        "load_id": None,
        "row": None,
        "cached": result.cached,
        **why,
    }


def _sort_key(sort: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    def days(x: dict[str, Any]) -> int:
        d = x["delivery_days_max"]
        if d is None:
            d = x["delivery_days_min"]
        return _NONE_LAST if d is None else int(d)

    def price(x: dict[str, Any]) -> int:
        p = x.get("price_kop")
        return _NONE_LAST if p is None else int(p)

    def probability(x: dict[str, Any]) -> float:
        p = x["delivery_probability"]
        return 1.0 if p is None else -float(p)

    def purchase(x: dict[str, Any]) -> int:
        # without rules (no sell price) the purchase price still orders lines
        p = x.get("purchase_kop")
        return _NONE_LAST if p is None or p < 0 else int(p)

    def key(x: dict[str, Any]) -> tuple[Any, ...]:
        group = _GROUP[x["match"]]
        if sort == "delivery":
            return (group, days(x), price(x), purchase(x), probability(x))
        if sort == "probability":
            return (group, probability(x), price(x), purchase(x), days(x))
        return (group, price(x), purchase(x), days(x), probability(x))

    return key


def _money(kop: int | None) -> str | None:
    if kop is None:
        return None
    sign = "-" if kop < 0 else ""
    kop = abs(kop)
    return f"{sign}{kop // 100}.{kop % 100:02d}"


def _public(line: dict[str, Any]) -> dict[str, Any]:
    """A line as the API answers it: money as text (changed in place)."""
    line["purchase_price"] = _money(line.pop("purchase_kop"))
    line["price"] = _money(line.pop("price_kop", None))
    line.setdefault("explanation", None)
    return line


def _log_record(request: QuoteRequest, answer: QuoteAnswer) -> dict[str, Any]:
    """One search as a row of the search log (warehouse input)."""
    return {
        "at": time.time(),
        "who": request.who,
        "department": request.department,
        "client_group": request.client_group,
        "article": answer.query.get("article"),
        "brand": request.brand,
        "text": request.text,
        "vin": request.vin,
        "identities": answer.identities,
        "lines": len(answer.lines),
        "brands_offered": len(answer.brands) if answer.brands else 0,
        "exact_lines": sum(1 for x in answer.lines if x["match"] == "exact"),
        "suppliers_failed": [f["supplier_id"] for f in answer.suppliers_failed],
        "truncated": answer.truncated,
        "latency_ms": answer.timings_ms.get("total"),
        "generation": answer.generation,
    }
