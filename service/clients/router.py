"""`/api/clients`: find, add and change clients, their phones and vehicles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.clients import logic
from service.clients.models import (
    ClientChange,
    ClientIn,
    ClientOut,
    ClientPage,
    ClientSaved,
    PhoneIn,
    VehicleIn,
)
from service.db.models import Client, Id, names_a_row
from service.db.session import transaction
from service.deps import SessionDep, SettingsDep, require
from service.users.logic import CurrentUser

router = APIRouter(prefix="/clients", tags=["clients"])
Reader = Annotated[CurrentUser, require("clients.read")]
Writer = Annotated[CurrentUser, require("clients.write")]


@router.get("")
def get_clients(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="Name, phone (whole, its start or its last digits), "
            "ИНН, plate or VIN.",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=logic.MAX_FOUND)] = 20,
) -> ClientPage:
    """Clients by words of the name, a phone (whole, its start as dictated, or
    its last digits), an ИНН, a plate or a VIN."""
    rows, how, cut = logic.find_clients(
        session, q, limit=limit, region=settings.default_phone_region
    )
    return ClientPage(
        clients=[logic.client_out(session, r) for r in rows],
        matched_by=how,
        truncated=cut,
    )


@router.post("", status_code=201)
def post_client(
    body: ClientIn, session: SessionDep, settings: SettingsDep, user: Writer
) -> ClientSaved:
    """Add a client with its phones and vehicles; `same_phone` names the
    other clients that already have one of its phones."""
    with transaction(session):
        row = logic.create_client(
            session, body, actor=user.actor, region=settings.default_phone_region
        )
    return logic.client_saved(session, row)


@router.get("/{client_id}")
def get_client(client_id: Id, session: SessionDep, _user: Reader) -> ClientOut:
    """One client with phones and vehicles."""
    return logic.client_out(session, _client(session, client_id))


@router.patch("/{client_id}")
def patch_client(
    client_id: Id, body: ClientChange, session: SessionDep, user: Writer
) -> ClientOut:
    """Change a client's fields."""
    with transaction(session):
        row = _client(session, client_id)
        logic.update_client(
            session, row, body.model_dump(exclude_unset=True), actor=user.actor
        )
    return logic.client_out(session, row)


@router.post("/{client_id}/phones", status_code=201)
def post_phone(
    client_id: Id,
    body: PhoneIn,
    session: SessionDep,
    settings: SettingsDep,
    user: Writer,
) -> ClientSaved:
    """Add a phone to a client; `same_phone` names the other clients that
    already have it."""
    with transaction(session):
        row = _client(session, client_id)
        phone = logic.add_phone(session, row, body, actor=user.actor,
                                region=settings.default_phone_region)  # fmt: skip
    return logic.client_saved(session, row, new_phones=[phone.e164])


@router.post("/{client_id}/vehicles", status_code=201)
def post_vehicle(
    client_id: Id, body: VehicleIn, session: SessionDep, user: Writer
) -> ClientOut:
    """Add a vehicle to a client."""
    with transaction(session):
        row = _client(session, client_id)
        logic.add_vehicle(session, row, body, actor=user.actor)
    return logic.client_out(session, row)


def _client(session: SessionDep, client_id: int) -> Client:
    row = session.get(Client, client_id) if names_a_row(client_id) else None
    if row is None:
        raise LookupError(f"no client {client_id}")
    return row
