"""Markup rules, client groups, discounts and currency rates: the data of pricing.

A rule matches an offer on any of its optional match fields; the most specific
rule that matches wins. Specificity (see `specificity`) is, in order:

1. the number of match fields set (more wins);
2. then which fields are set, compared in this order:
   supplier > brand > price_group > client_group > department > analog >
   price range > days range.

Two rules with the same specificity are the same *shape*, so both cannot match
one offer: `RuleSet.problems` reports such a tie when the rules are saved,
never at search time.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter, defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RoundingMode = Literal["up", "nearest", "ending90"]

KOPECK = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")
PERCENT_PLACES = Decimal("0.0001")

# the order of `specificity` after the field count; a range counts when either
# of its borders is set
SPECIFICITY_ORDER: tuple[str, ...] = (
    "supplier",
    "brand",
    "price_group",
    "client_group",
    "department",
    "analog",
    "price_range",
    "days_range",
)


class PricingError(ValueError):
    """Base of the errors of `pricing`."""


class InvalidRules(PricingError):
    """A rule set that may not be saved; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid rules: " + "; ".join(problems))


class Rule(BaseModel):
    """One markup rule: what it matches and the terms it applies."""

    model_config = ConfigDict(frozen=True)

    id: str
    # match fields; None matches anything
    supplier: str | None = None
    price_group: str | None = None
    brand: str | None = None
    client_group: str | None = None
    department: str | None = None
    price_min: Decimal | None = None  # purchase price in RUB, inclusive
    price_max: Decimal | None = None  # exclusive
    days_min: int | None = None  # delivery_days_max of the offer, inclusive
    days_max: int | None = None  # inclusive
    analog: bool | None = None  # True: analogs only; False: the requested part only
    # terms
    percent: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)
    min_margin: Decimal = Decimal(0)  # RUB over the purchase price
    rounding_step: Decimal | None = None
    rounding_mode: RoundingMode | None = None
    note: str = ""

    def fields_set(self) -> dict[str, bool]:
        """Which match fields are set, by the names of `SPECIFICITY_ORDER`."""
        return {
            "supplier": self.supplier is not None,
            "brand": self.brand is not None,
            "price_group": self.price_group is not None,
            "client_group": self.client_group is not None,
            "department": self.department is not None,
            "analog": self.analog is not None,
            "price_range": self.price_min is not None or self.price_max is not None,
            "days_range": self.days_min is not None or self.days_max is not None,
        }

    def matches(
        self,
        *,
        supplier: str | None,
        brand: str | None,
        price_group: str | None,
        client_group: str | None,
        department: str | None,
        is_analog: bool | None,
        purchase_rub: Decimal,
        delivery_days: int | None,
    ) -> bool:
        """Whether this rule applies to one offer (the per-row reference)."""
        pairs = (
            (self.supplier, supplier),
            (self.brand, brand),
            (self.price_group, price_group),
            (self.client_group, client_group),
            (self.department, department),
            (self.analog, is_analog),
        )
        if any(want is not None and want != got for want, got in pairs):
            return False
        if self.price_min is not None and purchase_rub < self.price_min:
            return False
        if self.price_max is not None and purchase_rub >= self.price_max:
            return False
        if self.days_min is not None or self.days_max is not None:
            if delivery_days is None:
                return False
            if self.days_min is not None and delivery_days < self.days_min:
                return False
            if self.days_max is not None and delivery_days > self.days_max:
                return False
        return True

    def terms(self) -> dict[str, str | None]:
        """The terms as text, for an explanation."""
        return {
            "percent": str(self.percent),
            "fixed": str(self.fixed),
            "min_margin": str(self.min_margin),
            "rounding_step": None
            if self.rounding_step is None
            else str(self.rounding_step),
            "rounding_mode": self.rounding_mode,
        }


def specificity(rule: Rule) -> tuple[int, ...]:
    """Sort key of a rule: higher wins (field count, then `SPECIFICITY_ORDER`)."""
    flags = rule.fields_set()
    bits = tuple(int(flags[name]) for name in SPECIFICITY_ORDER)
    return (sum(bits), *bits)


class Discount(BaseModel):
    """A discount off the retail price: a percentage, a fixed amount, or both."""

    model_config = ConfigDict(frozen=True)

    percent: Decimal = Field(Decimal(0), ge=0, le=100)
    fixed: Decimal = Field(Decimal(0), ge=0)  # RUB

    def apply(self, retail_rub: Decimal, *, floor_rub: Decimal) -> Decimal:
        """The discounted price, never below `floor_rub` (nor above the retail)."""
        off = (retail_rub * self.percent / 100).quantize(KOPECK, ROUND_HALF_UP)
        discounted = retail_rub - off - self.fixed
        return min(retail_rub, max(discounted, floor_rub))


