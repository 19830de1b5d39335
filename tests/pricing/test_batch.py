"""`price_batch` against `price_offers`: the same prices, reasons and explanations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import numpy as np
import polars as pl
import pytest

from pricing.bench import synthetic_offers, synthetic_rules
from pricing.engine import MONEY, OfferBatch, PricedBatch, price_batch, price_offers
from pricing.reference import price_rows
from pricing.rules import (
    ClientGroup,
    Discount,
    PricingError,
    RateEntry,
    Rates,
    Rule,
    RuleSet,
    VatRules,
)
from tests.pricing.test_engine import CASES, RATES, RULES, VAT, _frame

OUTPUT = ("purchase_rub", "sell_price", "rule_id", "price_reason", "explanation")


def _rub(kop: int) -> D | None:
    return None if kop == -1 else D(int(kop)).scaleb(-2)


def _batch_rows(out: PricedBatch) -> list[dict[str, Any]]:
    """The batch in the shape of `price_offers`' output columns."""
    return [
        {
            "purchase_rub": _rub(out.purchase_kop[i]),
            "sell_price": _rub(out.sell_kop[i]),
            "rule_id": out.rule_id[i],
            "price_reason": out.reason[i],
            "explanation": out.explanation(i),
        }
        for i in range(len(out))
    ]


def _assert_same(frame: pl.DataFrame, batch: OfferBatch, **kwargs: Any) -> None:
    """Every output field of every offer, down to the scale of each `Decimal`."""
    want = price_offers(frame, **kwargs).select(OUTPUT).to_dicts()
    got = _batch_rows(price_batch(batch, **kwargs))
    assert got == want
    assert repr(got) == repr(want)


def _case_batch(cases: list[tuple[Any, ...]]) -> OfferBatch:
    """The offers of `_frame(cases)`, built without polars."""
    days = [c[5].get("days") for c in cases]
    return OfferBatch(
        supplier_id=[c[0] for c in cases],
        brand=[c[1] for c in cases],
        price_kop=np.array([int(D(c[2]) * 100) for c in cases], np.int64),
        currency=[c[3] for c in cases],
        price_group=[c[5].get("price_group") for c in cases],
        is_analog=[c[5].get("is_analog") for c in cases],
        delivery_days_min=days,
        delivery_days_max=days,
    )


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c[7]}-{c[2]}{c[3]}-{c[4]}" for c in CASES]
)
def test_pricing_table_case_by_case(case: tuple[Any, ...]) -> None:
    _assert_same(
        _frame([case]), _case_batch([case]), rules=RULES, rates=RATES,
        client_group=case[4], department=case[5].get("department"), vat_rules=VAT,
    )  # fmt: skip


@pytest.mark.parametrize("group", ["retail", "wholesale", "service", None])
@pytest.mark.parametrize("department", [None, "south"])
def test_pricing_table_whole(group: str | None, department: str | None) -> None:
    _assert_same(
        _frame(CASES), _case_batch(CASES), rules=RULES, rates=RATES,
        client_group=group, department=department, vat_rules=VAT,
    )  # fmt: skip


def test_pricing_table_matches_its_expected_prices() -> None:
    for case in CASES:
        *_, group, extra, sell, rule_id = case
        out = price_batch(
            _case_batch([case]), RULES, RATES, client_group=group,
            department=extra.get("department"), vat_rules=VAT,
        )  # fmt: skip
        assert (_rub(out.sell_kop[0]), out.rule_id[0]) == (
            None if sell is None else D(sell),
            rule_id,
        ), case


def test_personal_discount_replaces_the_group_discount() -> None:
    kwargs: dict[str, Any] = dict(
        rules=RULES, rates=RATES, client_group="wholesale", vat_rules=VAT,
        discount=Discount(percent=D(5)),
    )  # fmt: skip
    assert _rub(price_batch(_case_batch([CASES[12]]), **kwargs).sell_kop[0]) == D(
        "2052.00"
    )
    _assert_same(_frame(CASES), _case_batch(CASES), **kwargs)


