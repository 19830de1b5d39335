"""Price offers: purchase price → RUB → markup → rounding → discount.

Two entry points share one numpy core (`_price`), so there is one pricing rule:
`price_offers` takes a polars frame and adds the prices and an explanation
struct (price lists, the offers API); `price_batch` takes plain columns
(`OfferBatch`) and never builds a frame, for quote search, which prices some
sixty offers per search inside a budget of a few milliseconds. Only the
gathering of the inputs and the assembly of the output differ.

Money is computed in whole kopecks (`int64`), rates in millionths of a rouble,
percentages in ten-thousandths, so the result is exact and the same as the
`Decimal` arithmetic of `pricing.reference` (the per-row loop kept as the
oracle of the tests and the baseline of the bench).

Rules are matched shape by shape, most specific first (see
`pricing.rules.specificity`): within one shape the exact fields make an integer
key, the keys of all shapes lie in one sorted array (each shape in its own
band), so one `searchsorted` finds the candidates of every offer in every
shape, and these are checked against the price and days ranges. A validated
rule set has at most one candidate left per offer and shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from pricing.rules import (
    Discount,
    PricingError,
    RateEntry,
    Rates,
    Rule,
    RuleSet,
    VatRules,
    specificity,
)

MONEY = pl.Decimal(18, 2)
_LOW = np.iinfo(np.int64).min
_HIGH = np.iinfo(np.int64).max
_UNBOUNDED_DAYS = -(2**62)  # above `_LOW`, which marks an offer with no days
_PARTS = ("supplier", "brand", "price_group", "analog")
_CHUNK = 1 << 14  # offers matched at once, which bounds the candidate arrays
_PRUNE_FROM = 1024  # offers from which skipping hopeless candidates pays
_RUB_RATE = Decimal("1.000000")

MISSING_RATE = "missing rate"
NO_RULE = "no rule"


def _kop(value: Decimal) -> int:
    return int(value * 100)


def _half_up(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer division rounding halves up (for non-negative numerators)."""
    return (numerator + denominator // 2) // denominator


def _decimal(value: Decimal, places: int) -> Decimal:
    """A `Decimal` as polars holds it at this scale (halves to even)."""
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)


def _rub(kop: int) -> Decimal:
    """Kopecks as roubles with two places, as polars gives `MONEY`."""
    return Decimal(kop).scaleb(-2)


def _rub_or_none(kop: int) -> Decimal | None:
    """As `_rub`, but None for -1 (no amount)."""
    return None if kop == -1 else _rub(kop)


@dataclass(frozen=True)
class _Lookup:
    """The match keys of every shape in one sorted array, shape after shape."""

    weights: np.ndarray  # (4, shapes): an offer's key in each shape is parts @ weights
    offsets: np.ndarray  # (shapes,): where the band of each shape starts
    keys: np.ndarray  # sorted, distinct, then a sentinel no query equals
    first: np.ndarray  # where the candidates of each key start in `rule_idx`
    count: np.ndarray  # how many candidates each key has (0 for the sentinel)
    sure: np.ndarray  # whether a candidate of the key has no range: it always wins
    rule_idx: np.ndarray  # the candidates, key after key, in rule order
    bounds: dict[str, np.ndarray]  # of each candidate: price_min/max, days_min/max


@dataclass(frozen=True)
class CompiledRules:
    """Rules of one client group and department, laid out as arrays."""

    rules: tuple[Rule, ...]
    codes: tuple[dict[str, int], dict[str, int], dict[str, int]]
    lookup: _Lookup
    terms: dict[str, np.ndarray]  # per rule, plus the zero terms of "no rule" last
    explain_values: dict[str, list[Any]]  # per rule, plus None last for "no rule"

    @cached_property
    def explain_texts(self) -> dict[str, list[str | None]]:
        """`explain_values` as text, the way an API answer writes them."""
        return {
            name: [None if v is None else str(v) for v in values]
            for name, values in self.explain_values.items()
        }

    @cached_property
    def explain(self) -> dict[str, pl.Series]:
        """`explain_values` as polars series, for `price_offers`."""
        return {
            name: pl.Series(values, dtype=_EXPLAIN_DTYPES[name])
            for name, values in self.explain_values.items()
        }