class ClientGroup(BaseModel):
    """A client group (retail, wholesale levels, service station…) and its discount.

    The discount never takes a price below the purchase price plus the
    minimum margin of the rule that priced it (the floor).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str = ""
    discount: Discount = Discount()


class RateEntry(BaseModel):
    """One stored exchange rate: RUB per unit of the currency, as of `date`."""

    model_config = ConfigDict(frozen=True)

    rate: Decimal = Field(gt=0)
    date: dt.date

    @field_validator("rate")
    @classmethod
    def _six_places(cls, value: Decimal) -> Decimal:
        # the engine works in millionths of a rouble per unit
        return value.quantize(RATE_PLACES, ROUND_HALF_UP)


_RUB = RateEntry(rate=Decimal(1), date=dt.date.min)  # when none is stored


class Rates(BaseModel):
    """Exchange rates by ISO 4217 code; RUB is always 1."""

    rates: dict[str, RateEntry] = {}

    def get(self, currency: str) -> RateEntry | None:
        """The rate of a currency, or None when none is stored."""
        if currency == "RUB":
            return self.rates.get("RUB") or _RUB
        return self.rates.get(currency)


class VatRules(BaseModel):
    """Whether each supplier's price list includes VAT; sell prices always do."""

    rate_percent: Decimal = Decimal(22)
    included: dict[str, bool] = {}  # supplier id → its prices include VAT
    default_included: bool = True

    def includes_vat(self, supplier: str) -> bool:
        """Whether this supplier's prices already include VAT."""
        return self.included.get(supplier, self.default_included)


class RuleSet(BaseModel):
    """A whole set of markup rules with the client groups they price for."""

    rules: list[Rule] = []
    client_groups: list[ClientGroup] = []

    def client_group(self, group_id: str | None) -> ClientGroup | None:
        """The client group of this id, or None."""
        return next((g for g in self.client_groups if g.id == group_id), None)

    def ordered(self) -> list[Rule]:
        """The rules, most specific first (ties keep the file order)."""
        return sorted(self.rules, key=specificity, reverse=True)

    def problems(self) -> list[str]:
        """Everything that makes this rule set unfit to save, one message each."""
        return [
            *_duplicate_ids(self.rules),
            *(p for rule in self.rules for p in _rule_problems(rule)),
            *_ties(self.rules),
            *_gaps(self.rules),
            *_unknown_groups(self),
        ]

    def validated(self) -> RuleSet:
        """This rule set, or `InvalidRules` with all its problems."""
        found = self.problems()
        if found:
            raise InvalidRules(found)
        return self


def _duplicate_ids(rules: list[Rule]) -> list[str]:
    counts = Counter(r.id for r in rules)
    return [f"duplicate rule id `{i}` ({n} rules)" for i, n in counts.items() if n > 1]


def _rule_problems(rule: Rule) -> list[str]:
    found = []
    where = f"rule `{rule.id}`"
    if rule.percent < 0 or rule.fixed < 0 or rule.min_margin < 0:
        found.append(f"{where}: negative margin (percent, fixed and min_margin ≥ 0)")
    low, high = rule.price_min, rule.price_max
    if low is not None and high is not None and low >= high:
        found.append(f"{where}: price_min {low} ≥ price_max {high}")
    if rule.price_min is not None and rule.price_min < 0:
        found.append(f"{where}: negative price_min {rule.price_min}")
    first, last = rule.days_min, rule.days_max
    if first is not None and last is not None and first > last:
        found.append(f"{where}: days_min {first} > days_max {last}")
    if rule.percent != rule.percent.quantize(PERCENT_PLACES):
        found.append(f"{where}: percent has more than 4 decimal places")
    if rule.rounding_step is not None and rule.rounding_step % Decimal("0.1") != 0:
        found.append(f"{where}: rounding_step must be a multiple of 0.10")
    if (rule.rounding_step is None) != (rule.rounding_mode is None):
        found.append(
            f"{where}: rounding needs both `rounding_step` and `rounding_mode`"
        )
    if rule.rounding_step is not None and rule.rounding_step <= 0:
        found.append(f"{where}: rounding_step must be positive")
    return found


_EXACT = ("supplier", "brand", "price_group", "client_group", "department", "analog")


def _scope(rule: Rule) -> tuple[object, ...]:
    """The exact-match fields of a rule: rules of one scope differ only in ranges."""
    return tuple(getattr(rule, name) for name in _EXACT)