def test_missing_rate_and_no_rule_give_a_reason_and_no_price() -> None:
    batch = _case_batch([CASES[9], CASES[3]])  # KZT; supplier s1
    only = RuleSet(rules=[Rule(id="only-s2", supplier="s2", percent=D(10))])
    out = price_batch(batch, only, RATES)
    assert (out.purchase_kop.tolist(), out.sell_kop.tolist()) == ([-1, 10000], [-1, -1])
    assert (out.rule_id, out.reason) == ([None, None], ["missing rate", "no rule"])
    _assert_same(_frame([CASES[9], CASES[3]]), batch, rules=only, rates=RATES)


def test_unknown_client_group_is_refused_as_by_price_offers() -> None:
    with pytest.raises(PricingError) as frame_error:
        price_offers(_frame(CASES), RULES, RATES, client_group="vip")
    with pytest.raises(PricingError) as batch_error:
        price_batch(_case_batch(CASES), RULES, RATES, client_group="vip")
    assert str(batch_error.value) == str(frame_error.value)


def test_empty_batch() -> None:
    empty = OfferBatch(
        supplier_id=[], brand=[], price_kop=np.array([], np.int64), currency=[]
    )
    out = price_batch(empty, RULES, RATES, client_group="retail")
    assert len(out) == 0
    assert (out.purchase_kop.tolist(), out.sell_kop.tolist()) == ([], [])
    assert (out.rule_index.tolist(), out.rule_id, out.reason) == ([], [], [])
    _assert_same(
        _frame(CASES).head(0), _case_batch([]), rules=RULES, rates=RATES,
        client_group="retail",
    )  # fmt: skip


def test_absent_optional_columns_are_nulls() -> None:
    frame = _frame(CASES).select("supplier_id", "brand", "price", "currency")
    batch = OfferBatch(
        supplier_id=frame["supplier_id"].to_list(),
        brand=frame["brand"].to_list(),
        price_kop=np.array([int(D(c[2]) * 100) for c in CASES], np.int64),
        currency=frame["currency"].to_list(),
    )
    _assert_same(frame, batch, rules=RULES, rates=RATES, vat_rules=VAT)


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(PricingError, match="differ in length"):
        OfferBatch(
            supplier_id=["a", "b"], brand=["B"], price_kop=np.array([1, 2]),
            currency=["RUB", "RUB"],
        )  # fmt: skip


# randomized: random valid rules and random offers with every kind of null

SUPPLIERS = [f"s{i}" for i in range(8)]
BRANDS = [f"B{i}" for i in range(8)]
GROUPS = ["oils", "filters", "brakes"]
CLIENT_GROUPS = [
    ClientGroup(id="retail"),
    ClientGroup(id="wholesale", discount=Discount(percent=D("7.5"))),
    ClientGroup(id="service", discount=Discount(percent=D(3), fixed=D(100))),
]
DAY = dt.date(2026, 12, 1)
RATES_EUR_USD = Rates(
    rates={
        "EUR": RateEntry(rate=D("100.4567"), date=DAY),
        "USD": RateEntry(rate=D("92.1"), date=DAY),
    }
)
RATES_WITH_RUB = Rates(
    rates={**RATES_EUR_USD.rates, "RUB": RateEntry(rate=D(1), date=DAY)}
)
PRICE_GRID = [None, 0, 300, 1000, 5000]
ROUNDING_MODES = ["up", "nearest", "ending90"]


def _maybe(rng: np.random.Generator, p: float, values: list[Any]) -> Any:
    return values[rng.integers(len(values))] if rng.random() < p else None


def _kopecks(rng: np.random.Generator, high: int) -> D:
    """Zero half the time, else up to `high` kopecks, in roubles."""
    return D(int(rng.integers(0, high)) * int(rng.random() < 0.5)).scaleb(-2)


