"""The demo's people: two departments, a user of each role, three clients.

The passwords are fixed and printed by `make demo`: a demo install is for
trying the product, never for real clients.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service.clients.logic import create_client
from service.clients.models import ClientIn, PhoneIn, VehicleIn
from service.db.audit import Actor
from service.db.engine import Database
from service.db.models import Client
from service.db.session import transaction
from service.users.logic import create_user, find_user, save_department

DEPARTMENTS = (("msk", "Москва, Варшавское ш."), ("ekb", "Екатеринбург"))


@dataclass(frozen=True)
class DemoUser:
    login: str
    password: str
    name: str
    role: str
    department: str | None


DEMO_USERS = (
    DemoUser("manager", "demo-manager", "Ольга Смирнова", "manager", "msk"),
    DemoUser("manager.ekb", "demo-manager", "Илья Кузнецов", "manager", "ekb"),
    DemoUser("admin", "demo-admin", "Администратор", "admin", None),
    DemoUser("analyst", "demo-analyst", "Анна Аналитик", "analyst", "msk"),
)


def demo_clients(vins: tuple[tuple[str, str, int], ...]) -> list[ClientIn]:
    """Three clients of the three groups, with phones and the demo VINs' cars."""

    def car(i: int, plate: str) -> VehicleIn:
        vin, label, year = vins[i % len(vins)]
        make, _, model = label.partition(" ")
        return VehicleIn(vin=vin, plate=plate, make=make, model=model, year=year)

    return [
        ClientIn(kind="person", name="Иванов Сергей Петрович", client_group="retail",
                 phones=[PhoneIn(number="8 (916) 123-45-67", label="мобильный")],
                 vehicles=[car(0, "А123ВС77")]),
        ClientIn(kind="company", name="ООО «АвтоСервис Плюс»", client_group="service",
                 inn="7701234560", discount_percent=10,
                 phones=[PhoneIn(number="+7 495 123-45-67", label="офис")],
                 vehicles=[car(1, "В456ОР199"), car(2, "Е789КХ750")]),
        ClientIn(kind="person", name="ИП Петрова Анна Викторовна",
                 client_group="wholesale",
                 phones=[PhoneIn(number="+7 (912) 345-67-89")]),
    ]  # fmt: skip


def seed_demo_people(
    database: Database, vins: tuple[tuple[str, str, int], ...]
) -> list[DemoUser]:
    """Create what is missing (a re-run keeps what was changed since)."""
    actor = Actor("demo", "seed")
    with database.sessions() as session, transaction(session):
        for code, name in DEPARTMENTS:
            save_department(session, code=code, name=name, actor=actor)
        for user in DEMO_USERS:
            if find_user(session, user.login) is None:
                create_user(session, login=user.login, name=user.name,
                            password=user.password, role=user.role,
                            department=user.department, actor=actor)  # fmt: skip
        known = set(session.scalars(select(Client.name)))
        for client in demo_clients(vins):
            if client.name not in known:
                create_client(session, client, actor=actor)
    return list(DEMO_USERS)
