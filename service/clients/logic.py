"""Clients: save them with normalised phones and plates, find them by name,
phone, ИНН, plate or VIN, and tell pricing which group and discount they get."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import phonenumbers
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from crosses.plates import BadPlate, latin_plate, normalize_plate, plate_fragment
from crosses.vin import decode_vin, normalize_vin
from pricing.rules import Discount
from service.clients.models import (
    ClientIn,
    ClientOut,
    ClientSaved,
    PhoneIn,
    PhoneOut,
    SamePhone,
    VehicleIn,
    VehicleOut,
)
from service.db import audit
from service.db.audit import Actor
from service.db.models import (
    Client,
    ClientGroup,
    ClientPhone,
    Vehicle,
    names_a_row,
)

MAX_FOUND = 50
# a phone's first digits searched as dictated after the country code (`916`);
# fewer would match a whole operator's numbers
SHORTEST_PHONE_START = 3
_DIGITS = re.compile(r"\D+")
_PHONE_TEXT = re.compile(r"[\d\s+()\-.]+")
_PLATE_PIECE = re.compile(r"\d.*[^\W\d_]|[^\W\d_].*\d")  # a letter and a digit
_REQUIRED = frozenset({"kind", "name", "client_group"})


class ClientError(ValueError):
    """A client, phone or vehicle that cannot be saved as given."""


def normalize_phone(raw: str, *, region: str = "RU") -> str:
    """The E.164 form of a phone (`8 916 123-45-67` → `+79161234567`)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ClientError(f"phone `{raw}`: not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise ClientError(
            f"phone `{raw}` is not a valid number for {region}; "
            "write it with the country code (`+7 916 123-45-67`)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_extension(raw: str, *, region: str = "RU") -> str | None:
    """The extension written with a phone (`+7 495 123-45-67 доб. 12` → `12`):
    E.164 has no room for it, the phone as given keeps it."""
    try:
        return phonenumbers.parse(raw, region).extension or None
    except phonenumbers.NumberParseException:
        return None


def search_name(name: str) -> str:
    """A client name as searches compare it: folded case, `ё` as `е`, one space."""
    return " ".join(name.casefold().replace("ё", "е").split())


def create_client(
    session: Session, data: ClientIn, *, actor: Actor, region: str = "RU"
) -> Client:
    """A new client with its phones and vehicles, all checked first."""
    phones = [(normalize_phone(p.number, region=region), p) for p in data.phones]
    _no_repeats([e164 for e164, _ in phones])
    vehicles = [_vehicle_values(v) for v in data.vehicles]
    row = Client(
        kind=data.kind,
        name=_name(data.name),
        search_name=search_name(data.name),
        inn=_inn(data.inn),
        email=(data.email or "").strip() or None,
        client_group=_group(session, data.client_group),
        discount_percent=_percent(data.discount_percent),
        note=data.note,
    )
    audit.write(session, row, action="insert", actor=actor)
    for e164, phone in phones:
        _add_phone(session, row, e164, phone, actor=actor)
    for values in vehicles:
        audit.write(
            session, Vehicle(client_id=row.id, **values), action="insert", actor=actor
        )
    return row


def update_client(
    session: Session, client: Client, changes: dict[str, Any], *, actor: Actor
) -> Client:
    """Change a client's fields (the group must exist)."""
    values = dict(changes)
    empty = sorted(k for k in _REQUIRED if k in values and values[k] is None)
    if empty:
        raise ClientError(f"`{empty[0]}` cannot be empty")
    if "name" in values:
        values["name"] = _name(values["name"])
        values["search_name"] = search_name(values["name"])
    if "client_group" in values:
        values["client_group"] = _group(session, values["client_group"])
    if "inn" in values:
        values["inn"] = _inn(values["inn"])
    if "discount_percent" in values:
        values["discount_percent"] = _percent(values["discount_percent"])
    if "email" in values:
        values["email"] = (values["email"] or "").strip() or None
    audit.write(session, client, action="update", actor=actor, changes=values)
    return client


def add_phone(
    session: Session, client: Client, phone: PhoneIn, *, actor: Actor, region: str
) -> ClientPhone:
    """Add a phone to a client (the same number twice is refused)."""
    e164 = normalize_phone(phone.number, region=region)
    taken = session.scalar(
        select(ClientPhone).where(
            ClientPhone.client_id == client.id, ClientPhone.e164 == e164
        )
    )
    if taken is not None:
        raise ClientError(f"phone {e164} is already this client's")
    return _add_phone(session, client, e164, phone, actor=actor)


def add_vehicle(
    session: Session, client: Client, vehicle: VehicleIn, *, actor: Actor
) -> Vehicle:
    """Add a vehicle to a client."""
    row = Vehicle(client_id=client.id, **_vehicle_values(vehicle))
    audit.write(session, row, action="insert", actor=actor)
    return row


def find_clients(
    session: Session, text: str, *, limit: int = 20, region: str = "RU"
) -> tuple[list[Client], str, bool]:
    """Clients matching an ИНН, a phone, a plate, a VIN or words of the name.

    Returns the clients (at most `limit`), what matched, and whether cut.
    """
    limit = max(1, min(limit, MAX_FOUND))
    text = text.strip()
    if not text:
        return [], "name", False
    inn = _inn_or_none(text)
    if inn is not None:
        # ten digits may also be a phone: the ИНН first, the phone if none has it
        rows = _first(session, select(Client).where(Client.inn == inn), limit)
        if rows:
            return rows[:limit], "inn", len(rows) > limit
    how, query = _match(text, region)
    rows = _first(session, query, limit)
    if not rows and how == "plate" and _plate_or_none(text) is None:
        # `Авто 1` reads like a piece of a plate, but may be a name
        how, rows = "name", _first(session, _by_name(text), limit)
    elif not rows and how == "phone" and len(text) == SHORTEST_PHONE_START:
        # `916` is a phone's start as dictated, but may be in a name
        how, rows = "name", _first(session, _by_name(text), limit)
    return rows[:limit], how, len(rows) > limit


def _first(session: Session, query: Any, limit: int) -> list[Client]:
    return list(
        session.scalars(query.order_by(Client.name, Client.id).limit(limit + 1))
    )


def _by_name(text: str) -> Any:
    words = search_name(text).split()[:5]
    return (
        select(Client)
        .distinct()
        .where(*[Client.search_name.contains(w, autoescape=True) for w in words])
    )


def _match(text: str, region: str) -> tuple[str, Any]:
    digits = _DIGITS.sub("", text)
    base = select(Client).distinct()
    vin = normalize_vin(text)
    if len(vin) == 17 and decode_vin(vin).valid:
        return "vin", base.join(Vehicle).where(Vehicle.vin == vin)
    plate = _plate_or_none(text)
    if plate is not None:
        return "plate", base.join(Vehicle).where(Vehicle.plate == plate)
    if len(digits) >= 4 and _PHONE_TEXT.fullmatch(text):
        return "phone", base.join(ClientPhone).where(_phone_match(text, region))
    if len(digits) == SHORTEST_PHONE_START and digits == text:
        # as a national number's start only (the first reading): as the last
        # three digits it would match every thousandth number
        start = _starts(ClientPhone.e164, phone_prefixes(digits, region)[0])
        return "phone", base.join(ClientPhone).where(start)
    fragment = plate_fragment(text) if _PLATE_PIECE.search(text) else None
    if fragment is not None and len(fragment) >= 3:
        # letters and digits in a plate's alphabet: a piece of a plate
        return "plate", base.join(Vehicle).where(
            Vehicle.plate.contains(fragment, autoescape=True)
        )
    return "name", _by_name(text)


def _phone_match(text: str, region: str) -> ColumnElement[bool]:
    """A whole number matches itself; a piece of one, the numbers it starts
    (as dictated: `8 916 123`, `+7 916 123`, `916123`) or, unless written
    with `+`, the numbers it ends."""
    try:
        return ClientPhone.e164 == normalize_phone(text, region=region)
    except ClientError:
        pass
    found = [_starts(ClientPhone.e164, p) for p in phone_prefixes(text, region)]
    if "+" not in text:
        # the last digits: no index serves this, the row cap bounds it
        found.append(ClientPhone.e164.like(f"%{_DIGITS.sub('', text)}"))
    return or_(*found)


def phone_prefixes(text: str, region: str) -> list[str]:
    """The E.164 starts a piece of a phone number may be: `+7 916 123` and
    `8 916 123` → `+7916123`; bare `916123` → `+7916123` (a national number),
    and `7916123` → `+7916123` too (the country code without `+`)."""
    digits = _DIGITS.sub("", text)
    if "+" in text:
        return [f"+{digits}"]
    code = str(phonenumbers.country_code_for_region(region))
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata is not None else None
    starts = [f"+{code}{digits}"]
    if trunk and digits.startswith(trunk):
        starts.append(f"+{code}{digits[len(trunk) :]}")
    if digits.startswith(code):
        starts.append(f"+{digits}")
    return list(dict.fromkeys(starts))


def _starts(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix` (a `+` and digits), as a range an index
    serves (a `LIKE` alone serves none on SQLite or a non-C PostgreSQL)."""
    found = [column >= prefix, column.startswith(prefix, autoescape=True)]
    upper = _next_digits(prefix)
    if upper is not None:
        found.append(column < upper)
    return and_(*found)


def _next_digits(prefix: str) -> str | None:
    """The smallest string of digits past every string starting `prefix`
    (`+79169` → `+7917`); digits only, so any collation orders it alike."""
    head = prefix.rstrip("9")
    if not head or not head[-1].isdigit():
        return None
    return head[:-1] + str(int(head[-1]) + 1)


def _inn_or_none(text: str) -> str | None:
    """`text` as an ИНН when it is one (10 or 12 digits, control digits right)."""
    inn = "".join(text.split())
    if re.fullmatch(r"\d{10}|\d{12}", inn) and _inn_digits_check(inn):
        return inn
    return None


@dataclass(frozen=True)
class ClientTerms:
    """What pricing and the client's papers need of a client."""

    name: str
    client_group: str
    group_name: str
    discount: Discount | None


def client_terms(session: Session, client_id: int) -> ClientTerms:
    """A client's name, group (code and name) and own discount (404: none)."""
    client = session.get(Client, client_id) if names_a_row(client_id) else None
    if client is None:
        raise LookupError(f"no client {client_id}")
    group_name = session.scalar(
        select(ClientGroup.name).where(ClientGroup.code == client.client_group)
    )
    discount = (
        Discount(percent=client.discount_percent) if client.discount_percent else None
    )
    return ClientTerms(
        client.name, client.client_group, group_name or client.client_group, discount
    )


def client_pricing(session: Session, client_id: int) -> tuple[str, Discount | None]:
    """The client group a client is priced for, and their own discount."""
    terms = client_terms(session, client_id)
    return terms.client_group, terms.discount


def known_model(session: Session, vin: str) -> str | None:
    """The model a client's car with this VIN is recorded as, if any."""
    return session.scalar(
        select(Vehicle.model)
        .where(Vehicle.vin == normalize_vin(vin), Vehicle.model.is_not(None))
        .limit(1)
    )


def group_names(session: Session) -> dict[str, str]:
    """Each client group's code and the name people read."""
    rows = session.execute(select(ClientGroup.code, ClientGroup.name))
    return {code: name for code, name in rows}


def client_out(session: Session, client: Client) -> ClientOut:
    """A client with its phones and vehicles, as the API shows it."""
    phones = session.scalars(
        select(ClientPhone)
        .where(ClientPhone.client_id == client.id)
        .order_by(ClientPhone.id)
    )
    vehicles = session.scalars(
        select(Vehicle).where(Vehicle.client_id == client.id).order_by(Vehicle.id)
    )
    return ClientOut(
        id=client.id,
        kind=client.kind,
        name=client.name,
        client_group=client.client_group,
        inn=client.inn,
        email=client.email,
        discount_percent=client.discount_percent,
        note=client.note,
        phones=[
            PhoneOut(
                e164=p.e164, extension=phone_extension(p.raw), raw=p.raw, label=p.label
            )
            for p in phones
        ],
        vehicles=[_vehicle_out(v) for v in vehicles],
    )


def client_saved(
    session: Session, client: Client, *, new_phones: list[str] | None = None
) -> ClientSaved:
    """A client just saved, with the other clients that have one of
    `new_phones` (E.164; default: every phone of the client)."""
    out = client_out(session, client)
    phones = [p.e164 for p in out.phones] if new_phones is None else new_phones
    return ClientSaved(**dict(out), same_phone=same_phone(session, client.id, phones))


def same_phone(session: Session, client_id: int, phones: list[str]) -> list[SamePhone]:
    """Other clients with any of `phones`, by name (at most `MAX_FOUND`)."""
    if not phones:
        return []
    rows = session.execute(
        select(ClientPhone.e164, Client.id, Client.name)
        .join(Client, Client.id == ClientPhone.client_id)
        .where(ClientPhone.e164.in_(phones), ClientPhone.client_id != client_id)
        .order_by(Client.name, Client.id, ClientPhone.e164)
        .limit(MAX_FOUND)
    )
    return [SamePhone(e164=e164, id=id_, name=name) for e164, id_, name in rows]


def _vehicle_out(v: Vehicle) -> VehicleOut:
    return VehicleOut(
        id=v.id, vin=v.vin, plate=v.plate, make=v.make, model=v.model, year=v.year,
        plate_latin=latin_plate(v.plate) if v.plate else None,
    )  # fmt: skip


def _add_phone(
    session: Session, client: Client, e164: str, phone: PhoneIn, *, actor: Actor
) -> ClientPhone:
    row = ClientPhone(
        client_id=client.id, e164=e164, raw=phone.number.strip(), label=phone.label
    )
    audit.write(session, row, action="insert", actor=actor)
    return row


def _vehicle_values(vehicle: VehicleIn) -> dict[str, Any]:
    vin = normalize_vin(vehicle.vin or "") or None
    if vin is not None:
        decoded = decode_vin(vin)
        if not decoded.valid:
            raise ClientError(f"VIN `{vin}`: {'; '.join(decoded.errors)}")
    plate = None
    if vehicle.plate and vehicle.plate.strip():
        try:
            plate = normalize_plate(vehicle.plate)
        except BadPlate as exc:
            raise ClientError(str(exc)) from exc
    if vin is None and plate is None:
        raise ClientError("a vehicle needs a VIN or a plate")
    return {
        "vin": vin,
        "plate": plate,
        "make": (vehicle.make or "").strip() or None,
        "model": (vehicle.model or "").strip() or None,
        "year": vehicle.year,
    }


def _name(name: str) -> str:
    if not name.strip():
        raise ClientError("a client needs a name")
    return name.strip()


def _percent(value: Decimal | None) -> Decimal | None:
    # kept as the column holds it (`7.50`), so an answer reads as a later GET
    return None if value is None else value.quantize(Decimal("0.01"))


def _no_repeats(phones: list[str]) -> None:
    seen: set[str] = set()
    for e164 in phones:
        if e164 in seen:
            raise ClientError(f"phone {e164} is given twice")
        seen.add(e164)


def _plate_or_none(text: str) -> str | None:
    if not any(c.isdigit() for c in text) or not any(c.isalpha() for c in text):
        return None
    try:
        return normalize_plate(text)
    except BadPlate:
        return None


_INN_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn(inn: str | None) -> str | None:
    inn = (inn or "").strip() or None
    if inn is None:
        return None
    if not re.fullmatch(r"\d{10}|\d{12}", inn):
        raise ClientError(f"ИНН `{inn}`: 10 digits (a company) or 12 (a person)")
    if not _inn_digits_check(inn):
        raise ClientError(
            f"ИНН `{inn}`: the control digits do not match; check it for a typo"
        )
    return inn


def _inn_digits_check(inn: str) -> bool:
    """Whether the control digits of a 10- or 12-digit ИНН match the rest."""
    # each control digit is a weighted sum, mod 11 mod 10, of the digits
    # before it; every weight list is a tail of the same sequence
    for end in (9,) if len(inn) == 10 else (10, 11):
        weights = _INN_WEIGHTS[len(_INN_WEIGHTS) - end :]
        total = sum(int(d) * w for d, w in zip(inn[:end], weights, strict=True))
        if total % 11 % 10 != int(inn[end]):
            return False
    return True


def _group(session: Session, code: str) -> str:
    code = code.strip()
    known = session.scalar(select(ClientGroup).where(ClientGroup.code == code))
    if known is None:
        groups = ", ".join(session.scalars(select(ClientGroup.code))) or "none yet"
        raise ClientError(f"unknown client group `{code}` (known: {groups})")
    return code


def discount_text(value: Decimal | None) -> str:
    """A discount as people write it (`7 %`), empty when none."""
    return f"{value.normalize():f} %" if value else ""