def _random_rule(rng: np.random.Generator, rule_id: str) -> Rule:
    low, high = sorted(rng.choice(len(PRICE_GRID), 2, replace=False))
    days_min, days_max = _maybe(rng, 0.5, [2, 5]), _maybe(rng, 0.5, [4, 9])
    ranged, timed = rng.random() < 0.3, rng.random() < 0.2
    step = _maybe(rng, 0.6, [D("0.1"), D(1), D(10), D(50), D(100)])
    return Rule(
        id=rule_id,
        supplier=_maybe(rng, 0.35, SUPPLIERS[:6]),
        brand=_maybe(rng, 0.35, BRANDS[:6]),
        price_group=_maybe(rng, 0.25, GROUPS),
        client_group=_maybe(rng, 0.2, ["wholesale", "service"]),
        department=_maybe(rng, 0.15, ["south"]),
        analog=_maybe(rng, 0.2, [True, False]),
        price_min=D(PRICE_GRID[low]) if ranged and low else None,
        price_max=D(PRICE_GRID[high]) if ranged else None,
        days_min=days_min if timed else None,
        days_max=days_max if timed else None,
        percent=D(int(rng.integers(0, 600_000))).scaleb(-4),
        fixed=_kopecks(rng, 5000),
        min_margin=_kopecks(rng, 20000),
        rounding_step=step,
        rounding_mode=None if step is None else _maybe(rng, 1, ROUNDING_MODES),
    )


def random_rules(seed: int, count: int = 60) -> RuleSet:
    """`count` random rules that make a valid rule set (with a catch-all)."""
    rng = np.random.default_rng(seed)
    rules = [Rule(id="all", percent=D(30), min_margin=D(50))]
    for attempt in range(20_000):
        if len(rules) == count:
            break
        trial = RuleSet(
            rules=[*rules, _random_rule(rng, f"r{attempt}")],
            client_groups=CLIENT_GROUPS,
        )
        if not trial.problems():
            rules = trial.rules
    assert len(rules) == count
    return RuleSet(rules=rules, client_groups=CLIENT_GROUPS).validated()


def random_offers(seed: int, count: int) -> dict[str, list[Any]]:
    """Offers as plain columns, with missing prices, rates, days and flags."""
    rng = np.random.default_rng(seed)

    def pick(values: list[Any], p: list[float] | None = None) -> list[Any]:
        return [values[i] for i in rng.choice(len(values), count, p=p)]

    def sometimes_none(values: list[Any], p: float) -> list[Any]:
        return [None if rng.random() < p else v for v in values]

    kop = np.round(rng.lognormal(7.0, 1.3, count) * 100).astype(np.int64)
    days = rng.integers(0, 12, count)
    return {
        "supplier_id": pick([*SUPPLIERS, "s-unknown"]),
        "brand": pick([*BRANDS, "NONAME"]),
        "price_kop": np.where(rng.random(count) < 0.03, -1, kop).tolist(),
        "currency": pick(["RUB", "EUR", "USD", "KZT"], [0.7, 0.1, 0.1, 0.1]),
        "price_group": pick([*GROUPS, None, ""]),
        "is_analog": pick([True, False, None]),
        "delivery_days_min": sometimes_none(days.tolist(), 0.2),
        "delivery_days_max": sometimes_none(
            (days + rng.integers(0, 4, count)).tolist(), 0.2
        ),
        "vat_included": pick([True, False, None]),
    }


def _offer_frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    dtypes = {
        "delivery_days_min": pl.Int16,
        "delivery_days_max": pl.Int16,
        "price_group": pl.String,
        "is_analog": pl.Boolean,
        "vat_included": pl.Boolean,
    }
    return pl.DataFrame(
        {
            **{k: v for k, v in columns.items() if k != "price_kop"},
            "price": pl.Series([_rub(k) for k in columns["price_kop"]], dtype=MONEY),
            **{k: pl.Series(columns[k], dtype=dtype) for k, dtype in dtypes.items()},
        }
    )


def _offer_batch(columns: dict[str, list[Any]]) -> OfferBatch:
    return OfferBatch(**{**columns, "price_kop": np.array(columns["price_kop"])})


CONTEXTS: list[dict[str, Any]] = [
    {"rates": RATES_EUR_USD},
    {"rates": RATES_EUR_USD, "client_group": "retail",
     "vat_rules": VatRules(included={"s0": False, "s3": False})},
    {"rates": RATES_WITH_RUB, "client_group": "wholesale", "department": "south",
     "vat_rules": VatRules(rate_percent=D(20), default_included=False,
                           included={"s1": True})},
    {"rates": RATES_WITH_RUB, "client_group": "service", "department": "south",
     "discount": Discount(percent=D("2.5"), fixed=D(10))},
]  # fmt: skip


