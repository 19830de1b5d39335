"""Labour prices: norm hours × the norm-hour rate, with the discount machinery of parts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from pricing.rules import KOPECK, Discount


class NormHourRate(BaseModel):
    """A norm-hour rate in RUB; unset fields match any workshop, work, vehicle."""

    model_config = ConfigDict(frozen=True)

    id: str
    rate_rub: Decimal
    workshop: str | None = None
    work_kind: str | None = None
    vehicle_class: str | None = None
    vehicle_model: str | None = None
    min_price_rub: Decimal = Decimal(0)  # the discount floor of a work

    def specificity(self) -> tuple[int, ...]:
        """Vehicle model > vehicle class > work kind > workshop; higher wins."""
        return (
            int(self.vehicle_model is not None),
            int(self.vehicle_class is not None),
            int(self.work_kind is not None),
            int(self.workshop is not None),
        )


class LabourPrice(BaseModel):
    """A work's price and how it was made."""

    norm_hours: Decimal
    rate_id: str
    rate_rub: Decimal
    list_price_rub: Decimal
    discount: Discount
    price_rub: Decimal


def find_rate(
    rates: list[NormHourRate],
    *,
    workshop: str,
    work_kind: str,
    vehicle_class: str | None = None,
    vehicle_model: str | None = None,
) -> NormHourRate | None:
    """The most specific rate that matches, or None."""
    wanted = (vehicle_model, vehicle_class, work_kind, workshop)
    fits = [
        r
        for r in rates
        if all(
            have is None or have == want
            for have, want in zip(
                (r.vehicle_model, r.vehicle_class, r.work_kind, r.workshop),
                wanted,
                strict=True,
            )
        )
    ]
    return max(fits, key=NormHourRate.specificity, default=None)


def labour_price(
    norm_hours: Decimal,
    rates: list[NormHourRate],
    *,
    workshop: str,
    work_kind: str,
    vehicle_class: str | None = None,
    vehicle_model: str | None = None,
    discount: Discount | None = None,
) -> LabourPrice | None:
    """Norm hours × the rate, less the discount down to the rate's floor; None: no rate."""
    rate = find_rate(
        rates, workshop=workshop, work_kind=work_kind,
        vehicle_class=vehicle_class, vehicle_model=vehicle_model,
    )  # fmt: skip
    if rate is None:
        return None
    discount = discount or Discount()
    listed = (norm_hours * rate.rate_rub).quantize(KOPECK, ROUND_HALF_UP)
    floor = min(listed, rate.min_price_rub)
    return LabourPrice(
        norm_hours=norm_hours, rate_id=rate.id, rate_rub=rate.rate_rub,
        list_price_rub=listed, discount=discount,
        price_rub=discount.apply(listed, floor_rub=floor),
    )  # fmt: skip
