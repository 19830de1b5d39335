"""Request and answer shapes of clients, phones and vehicles."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    """An input that refuses a field misspelt (`phone` for `phones`) rather
    than dropping it unsaid."""

    model_config = ConfigDict(extra="forbid")


class PhoneIn(_Strict):
    """A phone in any common spelling (`8 (916) 123-45-67`, `+7916…`)."""

    number: str = Field(max_length=60)
    label: str | None = Field(None, max_length=60)


class PhoneOut(BaseModel):
    e164: str = Field(description="E.164: `+79161234567`.")
    extension: str | None = Field(
        None, description="The extension the phone was given with (`доб. 12`), if any."
    )
    raw: str
    label: str | None


class VehicleIn(_Strict):
    """A client's car; a VIN or a plate at least."""

    vin: str | None = Field(None, max_length=32)
    plate: str | None = Field(None, max_length=20)
    make: str | None = Field(None, max_length=60)
    model: str | None = Field(None, max_length=100)
    year: int | None = Field(None, ge=1900, le=2100)


class VehicleOut(VehicleIn):
    id: int
    plate_latin: str | None = None


class ClientIn(_Strict):
    """A new client."""

    kind: Literal["person", "company"] = "person"
    name: str = Field(min_length=1, max_length=300)
    client_group: str = Field(max_length=60, description="Drives pricing.")
    inn: str | None = Field(
        None,
        max_length=12,
        description="ИНН, 10 or 12 digits; the control digits are checked.",
    )
    email: str | None = Field(None, max_length=200)
    discount_percent: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    note: str | None = Field(None, max_length=2000)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=10)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=50)


class ClientChange(_Strict):
    """Changes to a client; absent fields stay as they are."""

    kind: Literal["person", "company"] | None = None
    name: str | None = Field(None, min_length=1, max_length=300)
    client_group: str | None = Field(None, max_length=60)
    inn: str | None = Field(None, max_length=12)
    email: str | None = Field(None, max_length=200)
    discount_percent: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    note: str | None = Field(None, max_length=2000)


class ClientOut(BaseModel):
    id: int
    kind: str
    name: str
    client_group: str
    inn: str | None
    email: str | None
    discount_percent: Decimal | None
    note: str | None
    phones: list[PhoneOut]
    vehicles: list[VehicleOut]


class SamePhone(BaseModel):
    """Another client that has a phone just saved."""

    e164: str
    id: int
    name: str


class ClientSaved(ClientOut):
    """A client just saved (or given a phone), with who else has that phone."""

    same_phone: list[SamePhone] = Field(
        default_factory=list,
        description="Other clients that already have a phone just saved: allowed "
        "(families share phones), said so the manager can check. Empty: none.",
    )


class ClientPage(BaseModel):
    """Clients found, best first; `truncated` when more matched."""

    clients: list[ClientOut]
    matched_by: str = Field(description="`inn`, `phone`, `plate`, `vin` or `name`.")
    truncated: bool
