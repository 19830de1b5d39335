"""`parts bench pricing`: the column engine against the per-row loop, same rules,
and the quote-search batch (`price_batch`) against the frame (`price_offers`)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from pricing.engine import MONEY, OfferBatch, price_batch, price_offers
from pricing.reference import price_rows
from pricing.rules import (
    ClientGroup,
    Discount,
    RateEntry,
    Rates,
    Rule,
    RuleSet,
    VatRules,
)

SEARCH_OFFERS = 2_000
QUOTE_OFFERS = 60  # offers priced per quote search
TARGETS = {"ms_per_2000": 2.0, "ratio": 50.0, "batch60_p50_ms": 0.15}
_SUPPLIERS = [f"sup-{i:02d}" for i in range(60)]
_BRANDS = [f"BRAND{i:03d}" for i in range(400)]
_GROUPS = ["oils", "filters", "brakes", "body", "electrics"]
_BANDS = [(None, 500), (500, 3000), (3000, 15000), (15000, None)]


def synthetic_rules(count: int = 500) -> RuleSet:
    """A tie-free rule set of `count` rules of every kind (at least 20)."""
    rules: list[Rule] = []

    def add(**fields: Any) -> None:
        if len(rules) < count:
            n = len(rules)
            rules.append(
                Rule(
                    id=f"r{n:04d}",
                    percent=Decimal(10 + n % 40),
                    min_margin=Decimal(n % 5 * 20),
                    rounding_step=Decimal((1, 10, 100)[n % 3]),
                    rounding_mode=("up", "nearest", "ending90")[n % 3],
                    **fields,
                )
            )

    for low, high in _BANDS:
        add(price_min=_dec(low), price_max=_dec(high))
    add(client_group="wholesale")
    add(client_group="service", fixed=Decimal(30))
    add(analog=True)
    add(days_min=10)
    for group in _GROUPS:
        add(price_group=group)
    for i, supplier in enumerate(_SUPPLIERS):
        add(supplier=supplier, days_min=5 + i % 3)
        for low, high in _BANDS[:3] if i % 2 else _BANDS[1:2]:
            add(supplier=supplier, price_min=_dec(low), price_max=_dec(high))
    for i, brand in enumerate(_BRANDS):
        add(brand=brand, analog=bool(i % 2)) if i % 5 == 0 else add(brand=brand)
        if i % 4 == 0:
            add(brand=brand, supplier=_SUPPLIERS[i % len(_SUPPLIERS)])
    return RuleSet(
        rules=rules,
        client_groups=[
            ClientGroup(id="retail"),
            ClientGroup(id="wholesale", discount=Discount(percent=Decimal(12))),
            ClientGroup(id="service", discount=Discount(percent=Decimal(5))),
        ],
    )


def _dec(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def synthetic_offers(count: int, *, seed: int = 0) -> pl.DataFrame:
    """Offers in the `offers` contract's columns, with price groups and analogs."""
    rng = np.random.default_rng(seed)
    cents = np.round(rng.lognormal(7.0, 1.3, count) * 100).astype(np.int64) + 1
    currencies = np.array(["RUB", "EUR", "USD", "CNY", "KZT"])
    days_min = rng.integers(0, 12, count)
    return pl.DataFrame(
        {
            "supplier_id": np.array([*_SUPPLIERS, "sup-unknown"])[
                rng.integers(0, 61, count)
            ],
            "brand": np.array([*_BRANDS, "NONAME"])[rng.integers(0, 401, count)],
            "price": pl.Series(cents).cast(MONEY) / 100,
            "currency": currencies[
                rng.choice(5, count, p=[0.8, 0.1, 0.05, 0.04, 0.01])
            ],
            "delivery_days_min": days_min.astype(np.int16),
            "delivery_days_max": (days_min + rng.integers(0, 4, count)).astype(
                np.int16
            ),
            "price_group": np.array([*_GROUPS, ""])[rng.integers(0, 6, count)],
            "is_analog": rng.random(count) < 0.6,
        }
    ).with_columns(pl.col("price").cast(MONEY))


def bench_rates() -> Rates:
    """EUR, USD and CNY; KZT is left out so some offers miss their rate."""
    day = dt.date(2026, 12, 1)
    return Rates(
        rates={
            "EUR": RateEntry(rate=Decimal("100.45"), date=day),
            "USD": RateEntry(rate=Decimal("92.10"), date=day),
            "CNY": RateEntry(rate=Decimal("12.74"), date=day),
        }
    )