@pytest.mark.parametrize("context", range(len(CONTEXTS)))
def test_random_offers_and_rules_price_the_same(context: int) -> None:
    rules = random_rules(seed=context)
    columns = random_offers(seed=100 + context, count=3000)
    frame, batch = _offer_frame(columns), _offer_batch(columns)
    kwargs = {"rules": rules, **CONTEXTS[context]}
    _assert_same(frame, batch, **kwargs)
    _assert_same(frame, OfferBatch.from_frame(frame), **kwargs)

    # in search-sized batches too, which skip no candidates (see `_match`)
    want = price_offers(frame, **kwargs).select(OUTPUT).to_dicts()
    small = [OfferBatch.from_frame(part) for part in frame.iter_slices(60)]
    got = [row for b in small for row in _batch_rows(price_batch(b, **kwargs))]
    assert got == want


def test_random_rules_without_a_catch_all_price_the_same() -> None:
    rules = RuleSet(rules=random_rules(seed=1).rules[1:], client_groups=CLIENT_GROUPS)
    columns = random_offers(seed=11, count=3000)
    kwargs = {"rules": rules, **CONTEXTS[1]}
    _assert_same(_offer_frame(columns), _offer_batch(columns), **kwargs)
    reasons = price_batch(_offer_batch(columns), **kwargs).reason
    assert {"no rule", "missing rate", None} <= set(reasons)


@pytest.mark.parametrize("size", [60, 3000])
def test_random_offers_price_as_the_reference_loop(size: int) -> None:
    rules = random_rules(seed=7)
    columns = {**random_offers(seed=8, count=size), "vat_included": [None] * size}
    kwargs: dict[str, Any] = {
        "rates": RATES_EUR_USD, "client_group": "wholesale",
        "vat_rules": VatRules(included={"s0": False, "s3": False}),
    }  # fmt: skip
    out = price_batch(_offer_batch(columns), rules, **kwargs)
    loop = price_rows(_offer_frame(columns).to_dicts(), rules, **kwargs)
    got = [
        (_rub(p), _rub(s), r)
        for p, s, r in zip(out.purchase_kop, out.sell_kop, out.rule_id, strict=True)
    ]
    assert got == loop
    assert sum(s is not None for _, s, _ in loop) > size // 2  # most are priced


def test_bench_rules_and_offers_with_nulls_price_the_same() -> None:
    rng = np.random.default_rng(3)
    offers = synthetic_offers(3000, seed=3)

    def nulls(name: str, p: float) -> pl.Expr:
        keep = pl.Series(rng.random(offers.height) >= p)
        return pl.when(pl.lit(keep)).then(pl.col(name)).alias(name)

    frame = offers.with_columns(
        nulls("delivery_days_min", 0.2),
        nulls("delivery_days_max", 0.2),
        nulls("is_analog", 0.2),
        nulls("price_group", 0.2),
        nulls("price", 0.02),
        vat_included=pl.Series([True, False, None])[rng.integers(0, 3, offers.height)],
    )
    kwargs: dict[str, Any] = {
        "rules": synthetic_rules(500), "client_group": "service",
        "rates": Rates(rates={"EUR": RateEntry(rate=D("100.45"), date=DAY)}),
        "vat_rules": VatRules(included={"sup-00": False, "sup-03": False}),
    }  # fmt: skip
    _assert_same(frame, OfferBatch.from_frame(frame), **kwargs)


def _as_text(value: Any) -> Any:
    if isinstance(value, D):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_explanations_text_are_the_explanations_written_as_text() -> None:
    columns = random_offers(7, 400)
    batch = OfferBatch(
        **{**columns, "price_kop": np.asarray(columns["price_kop"], np.int64)}
    )
    for group in ("retail", "wholesale", None):
        priced = price_batch(batch, random_rules(7), RATES, client_group=group)
        texts = priced.explanations_text()
        assert texts == [
            {k: _as_text(v) for k, v in priced.explanation(i).items()}
            for i in range(len(priced))
        ]