_EXPLAIN_DTYPES: dict[str, pl.DataType] = {
    "rule_id": pl.String(),
    "percent": pl.Decimal(18, 4),
    "fixed": MONEY,
    "min_margin": MONEY,
    "rounding_step": MONEY,
    "rounding_mode": pl.String(),
}


def _code_tables(
    rules: list[Rule],
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    def table(values: set[str | None]) -> dict[str, int]:
        return {v: i + 1 for i, v in enumerate(sorted(x for x in values if x))}

    return (
        table({r.supplier for r in rules}),
        table({r.brand for r in rules}),
        table({r.price_group for r in rules}),
    )


def _rule_codes(rule: Rule, codes: tuple[dict[str, int], ...]) -> tuple[int, ...]:
    analog = 0 if rule.analog is None else 1 + int(rule.analog)
    return (
        codes[0].get(rule.supplier or "", 0),
        codes[1].get(rule.brand or "", 0),
        codes[2].get(rule.price_group or "", 0),
        analog,
    )


def compile_rules(
    rule_set: RuleSet, *, client_group: str | None, department: str | None
) -> CompiledRules:
    """Keep the rules that may apply to this client group and department, as arrays."""
    rules = [
        r
        for r in rule_set.ordered()
        if r.client_group in (None, client_group) and r.department in (None, department)
    ]
    codes = _code_tables(rules)
    return CompiledRules(
        rules=tuple(rules),
        codes=codes,
        lookup=_lookup(rules, codes),
        terms=_terms(rules),
        explain_values=_explain_values(rules),
    )


def _lookup(rules: list[Rule], codes: tuple[dict[str, int], ...]) -> _Lookup:
    bases = (len(codes[0]) + 1, len(codes[1]) + 1, len(codes[2]) + 1, 3)
    span = math.prod(bases)
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i, rule in enumerate(rules):
        by_shape.setdefault(specificity(rule), []).append(i)
    if span * len(by_shape) >= 2**62:
        message = f"too many suppliers, brands and price groups in rules: {bases}"
        raise PricingError(message)

    weights: list[list[int]] = []
    keys: list[int] = []
    members: list[int] = []
    for band, shape in enumerate(sorted(by_shape, reverse=True)):
        used = _used(rules[by_shape[shape][0]])
        weight = [math.prod(bases[j + 1 :]) * u for j, u in enumerate(used)]
        weights.append(weight)
        for i in by_shape[shape]:
            pairs = list(zip(_rule_codes(rules[i], codes), weight, strict=True))
            # a set field that no offer can carry (empty text) never matches
            if all(part > 0 for part, w in pairs if w):
                keys.append(band * span + sum(part * w for part, w in pairs))
                members.append(i)

    order = np.argsort(np.array(keys, np.int64), kind="stable")
    rule_idx = np.array(members, np.int64)[order]
    distinct, first, count = np.unique(
        np.array(keys, np.int64)[order], return_index=True, return_counts=True
    )
    bounds = {name: b[rule_idx] for name, b in _bounds(rules).items()}
    free = (bounds["price_min"] == _LOW) & (bounds["price_max"] == _HIGH)
    free &= (bounds["days_min"] == _LOW) & (bounds["days_max"] == _HIGH)
    sure = np.logical_or.reduceat(free, first) if len(first) else free
    return _Lookup(
        weights=np.array(weights, np.int64).reshape(-1, 4).T.copy(),
        offsets=np.arange(len(weights), dtype=np.int64) * span,
        keys=np.append(distinct, _HIGH),
        first=np.append(first, 0),
        count=np.append(count, 0),
        sure=np.append(sure, False),
        rule_idx=rule_idx,
        bounds=bounds,
    )


def _used(rule: Rule) -> tuple[bool, bool, bool, bool]:
    """Which of the key fields (`_PARTS`) a rule matches on."""
    return (
        rule.supplier is not None,
        rule.brand is not None,
        rule.price_group is not None,
        rule.analog is not None,
    )


def _bounds(rules: list[Rule]) -> dict[str, np.ndarray]:
    def days_min(rule: Rule) -> int:
        if rule.days_min is not None:
            return rule.days_min
        return _LOW if rule.days_max is None else _UNBOUNDED_DAYS

    def money(value: Decimal | None, default: int) -> int:
        return default if value is None else _kop(value)

    return {
        "price_min": np.array([money(r.price_min, _LOW) for r in rules], np.int64),
        "price_max": np.array([money(r.price_max, _HIGH) for r in rules], np.int64),
        "days_min": np.array([days_min(r) for r in rules], np.int64),
        "days_max": np.array(
            [_HIGH if r.days_max is None else r.days_max for r in rules], np.int64
        ),
    }


def _terms(rules: list[Rule]) -> dict[str, np.ndarray]:
    def column(values: list[int]) -> np.ndarray:
        return np.array([*values, 0], np.int64)  # the last row: no rule

    rounding = [_rounding(r) for r in rules]
    return {
        "percent_e4": column([int(r.percent * 10_000) for r in rules]),
        "fixed": column([_kop(r.fixed) for r in rules]),
        "min_margin": column([_kop(r.min_margin) for r in rules]),
        "div": np.array([*(div for div, _, _ in rounding), 1], np.int64),
        "shift": column([shift for _, shift, _ in rounding]),
        "tail": column([tail for _, _, tail in rounding]),
    }


def _rounding(rule: Rule) -> tuple[int, int, int]:
    """`round_price` of a rule as `(x + shift) // div * div + tail` in kopecks.

    With s the step: up is ⌈x/s⌉·s, nearest ⌊(x + s/2)/s⌋·s, ending90
    ⌈(x − t)/s⌉·s + t for t = 0.9·s; and ⌈a/s⌉ = ⌊(a + s − 1)/s⌋ for integers.
    """
    step = _kop(rule.rounding_step or Decimal(0))
    if rule.rounding_mode is None or step <= 0:
        return 1, 0, 0
    if rule.rounding_mode == "up":
        return step, step - 1, 0
    if rule.rounding_mode == "nearest":
        return step, step // 2, 0
    tail = step * 9 // 10
    return step, step - 1 - tail, tail


def _explain_values(rules: list[Rule]) -> dict[str, list[Any]]:
    def decimal(values: list[Decimal | None], places: int) -> list[Decimal | None]:
        return [*(None if v is None else _decimal(v, places) for v in values), None]

    return {
        "rule_id": [*(r.id for r in rules), None],
        "percent": decimal([r.percent for r in rules], 4),
        "fixed": decimal([r.fixed for r in rules], 2),
        "min_margin": decimal([r.min_margin for r in rules], 2),
        "rounding_step": decimal([r.rounding_step for r in rules], 2),
        "rounding_mode": [*(r.rounding_mode for r in rules), None],
    }


_CACHE: dict[
    tuple[int, str | None, str | None], tuple[RuleSet, list[Rule], CompiledRules]
] = {}


def _compiled(
    rule_set: RuleSet, client_group: str | None, department: str | None
) -> CompiledRules:
    """Compile once per rule set (by identity), client group and department."""
    key = (id(rule_set), client_group, department)
    hit = _CACHE.get(key)
    # list equality checks identity first: cheap while the rules are unchanged
    if hit is not None and hit[0] is rule_set and hit[1] == rule_set.rules:
        return hit[2]
    if len(_CACHE) > 64:
        _CACHE.clear()
    compiled = compile_rules(rule_set, client_group=client_group, department=department)
    _CACHE[key] = (rule_set, list(rule_set.rules), compiled)
    return compiled


def _prepare(
    rules: RuleSet,
    *,
    client_group: str | None,
    department: str | None,
    discount: Discount | None,
) -> tuple[CompiledRules, Discount]:
    """The compiled rules and the discount that applies; an unknown group is refused."""
    group = rules.client_group(client_group)
    if client_group is not None and group is None and rules.client_groups:
        known = ", ".join(g.id for g in rules.client_groups)
        raise PricingError(f"unknown client group `{client_group}`; known: {known}")
    compiled = _compiled(rules, client_group, department)
    return compiled, discount or (group.discount if group else Discount())


def _match(
    compiled: CompiledRules,
    v: dict[str, np.ndarray],
    purchase: np.ndarray,
    open_: np.ndarray,
) -> np.ndarray:
    """The index of the rule of each offer in `compiled.rules`, or -1.

    The candidates come offer by offer, shape after shape and in rule order
    within a shape: in the order of `compiled.rules`, so the first one within
    its ranges is the most specific rule.
    """
    n = len(purchase)
    if n > _CHUNK:
        return np.concatenate(
            [
                _match(compiled, {k: a[c] for k, a in v.items()}, purchase[c], open_[c])
                for c in (slice(i, i + _CHUNK) for i in range(0, n, _CHUNK))
            ]
        )
    look = compiled.lookup
    shapes = len(look.offsets)
    queries = (v["parts"] @ look.weights + look.offsets).ravel()  # offer by offer
    at = np.searchsorted(look.keys, queries)
    hit = look.keys[at] == queries
    if n >= _PRUNE_FROM:
        # a hit on a key with a rule free of ranges wins: later shapes cannot
        sure = (hit & look.sure[at]).reshape(n, shapes)
        hit &= (np.cumsum(sure, axis=1) == sure).ravel()
    count = look.count[at] * hit
    found = np.full(n, -1, np.int64)
    total = int(count.sum())
    if total == 0:
        return found

    offer = np.repeat(np.arange(n * shapes) // shapes, count)
    start = look.first[at] + count - np.cumsum(count)
    candidate = np.arange(total) + np.repeat(start, count)
    price, day = purchase[offer], v["days"][offer]
    b = {name: values[candidate] for name, values in look.bounds.items()}
    ok = (price >= b["price_min"]) & (price < b["price_max"])
    ok &= (day >= b["days_min"]) & (day <= b["days_max"])
    offer, candidate = offer[ok], candidate[ok]
    first = np.ones(len(offer), bool)
    first[1:] = offer[1:] != offer[:-1]
    found[offer[first]] = look.rule_idx[candidate[first]]
    return np.where(open_, found, -1)


def _price(
    compiled: CompiledRules,
    v: dict[str, np.ndarray],
    *,
    vat: VatRules,
    discount: Discount,
) -> dict[str, np.ndarray]:
    """The one pricing rule, on columns: rate, VAT, rule, markup, rounding, discount.

    Amounts in kopecks: the purchase is meaningful where `has_rate`, the rest
    where `rule` ≥ 0.
    """
    has_rate = (v["rate_e6"] > 0) & (v["price_kop"] >= 0)
    purchase = _half_up(v["price_kop"] * v["rate_e6"], 1_000_000)
    with_vat = 10_000 + int(vat.rate_percent * 100)
    purchase = _half_up(purchase * np.where(v["add_vat"], with_vat, 10_000), 10_000)
    rule = _match(compiled, v, purchase, has_rate)
    t = {name: values[rule] for name, values in compiled.terms.items()}  # -1: last

    markup = _half_up(purchase * t["percent_e4"], 1_000_000) + t["fixed"]
    floor = purchase + t["min_margin"]
    unrounded = purchase + np.maximum(markup, t["min_margin"])
    rounded = (unrounded + t["shift"]) // t["div"] * t["div"] + t["tail"]
    retail = np.maximum(rounded, floor)
    off = _half_up(retail * int(discount.percent * 10_000), 1_000_000) + _kop(
        discount.fixed
    )
    return {
        "has_rate": has_rate,
        "add_vat": v["add_vat"],
        "rule": rule,
        "purchase": purchase,
        "markup": markup,
        "retail": retail,
        "floor": floor,
        "sell": np.minimum(retail, np.maximum(retail - off, floor)),
    }


def price_offers(
    offers: pl.DataFrame,
    rules: RuleSet,
    rates: Rates,
    *,
    client_group: str | None = None,
    department: str | None = None,
    vat_rules: VatRules | None = None,
    discount: Discount | None = None,
) -> pl.DataFrame:
    """Add `purchase_rub`, `sell_price`, `rule_id`, `price_reason` and `explanation`.

    `sell_price` is null, with a reason, when the currency has no rate
    (`missing rate`) or no rule matches (`no rule`): never a wrong price.
    `discount`, a personal one, replaces the client group's.
    """
    compiled, discount = _prepare(
        rules, client_group=client_group, department=department, discount=discount
    )
    vat = vat_rules or VatRules()
    inputs = _inputs(offers, compiled, rates, vat)
    prices = _price(compiled, inputs, vat=vat, discount=discount)
    return _assemble(
        offers,
        compiled,
        prices,
        rates=rates,
        discount=discount,
        client_group=client_group,
    )


def _code_expr(column: str, table: dict[str, int], columns: list[str]) -> pl.Expr:
    if not table or column not in columns:
        return pl.lit(0, pl.Int64)
    return (
        pl.col(column)
        .replace_strict(
            list(table), list(table.values()), default=0, return_dtype=pl.Int64
        )
        .fill_null(0)
    )


def _price_kop() -> pl.Expr:
    """The `price` column in kopecks, -1 where there is none."""
    return (pl.col("price").cast(MONEY) * 100).cast(pl.Int64).fill_null(-1)


def _inputs(
    offers: pl.DataFrame, compiled: CompiledRules, rates: Rates, vat: VatRules
) -> dict[str, np.ndarray]:
    """Everything the matching needs from the offers, as numpy, in one polars pass."""
    columns = offers.columns
    known = {
        c: e for c in offers["currency"].unique() if (e := rates.get(c)) is not None
    }
    currency = pl.col("currency")
    excluded = [s for s in offers["supplier_id"].unique() if not vat.includes_vat(s)]
    days = pl.lit(_LOW, pl.Int64)
    for name in ("delivery_days_min", "delivery_days_max"):
        if name in columns:
            days = pl.col(name).cast(pl.Int64).fill_null(days)
    analog = (
        (pl.col("is_analog").cast(pl.Int64) + 1).fill_null(0)
        if "is_analog" in columns
        else pl.lit(0, pl.Int64)
    )
    frame = offers.select(
        supplier=_code_expr("supplier_id", compiled.codes[0], columns),
        brand=_code_expr("brand", compiled.codes[1], columns),
        price_group=_code_expr("price_group", compiled.codes[2], columns),
        analog=analog,
        days=days,
        price_kop=_price_kop(),
        rate_e6=currency.replace_strict(
            list(known), [_rate_e6(e) for e in known.values()],
            default=0, return_dtype=pl.Int64,
        ).fill_null(0),
        add_vat=_add_vat(offers, excluded),
    )  # fmt: skip
    v = {name: frame.get_column(name).to_numpy() for name in frame.columns}
    return {"parts": np.stack([v.pop(name) for name in _PARTS], axis=1), **v}


def _rate_e6(entry: RateEntry | None) -> int:
    """A rate in millionths of a rouble; 0 for none."""
    return 0 if entry is None else int(entry.rate * 1_000_000)


def _add_vat(offers: pl.DataFrame, excluded: list[str]) -> pl.Expr:
    """Whether VAT must be added: the offer's own `vat_included` flag (from its
    supplier profile at ingest) wins over the rules file's per-supplier map."""
    by_supplier = pl.col("supplier_id").is_in(excluded).fill_null(False)
    if "vat_included" not in offers.columns:
        return by_supplier
    return (~pl.col("vat_included")).fill_null(by_supplier)


def _money(values: np.ndarray, valid: np.ndarray) -> pl.Expr:
    amount = (pl.lit(pl.Series(values)).cast(MONEY) / 100).cast(MONEY)
    return pl.when(pl.lit(pl.Series(valid))).then(amount)


def _assemble(
    offers: pl.DataFrame,
    compiled: CompiledRules,
    prices: dict[str, np.ndarray],
    *,
    rates: Rates,
    discount: Discount,
    client_group: str | None,
) -> pl.DataFrame:
    """The input columns with the prices and their explanation, in one polars pass."""
    rule, has_rate = prices["rule"], prices["has_rate"]
    priced = rule >= 0
    reason = np.where(~has_rate, 1, np.where(priced, 0, 2))
    reason_e = pl.lit(pl.Series(reason)).replace_strict(
        [1, 2], [MISSING_RATE, NO_RULE], default=None, return_dtype=pl.String
    )
    idx = pl.lit(pl.Series(np.where(priced, rule, len(compiled.rules))))
    terms = {name: pl.lit(s).gather(idx) for name, s in compiled.explain.items()}
    stored = {c: e for c, e in rates.rates.items()}
    currency = pl.col("currency")
    fields: dict[str, pl.Expr] = dict(
        price=pl.col("price"),
        currency=currency,
        rate=pl.when(currency == "RUB").then(pl.lit(_RUB_RATE, pl.Decimal(18, 6))).otherwise(
            currency.replace_strict(
                list(stored), [e.rate for e in stored.values()], default=None,
                return_dtype=pl.Decimal(18, 6),
            )
        ),
        rate_date=currency.replace_strict(
            list(stored), [e.date for e in stored.values()], default=None,
            return_dtype=pl.Date,
        ),
        vat_added=pl.lit(pl.Series(prices["add_vat"])),
        purchase_rub=_money(prices["purchase"], has_rate),
        **terms,
        markup_rub=_money(prices["markup"], priced),
        retail_rub=_money(prices["retail"], priced),
        client_group=pl.lit(client_group, pl.String),
        discount_percent=pl.lit(discount.percent, pl.Decimal(18, 4)),
        discount_fixed=pl.lit(discount.fixed, MONEY),
        floor_rub=_money(prices["floor"], priced),
        reason=reason_e,
    )  # fmt: skip
    explanation = pl.struct([e.alias(name) for name, e in fields.items()])
    return offers.with_columns(
        purchase_rub=_money(prices["purchase"], has_rate),
        sell_price=_money(prices["sell"], priced),
        rule_id=terms["rule_id"],
        price_reason=reason_e,
        explanation=explanation,
    )


@dataclass(frozen=True)
class OfferBatch:
    """Offers as plain columns (no polars): the input of quote search.

    The optional columns are as absent from an `offers` frame when None; a
    None inside one is a null of that offer.
    """

    supplier_id: Sequence[str]
    brand: Sequence[str]
    price_kop: np.ndarray  # int64 kopecks of the price in its currency; -1: none
    currency: Sequence[str]
    price_group: Sequence[str | None] | None = None
    is_analog: Sequence[bool | None] | None = None
    delivery_days_min: Sequence[int | None] | None = None
    delivery_days_max: Sequence[int | None] | None = None
    vat_included: Sequence[bool | None] | None = None

    def __post_init__(self) -> None:
        lengths = {
            name: len(column)
            for name, column in vars(self).items()
            if column is not None
        }
        if len(set(lengths.values())) > 1:
            message = f"offer batch columns differ in length: {lengths}"
            raise PricingError(message)

    def __len__(self) -> int:
        return len(self.supplier_id)

    @classmethod
    def from_frame(cls, offers: pl.DataFrame) -> OfferBatch:
        """The columns of an `offers` frame (this uses polars: not for a hot path)."""

        def column(name: str) -> list[Any] | None:
            return offers[name].to_list() if name in offers.columns else None

        return cls(
            supplier_id=offers["supplier_id"].to_list(),
            brand=offers["brand"].to_list(),
            price_kop=offers.select(_price_kop()).to_series().to_numpy(),
            currency=offers["currency"].to_list(),
            price_group=column("price_group"),
            is_analog=column("is_analog"),
            delivery_days_min=column("delivery_days_min"),
            delivery_days_max=column("delivery_days_max"),
            vat_included=column("vat_included"),
        )


@dataclass(frozen=True)
class _BatchContext:
    """What the explanation of a line needs beyond the public columns."""

    offers: OfferBatch
    prices: dict[str, np.ndarray]  # of `_price`
    terms: dict[str, list[Any]]  # `CompiledRules.explain_values`
    texts: dict[str, list[str | None]]  # `CompiledRules.explain_texts`
    rates: Rates
    client_group: str | None
    discount: Discount


@dataclass(frozen=True)
class PricedBatch:
    """The prices of an `OfferBatch`, line by line, in kopecks."""

    purchase_kop: np.ndarray  # RUB after rate and VAT; -1 where no rate
    sell_kop: np.ndarray  # -1 where no price (missing rate or no rule)
    rule_index: np.ndarray  # into the compiled rules; -1: none
    rule_id: list[str | None]
    reason: list[str | None]  # None, "missing rate" or "no rule"
    _context: _BatchContext = field(repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.sell_kop)

    def explanation(self, i: int) -> dict[str, Any]:
        """Line `i` explained: the keys and values of `price_offers`' `explanation`."""
        c = self._context
        currency = c.offers.currency[i]
        entry = c.rates.rates.get(currency)
        rule = int(self.rule_index[i])  # -1: the last, empty, terms
        priced = rule >= 0

        def money(name: str) -> Decimal | None:
            return _rub(int(c.prices[name][i])) if priced else None

        return {
            "price": _rub_or_none(int(c.offers.price_kop[i])),
            "currency": currency,
            "rate": _RUB_RATE if currency == "RUB" else entry.rate if entry else None,
            "rate_date": None if entry is None else entry.date,
            "vat_added": bool(c.prices["add_vat"][i]),
            "purchase_rub": _rub_or_none(int(self.purchase_kop[i])),
            **{name: values[rule] for name, values in c.terms.items()},
            "markup_rub": money("markup"),
            "retail_rub": money("retail"),
            "client_group": c.client_group,
            "discount_percent": _decimal(c.discount.percent, 4),
            "discount_fixed": _decimal(c.discount.fixed, 2),
            "floor_rub": money("floor"),
            "reason": self.reason[i],
        }

    def explanations_text(self) -> list[dict[str, Any]]:
        """Every line's `explanation` with amounts, rates and percentages as text
        (`"427.52"`): what an API answer carries, built from the integers."""
        c = self._context
        rates = {
            cur: (str(e.rate), e.date.isoformat())
            for cur in set(c.offers.currency)
            if (e := c.rates.rates.get(cur)) is not None
        }
        discount = (str(_decimal(c.discount.percent, 4)),
                    str(_decimal(c.discount.fixed, 2)))  # fmt: skip
        columns = {k: c.prices[k].tolist() for k in ("markup", "retail", "floor")}
        vat = c.prices["add_vat"].tolist()
        price, purchase = c.offers.price_kop.tolist(), self.purchase_kop.tolist()
        out = []
        for i, rule in enumerate(self.rule_index.tolist()):
            currency = c.offers.currency[i]
            rate, day = rates.get(currency, (None, None))
            priced = rule >= 0
            out.append({
                "price": _kop_text(price[i]),
                "currency": currency,
                "rate": "1.000000" if currency == "RUB" else rate,
                "rate_date": day,
                "vat_added": bool(vat[i]),
                "purchase_rub": _kop_text(purchase[i]),
                **{name: values[rule] for name, values in c.texts.items()},
                "markup_rub": _kop_text(columns["markup"][i]) if priced else None,
                "retail_rub": _kop_text(columns["retail"][i]) if priced else None,
                "client_group": c.client_group,
                "discount_percent": discount[0],
                "discount_fixed": discount[1],
                "floor_rub": _kop_text(columns["floor"][i]) if priced else None,
                "reason": self.reason[i],
            })  # fmt: skip
        return out


def _kop_text(kop: int) -> str | None:
    """Kopecks as `"1234.50"`; None for -1 (no amount)."""
    if kop == -1:
        return None
    sign, kop = ("-", -kop) if kop < 0 else ("", kop)
    return f"{sign}{kop // 100}.{kop % 100:02d}"


def price_batch(
    batch: OfferBatch,
    rules: RuleSet,
    rates: Rates,
    *,
    client_group: str | None = None,
    department: str | None = None,
    vat_rules: VatRules | None = None,
    discount: Discount | None = None,
) -> PricedBatch:
    """Price a few offers exactly as `price_offers` does, without polars.

    For quote search: the same prices, rules and reasons (the same core), in
    a fraction of a millisecond for sixty offers; the explanation of a line
    is built only when asked for (`PricedBatch.explanation`).
    """
    compiled, discount = _prepare(
        rules, client_group=client_group, department=department, discount=discount
    )
    vat = vat_rules or VatRules()
    inputs = _batch_inputs(batch, compiled, rates, vat)
    p = _price(compiled, inputs, vat=vat, discount=discount)
    has_rate, rule = p["has_rate"], p["rule"]
    ids = compiled.explain_values["rule_id"]  # None last, at -1
    return PricedBatch(
        purchase_kop=np.where(has_rate, p["purchase"], -1),
        sell_kop=np.where(rule >= 0, p["sell"], -1),
        rule_index=rule,
        rule_id=[ids[r] for r in rule.tolist()],
        reason=[
            MISSING_RATE if not rate else None if r >= 0 else NO_RULE
            for rate, r in zip(has_rate.tolist(), rule.tolist(), strict=True)
        ],
        _context=_BatchContext(
            batch,
            p,
            compiled.explain_values,
            compiled.explain_texts,
            rates,
            client_group,
            discount,
        ),
    )


_ANALOG = {None: 0, False: 1, True: 2}


def _batch_inputs(
    batch: OfferBatch, compiled: CompiledRules, rates: Rates, vat: VatRules
) -> dict[str, np.ndarray]:
    """What `_inputs` gathers from a frame, with dict look-ups per offer."""
    n = len(batch)
    suppliers, brands, groups = compiled.codes
    absent = [0] * n
    parts = [
        [suppliers.get(s, 0) for s in batch.supplier_id],
        [brands.get(b, 0) for b in batch.brand],
        absent
        if batch.price_group is None
        else [groups.get(g or "", 0) for g in batch.price_group],
        absent if batch.is_analog is None else [_ANALOG[a] for a in batch.is_analog],
    ]
    rate_e6 = {c: _rate_e6(rates.get(c)) for c in set(batch.currency)}
    return {
        "parts": np.array(parts, np.int64).reshape(4, n).T,
        "days": np.array(_batch_days(batch, n), np.int64).reshape(n),
        "price_kop": np.asarray(batch.price_kop, np.int64).reshape(n),
        "rate_e6": np.array([rate_e6[c] for c in batch.currency], np.int64),
        "add_vat": np.array(_batch_vat(batch, vat), bool).reshape(n),
    }


def _batch_days(batch: OfferBatch, n: int) -> list[int]:
    """`delivery_days_max`, else `delivery_days_min`, else `_LOW` (no days)."""
    low, high = batch.delivery_days_min, batch.delivery_days_max
    if high is None:
        return [_LOW] * n if low is None else [_LOW if d is None else d for d in low]
    if low is None:
        return [_LOW if d is None else d for d in high]
    return [
        h if h is not None else _LOW if lo is None else lo
        for lo, h in zip(low, high, strict=True)
    ]


def _batch_vat(batch: OfferBatch, vat: VatRules) -> list[bool]:
    """As `_add_vat`: the offer's own flag wins over the per-supplier map."""
    excluded = {s: not vat.includes_vat(s) for s in set(batch.supplier_id)}
    if batch.vat_included is None:
        return [excluded[s] for s in batch.supplier_id]
    return [
        excluded[s] if own is None else not own
        for s, own in zip(batch.supplier_id, batch.vat_included, strict=True)
    ]


def explain_price(
    *,
    supplier: str,
    brand: str,
    price: Decimal,
    currency: str,
    rules: RuleSet,
    rates: Rates,
    client_group: str | None = None,
    department: str | None = None,
    price_group: str | None = None,
    is_analog: bool | None = None,
    delivery_days: int | None = None,
    vat_rules: VatRules | None = None,
    discount: Discount | None = None,
) -> dict[str, Any]:
    """Price one offer through `price_offers` and return its explanation as a dict."""
    offer = pl.DataFrame(
        {
            "supplier_id": [supplier],
            "brand": [brand],
            "price": pl.Series([price], dtype=MONEY),
            "currency": [currency],
            "delivery_days_min": pl.Series([delivery_days], dtype=pl.Int16),
            "delivery_days_max": pl.Series([delivery_days], dtype=pl.Int16),
            "price_group": pl.Series([price_group], dtype=pl.String),
            "is_analog": pl.Series([is_analog], dtype=pl.Boolean),
        }
    )
    row = price_offers(
        offer, rules, rates, client_group=client_group, department=department,
        vat_rules=vat_rules, discount=discount,
    ).row(0, named=True)  # fmt: skip
    return {
        "sell_price": row["sell_price"],
        "supplier": supplier,
        "brand": brand,
        **row["explanation"],
    }