def run_bench(
    *,
    offers: int = 1_000_000,
    rules: int = 500,
    repeat: int = 200,
    quote_repeat: int | None = None,
) -> dict[str, Any]:
    """Price `offers` synthetic offers, then search-sized batches, against the loop;
    then 60-offer quote batches (`quote_repeat` times, 10 × `repeat` by default)."""
    rule_set = synthetic_rules(rules)
    rates = bench_rates()
    vat = VatRules(included={s: i % 3 != 0 for i, s in enumerate(_SUPPLIERS)})
    frame = synthetic_offers(offers)
    kwargs: dict[str, Any] = {"client_group": "wholesale", "vat_rules": vat}
    price_offers(frame.head(10), rule_set, rates, **kwargs)  # compile once

    started = time.perf_counter()
    priced = price_offers(frame, rule_set, rates, **kwargs)
    full_s = time.perf_counter() - started

    batch = frame.head(min(SEARCH_OFFERS, offers))
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        ours = price_offers(batch, rule_set, rates, **kwargs)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    loop = price_rows(batch.to_dicts(), rule_set, rates, **kwargs)
    loop_s = time.perf_counter() - started

    same = list(
        zip(ours["purchase_rub"], ours["sell_price"], ours["rule_id"], strict=True)
    )
    quote = _quote_bench(
        frame.head(QUOTE_OFFERS), rule_set, rates, kwargs,
        repeat=10 * repeat if quote_repeat is None else quote_repeat,
    )  # fmt: skip
    batch_same = _batch_prices(batch, rule_set, rates, kwargs) == same
    scale = SEARCH_OFFERS / len(batch)
    ms = statistics.median(timings) * 1000 * scale
    baseline_ms = loop_s * 1000 * scale
    return {
        "offers": offers,
        "rules": len(rule_set.rules),
        "seconds": round(full_s, 3),
        "offers_per_s": round(offers / full_s),
        "ms_per_2000": round(ms, 3),
        "ms_per_2000_p90": round(
            sorted(timings)[int(len(timings) * 0.9)] * 1000 * scale, 3
        ),
        "baseline_ms_per_2000": round(baseline_ms, 1),
        "ratio": round(baseline_ms / ms, 1),
        "same_results": same == loop,
        **quote,
        "batch_same_results": batch_same,
        "priced": int(priced["sell_price"].is_not_null().sum()),
        "missing_rate": int((priced["price_reason"] == "missing rate").sum()),
        "targets": TARGETS,
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "polars": pl.__version__,
        },
    }


def _quote_bench(
    offers: pl.DataFrame,
    rule_set: RuleSet,
    rates: Rates,
    kwargs: dict[str, Any],
    *,
    repeat: int,
) -> dict[str, Any]:
    """p50 and p99 of pricing one quote search's offers, batch and frame."""
    batch = OfferBatch.from_frame(offers)  # quote search holds plain columns
    batch_s = _timings(lambda: price_batch(batch, rule_set, rates, **kwargs), repeat)
    frame_s = _timings(lambda: price_offers(offers, rule_set, rates, **kwargs), repeat)
    return {
        "batch60_p50_ms": _ms(batch_s, 0.5),
        "batch60_p99_ms": _ms(batch_s, 0.99),
        "frame60_p50_ms": _ms(frame_s, 0.5),
        "frame60_p99_ms": _ms(frame_s, 0.99),
        "batch60_ratio": round(_ms(frame_s, 0.5) / max(_ms(batch_s, 0.5), 1e-4), 1),
    }


def _timings(run: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of each of `repeat` runs, sorted, after one warm-up run."""
    run()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return sorted(timings)


def _ms(sorted_s: list[float], quantile: float) -> float:
    return round(
        sorted_s[min(int(len(sorted_s) * quantile), len(sorted_s) - 1)] * 1000, 4
    )


def _batch_prices(
    offers: pl.DataFrame, rule_set: RuleSet, rates: Rates, kwargs: dict[str, Any]
) -> list[tuple[Decimal | None, Decimal | None, str | None]]:
    """Purchase, sell price and rule of each offer by `price_batch`, as `Decimal`."""
    out = price_batch(OfferBatch.from_frame(offers), rule_set, rates, **kwargs)

    def rub(kop: int) -> Decimal | None:
        return None if kop == -1 else Decimal(kop).scaleb(-2)

    return [
        (rub(p), rub(s), rule)
        for p, s, rule in zip(
            out.purchase_kop.tolist(), out.sell_kop.tolist(), out.rule_id, strict=True
        )
    ]