def _overlap(lo1: Any, hi1: Any, lo2: Any, hi2: Any, *, closed: bool) -> bool:
    """Whether two ranges share a value; None is unbounded."""
    low = max((v for v in (lo1, lo2) if v is not None), default=None)
    high = min((v for v in (hi1, hi2) if v is not None), default=None)
    if low is None or high is None:
        return True
    return bool(low <= high) if closed else bool(low < high)


def _ties(rules: list[Rule]) -> list[str]:
    """Pairs of rules of one specificity and one scope whose ranges overlap."""
    by_scope: dict[tuple[object, ...], list[Rule]] = defaultdict(list)
    for rule in rules:
        by_scope[(specificity(rule), _scope(rule))].append(rule)
    found = []
    for group in by_scope.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                prices = _overlap(
                    a.price_min, a.price_max, b.price_min, b.price_max, closed=False
                )
                days = _overlap(
                    a.days_min, a.days_max, b.days_min, b.days_max, closed=True
                )
                if prices and days and a.id != b.id:
                    found.append(
                        f"rules `{a.id}` and `{b.id}` tie: same specificity and both "
                        "can match one offer (make one more specific or split the ranges)"
                    )
    return found


def _gaps(rules: list[Rule]) -> list[str]:
    """Holes between price ranges of rules that are otherwise identical in scope."""
    by_scope: dict[tuple[object, ...], list[Rule]] = defaultdict(list)
    for rule in rules:
        if rule.price_min is not None or rule.price_max is not None:
            by_scope[(*_scope(rule), rule.days_min, rule.days_max)].append(rule)
    found = []
    for group in by_scope.values():
        ordered = sorted(group, key=lambda r: r.price_min or Decimal(0))
        for a, b in pairwise(ordered):
            if a.price_max is not None and (b.price_min or Decimal(0)) > a.price_max:
                found.append(
                    f"gap in price ranges between rules `{a.id}` and `{b.id}`: "
                    f"[{a.price_max}, {b.price_min}) is priced by a less specific rule"
                )
    if rules and not _covers_all_prices(rules):
        found.append(
            "no catch-all: rules with no match field but a price range must cover "
            "every purchase price, or some offers get no price"
        )
    return found


def _covers_all_prices(rules: list[Rule]) -> bool:
    """Whether rules matching on nothing but price cover [0, ∞) together."""
    bands = sorted(  # an open upper end sorts last among equal lower ends
        (
            (r.price_min or Decimal(0), r.price_max is None, r.price_max or Decimal(0))
            for r in rules
            if not any(_scope(r)) and r.analog is None and r.days_min is None
            and r.days_max is None
        ),
    )  # fmt: skip
    reached = Decimal(0)
    for low, open_ended, high in bands:
        if low > reached:
            return False
        if open_ended:
            return True
        reached = max(reached, high)
    return False


def _unknown_groups(rule_set: RuleSet) -> list[str]:
    known = {g.id for g in rule_set.client_groups}
    if not known:
        return []
    return [
        f"rule `{r.id}`: unknown client group `{r.client_group}`"
        for r in rule_set.rules
        if r.client_group is not None and r.client_group not in known
    ]


class PricingConfig(BaseModel):
    """What a rules file holds: rules, client groups, rates and VAT."""

    rules: RuleSet
    rates: Rates = Rates()
    vat: VatRules = VatRules()

    @model_validator(mode="before")
    @classmethod
    def _from_toml_shape(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            data = {
                **data,
                "rules": {
                    "rules": data["rules"],
                    "client_groups": data.get("client_groups", []),
                },
            }
        return data


def load_pricing_toml(path: Path | str) -> PricingConfig:
    """Read rules, client groups, rates and VAT from a TOML file."""
    with Path(path).open("rb") as handle:
        return PricingConfig.model_validate(tomllib.load(handle))


def load_rules_toml(path: Path | str) -> RuleSet:
    """Read the rule set (rules and client groups) of a TOML file."""
    return load_pricing_toml(path).rules


def round_price(
    value: Decimal, step: Decimal | None, mode: RoundingMode | None
) -> Decimal:
    """Round a price to a step: up, to the nearest, or up to a "…90" ending.

    `ending90` gives the smallest price ≥ value that ends at 9/10 of a step
    (step 100: …90; step 10: …9; step 1000: …900).
    """
    if step is None or mode is None:
        return value.quantize(KOPECK, ROUND_HALF_UP)
    if mode == "up":
        return ((value / step).to_integral_value(ROUND_CEILING) * step).quantize(KOPECK)
    if mode == "nearest":
        return ((value / step).to_integral_value(ROUND_HALF_UP) * step).quantize(KOPECK)
    tail = step * Decimal("0.9")
    k = ((value - tail) / step).to_integral_value(ROUND_CEILING)
    return (k * step + tail).quantize(KOPECK)
