"""Clients, their phones and vehicles over a real database on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from parts.settings import Settings
from pricing.rules import ClientGroup, Discount, RuleSet
from service.app import create_app
from service.clients import logic as client_logic
from service.clients.logic import (
    ClientError,
    client_pricing,
    create_client,
    find_clients,
    phone_prefixes,
)
from service.clients.models import ClientIn
from service.db.audit import Actor
from service.db.engine import Database
from service.db.migrate import upgrade
from service.pricing_rules.logic import save_rule_set
from tests.service.signin import sign_in

GROUPS = [{"id": "retail", "name": "Розница"}, {"id": "sto", "name": "СТО"}]
VIN = "XTA21099043576182"
NA_VIN = "1HGCM82633A004352"
ACTOR = Actor("test", "seed")


@pytest.fixture
def client(settings: Settings, db_url: str) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"database_url": db_url}))
    with TestClient(app) as client:
        sign_in(client, login="root")
        saved = client.put(
            "/api/pricing/rules", json={"rules": [], "client_groups": GROUPS}
        )
        assert saved.status_code == 200, saved.text
        yield client


@pytest.fixture
def groups(session: Session) -> Session:
    """The session, with the client groups `retail` and `sto` stored."""
    groups = [ClientGroup(id=g["id"], name=g["name"]) for g in GROUPS]
    save_rule_set(session, RuleSet(client_groups=groups), actor=ACTOR)
    return session


def _post(client: TestClient, **fields: Any) -> Any:
    body = {"name": "Иванов Иван", "client_group": "retail", **fields}
    return client.post("/api/clients", json=body)


def _read(client: TestClient, client_id: int) -> Any:
    """`GET /api/clients/{id}` as a save answers it when no one shares a phone."""
    return {**client.get(f"/api/clients/{client_id}").json(), "same_phone": []}


def _found(client: TestClient, q: str, **params: Any) -> tuple[str, list[str], bool]:
    answer = client.get("/api/clients", params={"q": q, **params})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    return page["matched_by"], [c["name"] for c in page["clients"]], page["truncated"]


def test_a_person_is_created_with_phones_in_e164(client: TestClient) -> None:
    answer = _post(
        client,
        phones=[
            {"number": "8 (916) 123-45-67", "label": "мобильный"},
            {"number": "+7 495 123 45 67 доб. 12"},
        ],
        discount_percent="5",
        email=" ivanov@example.ru ",
    )

    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created == {
        "id": created["id"],
        "kind": "person",
        "name": "Иванов Иван",
        "client_group": "retail",
        "inn": None,
        "email": "ivanov@example.ru",
        "discount_percent": "5.00",
        "note": None,
        "phones": [
            {
                "e164": "+79161234567",
                "extension": None,
                "raw": "8 (916) 123-45-67",
                "label": "мобильный",
            },
            {
                "e164": "+74951234567",
                "extension": "12",
                "raw": "+7 495 123 45 67 доб. 12",
                "label": None,
            },
        ],
        "vehicles": [],
        "same_phone": [],
    }
    assert _read(client, created["id"]) == created


def test_a_discount_reads_the_same_when_saved_and_when_read_back(
    client: TestClient,
) -> None:
    created = _post(client, discount_percent="7.5").json()
    finer = _post(client, discount_percent="7.555")
    changed = client.patch(
        f"/api/clients/{created['id']}", json={"discount_percent": "12.3"}
    )

    assert created["discount_percent"] == "7.50"
    assert (finer.status_code, finer.json()["problems"]) == (
        422,
        ["body.discount_percent: Decimal input should have no more than 2 "
         "decimal places"],
    )  # fmt: skip
    assert changed.json()["discount_percent"] == "12.30"
    assert client.get(f"/api/clients/{created['id']}").json() == changed.json()


def test_an_invalid_phone_is_422_naming_it_and_saves_nothing(
    client: TestClient,
) -> None:
    answer = _post(
        client, phones=[{"number": "+7 916 123-45-67"}, {"number": "8 916 123"}]
    )

    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "phone `8 916 123` is not a valid number for RU; "
        "write it with the country code (`+7 916 123-45-67`)"
    )
    assert _found(client, "Иванов") == ("name", [], False)


def test_a_client_without_a_name_is_refused(client: TestClient) -> None:
    blank = _post(client, name="   ")
    empty = _post(client, name="")

    assert (blank.status_code, blank.json()["detail"]) == (422, "a client needs a name")
    assert empty.status_code == 422


def test_a_field_misspelt_is_refused_not_dropped(client: TestClient) -> None:
    misspelt = _post(client, name="Иван", phone="+79161234567")  # for `phones`

    assert misspelt.status_code == 422
    assert "body.phone: Extra inputs are not permitted" in misspelt.json()["detail"]
    assert client.get("/api/clients", params={"q": "Иван"}).json()["clients"] == []


def test_the_same_phone_twice_is_422_not_a_server_error(client: TestClient) -> None:
    twice = _post(
        client, phones=[{"number": "8 916 123-45-67"}, {"number": "+79161234567"}]
    )
    created = _post(client, phones=[{"number": "8 916 123-45-67"}]).json()
    again = client.post(
        f"/api/clients/{created['id']}/phones", json={"number": "+7 (916) 1234567"}
    )

    assert (twice.status_code, twice.json()["detail"]) == (
        422, "phone +79161234567 is given twice",
    )  # fmt: skip
    assert (again.status_code, again.json()["detail"]) == (
        422, "phone +79161234567 is already this client's",
    )  # fmt: skip


def test_a_phone_another_client_has_is_saved_and_the_answer_names_them(
    client: TestClient,
) -> None:
    wife = _post(client, name="Петрова Анна", phones=[{"number": "8 916 123-45-67"}])
    son = _post(client, name="Петров Илья", phones=[{"number": "+7 912 000 11 22"}])
    husband = _post(client, name="Петров Олег", phones=[
        {"number": "+7 (916) 123-45-67", "label": "домашний"},
        {"number": "+7 903 555 44 33"},
    ])  # fmt: skip
    added = client.post(f"/api/clients/{son.json()['id']}/phones",
                        json={"number": "8 916 123 45 67"})  # fmt: skip
    alone = client.post(f"/api/clients/{wife.json()['id']}/phones",
                        json={"number": "+7 903 555 44 34"})  # fmt: skip

    assert (husband.status_code, added.status_code) == (201, 201), husband.text
    wife_id, husband_id = wife.json()["id"], husband.json()["id"]
    assert husband.json() == {
        **_read(client, husband_id),
        "same_phone": [{"e164": "+79161234567", "id": wife_id, "name": "Петрова Анна"}],
    }
    assert added.json()["same_phone"] == [  # by name
        {"e164": "+79161234567", "id": husband_id, "name": "Петров Олег"},
        {"e164": "+79161234567", "id": wife_id, "name": "Петрова Анна"},
    ]
    assert alone.json()["same_phone"] == []
    assert _found(client, "8 916 123 45 67") == (
        "phone", ["Петров Илья", "Петров Олег", "Петрова Анна"], False,
    )  # fmt: skip


def test_a_phone_is_added_to_a_client(client: TestClient) -> None:
    created = _post(client).json()

    answer = client.post(
        f"/api/clients/{created['id']}/phones",
        json={"number": "8-495-123-45-67", "label": "офис"},
    )

    assert answer.status_code == 201
    assert answer.json()["phones"] == [
        {
            "e164": "+74951234567",
            "extension": None,
            "raw": "8-495-123-45-67",
            "label": "офис",
        }
    ]


def test_an_unknown_client_group_is_422_listing_the_known_ones(
    client: TestClient,
) -> None:
    answer = _post(client, client_group="vip")

    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        "unknown client group `vip` (known: retail, sto)"
    )


@pytest.mark.parametrize(
    ("kind", "inn", "problem"),
    [
        ("company", "7707083893", None),
        ("person", "500100732259", None),
        ("person", " ", None),
        ("company", "770708389", "ИНН `770708389`: 10 digits (a company) or 12"),
        ("company", "77070838ab", "ИНН `77070838ab`: 10 digits (a company) or 12"),
        ("company", "7707083894", "ИНН `7707083894`: the control digits do not match"),
        ("person", "500100732269", "ИНН `500100732269`: the control digits do not"),
    ],
    ids=["company", "person", "blank", "short", "letters", "typo-10", "typo-12"],
)
def test_an_inn_needs_10_or_12_digits_with_matching_control_digits(
    client: TestClient, kind: str, inn: str, problem: str | None
) -> None:
    answer = _post(client, kind=kind, inn=inn)

    if problem is None:
        assert answer.status_code == 201, answer.text
        assert answer.json()["inn"] == (inn.strip() or None)
    else:
        assert answer.status_code == 422
        assert answer.json()["detail"].startswith(problem)


def test_a_vehicle_with_a_bad_vin_is_422_with_the_vin_problems(
    client: TestClient,
) -> None:
    created = _post(client).json()

    wrong_digit = client.post(
        f"/api/clients/{created['id']}/vehicles", json={"vin": "1HGCM82633A004353"}
    )
    bad_letters = _post(client, vehicles=[{"vin": "xta2109904357618i"}])
    nothing = _post(client, vehicles=[{"make": "LADA"}])

    assert (wrong_digit.status_code, wrong_digit.json()["detail"]) == (
        422,
        "VIN `1HGCM82633A004353`: check digit `3` at position 9 does not match `5` "
        "computed from the other characters",
    )
    assert (bad_letters.status_code, bad_letters.json()["detail"]) == (
        422,
        "VIN `XTA2109904357618I`: invalid characters: the letters I, O and Q are "
        "never used in a VIN (`I` at position 17); read them as 1, 0 and 9",
    )
    assert (nothing.status_code, nothing.json()["detail"]) == (
        422, "a vehicle needs a VIN or a plate",
    )  # fmt: skip
    assert client.get(f"/api/clients/{created['id']}").json()["vehicles"] == []


def test_a_latin_plate_is_stored_in_cyrillic_and_found_in_any_spelling(
    client: TestClient,
) -> None:
    created = _post(client).json()

    answer = client.post(
        f"/api/clients/{created['id']}/vehicles",
        json={"plate": "a123bc77", "make": " LADA ", "model": "2109", "year": 2004},
    )

    assert answer.status_code == 201
    assert answer.json()["vehicles"] == [
        {
            "id": answer.json()["vehicles"][0]["id"],
            "vin": None,
            "plate": "А123ВС77",
            "make": "LADA",
            "model": "2109",
            "year": 2004,
            "plate_latin": "A123BC77",
        }
    ]
    for spelling in ("А 123 ВС 77 RUS", "a123bc77", "A-123-BC-77", "а123вс77"):
        assert _found(client, spelling) == ("plate", ["Иванов Иван"], False)
    assert _found(client, "А124ВС77") == ("plate", [], False)


def test_a_bad_plate_is_422_naming_it(client: TestClient) -> None:
    answer = _post(client, vehicles=[{"plate": "Ж123ЖЖ77"}])

    assert answer.status_code == 422
    assert "`Ж`" in answer.json()["detail"]


def test_clients_are_found_by_name_words_in_any_case_and_with_e_for_yo(
    client: TestClient,
) -> None:
    for name in ("Фёдоров Пётр", "Федорова Анна", "ООО «Автомир»", "Petrov 50%"):
        assert _post(client, name=name).status_code == 201

    assert _found(client, "фЕдоров") == (
        "name", ["Федорова Анна", "Фёдоров Пётр"], False,
    )  # fmt: skip
    assert _found(client, "петр  ФЁДОРОВ") == ("name", ["Фёдоров Пётр"], False)
    assert _found(client, "автомир") == ("name", ["ООО «Автомир»"], False)
    assert _found(client, "50%") == ("name", ["Petrov 50%"], False)
    assert _found(client, "5_%") == ("name", [], False)  # LIKE signs are text
    assert _found(client, "Сидоров") == ("name", [], False)


def test_clients_are_found_by_phone_in_another_spelling_and_by_its_tail(
    client: TestClient,
) -> None:
    _post(client, name="Иванов", phones=[{"number": "8 (916) 123-45-67"}])
    _post(client, name="Петров", phones=[{"number": "+7 495 765 43 21"}])

    for spelling in ("+79161234567", "8 916 123 45 67", "9161234567", "123-45-67"):
        assert _found(client, spelling) == ("phone", ["Иванов"], False), spelling
    assert _found(client, "4321") == ("phone", ["Петров"], False)  # the last four
    assert _found(client, "54321") == ("phone", ["Петров"], False)
    assert _found(client, "+7 916 000-00-00") == ("phone", [], False)


def test_a_phone_is_found_by_its_first_digits_as_the_client_dictates_them(
    client: TestClient,
) -> None:
    _post(client, name="Иванов", phones=[{"number": "8 (916) 123-45-67"}])
    _post(client, name="Петров", phones=[{"number": "+7 495 765 43 21"}])
    _post(client, name="Сидоров", phones=[{"number": "+7 916 999 11 22"}])

    starts = ("8 916 123", "+7 916 123", "916123", "8 916 123 45", "7 916 123",
              "8 (916) 123-4")  # fmt: skip
    found = {text: _found(client, text) for text in starts}

    assert found == dict.fromkeys(starts, ("phone", ["Иванов"], False))
    assert _found(client, "8 916") == ("phone", ["Иванов", "Сидоров"], False)
    assert _found(client, "+7 495") == ("phone", ["Петров"], False)
    assert _found(client, "1122") == ("phone", ["Сидоров"], False)  # the last four
    assert _found(client, "+7 4321") == ("phone", [], False)  # `+`: a start only
    assert _found(client, "8 917 1") == ("phone", [], False)


def test_three_digits_find_the_phones_they_start_after_the_country_code(
    client: TestClient,
) -> None:
    _post(client, name="Иванов", phones=[{"number": "8 (916) 123-45-67"}])
    _post(client, name="Петров", phones=[{"number": "+7 495 765 49 16"}])
    _post(client, name="Сидоров", phones=[{"number": "+7 916 999 11 22"}])
    _post(client, name="Гараж 777")

    assert _found(client, "916") == ("phone", ["Иванов", "Сидоров"], False)
    assert _found(client, "495") == ("phone", ["Петров"], False)
    assert _found(client, "499") == ("name", [], False)  # nobody's start, no name
    assert _found(client, "777") == ("name", ["Гараж 777"], False)


def test_a_client_is_found_by_an_inn_typed_in_full(client: TestClient) -> None:
    _post(client, kind="company", name="ООО Ромашка", inn="7701234560",
          phones=[{"number": "+7 916 123 45 67"}])  # fmt: skip
    _post(client, name="Иванов Иван", inn="500100732259")

    assert _found(client, "7701234560") == ("inn", ["ООО Ромашка"], False)
    assert _found(client, "7701 234 560") == ("inn", ["ООО Ромашка"], False)
    assert _found(client, "500100732259") == ("inn", ["Иванов Иван"], False)
    # ten digits with the control digits of an ИНН nobody has: a phone
    assert _found(client, "9161234567") == ("phone", ["ООО Ромашка"], False)
    assert _found(client, "770123456") == ("phone", [], False)  # a piece: no ИНН


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("+7 916 123", ["+7916123"]),
        ("8 916 123", ["+78916123", "+7916123"]),
        ("916123", ["+7916123"]),
        ("7 916 123", ["+77916123", "+7916123"]),
    ],
)
def test_a_piece_of_a_phone_stands_for_the_starts_of_e164_numbers(
    text: str, starts: list[str]
) -> None:
    assert phone_prefixes(text, "RU") == starts


def test_a_phone_start_typed_with_plus_is_looked_up_through_the_index(
    tmp_path: Path,
) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'parts.db'}")
    upgrade(database.engine)
    _how, query = client_logic._match("+7 916 123", "RU")

    with database.engine.connect() as connection:
        sql = query.compile(connection, compile_kwargs={"literal_binds": True})
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
    database.close()

    steps = [row[-1] for row in plan]
    assert any("USING INDEX ix_client_phones_e164" in s for s in steps), steps


def test_clients_are_found_by_vin_in_any_spelling(client: TestClient) -> None:
    _post(client, name="Иванов", vehicles=[{"vin": VIN}])
    _post(client, name="Петров", vehicles=[{"vin": " 1hgcm82633a004352 "}])

    petrov = _found(client, NA_VIN)
    read = client.get("/api/clients", params={"q": "1hgcm 82633 a004352"}).json()

    assert _found(client, VIN) == ("vin", ["Иванов"], False)
    assert petrov == ("vin", ["Петров"], False)
    assert read["matched_by"] == "vin"
    assert read["clients"][0]["vehicles"][0]["vin"] == NA_VIN


def test_a_vin_is_stored_in_its_plain_form_whatever_the_spelling(
    client: TestClient,
) -> None:
    # Cyrillic Х, Т, А typed for the Latin ones, dashes and spaces
    created = _post(client, vehicles=[{"vin": "хта-21099 043576182"}])

    assert created.status_code == 201, created.text
    assert created.json()["vehicles"][0]["vin"] == VIN
    assert _found(client, VIN) == ("vin", ["Иванов Иван"], False)


def test_a_client_with_two_matching_cars_is_found_once(client: TestClient) -> None:
    _post(client, vehicles=[{"vin": VIN, "plate": "А123ВС77"}, {"plate": "А123ВС77"}])

    assert _found(client, "А123ВС77") == ("plate", ["Иванов Иван"], False)


def test_more_matches_than_the_limit_say_truncated(client: TestClient) -> None:
    for n in range(4):
        _post(client, name=f"Клиент {n}")

    assert _found(client, "клиент", limit=3) == (
        "name", ["Клиент 0", "Клиент 1", "Клиент 2"], True,
    )  # fmt: skip
    assert _found(client, "клиент", limit=4)[2] is False
    too_many = client.get("/api/clients", params={"q": "клиент", "limit": 51})
    assert too_many.status_code == 422


def test_a_patch_changes_the_group_and_is_audited_with_old_and_new(
    client: TestClient,
) -> None:
    created = _post(client).json()

    answer = client.patch(
        f"/api/clients/{created['id']}",
        json={"client_group": "sto", "name": " Иванов  Иван Ильич "},
    )
    entries = client.get("/api/audit", params={"table": "clients"}).json()["entries"]

    assert answer.status_code == 200
    assert (answer.json()["client_group"], answer.json()["name"]) == (
        "sto", "Иванов  Иван Ильич",
    )  # fmt: skip
    assert _found(client, "ильич")[1] == ["Иванов  Иван Ильич"]
    change = entries[0]
    assert (change["action"], change["who"], change["row_id"]) == (
        "update", "root", str(created["id"]),
    )  # fmt: skip
    assert (change["old"]["client_group"], change["new"]["client_group"]) == (
        "retail", "sto",
    )  # fmt: skip
    assert (change["old"]["version"], change["new"]["version"]) == (1, 2)
    assert change["new"]["search_name"] == "иванов иван ильич"
    assert [e["action"] for e in entries] == ["update", "insert"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"client_group": "vip"}, "unknown client group `vip` (known: retail, sto)"),
        ({"client_group": None}, "`client_group` cannot be empty"),
        ({"name": None}, "`name` cannot be empty"),
        ({"kind": None}, "`kind` cannot be empty"),
        ({"name": "  "}, "a client needs a name"),
        ({"inn": "123"}, "ИНН `123`: 10 digits (a company) or 12 (a person)"),
    ],
    ids=["unknown-group", "no-group", "no-name", "no-kind", "blank-name", "inn"],
)
def test_a_patch_that_cannot_be_saved_is_422_and_changes_nothing(
    client: TestClient, change: dict[str, Any], problem: str
) -> None:
    created = _post(client).json()

    answer = client.patch(f"/api/clients/{created['id']}", json=change)

    assert (answer.status_code, answer.json()["detail"]) == (422, problem)
    assert _read(client, created["id"]) == created


def test_an_unknown_client_is_404(client: TestClient) -> None:
    for answer in (
        client.get("/api/clients/999"),
        client.patch("/api/clients/999", json={"note": "x"}),
        client.post("/api/clients/999/phones", json={"number": "+79161234567"}),
    ):
        assert (answer.status_code, answer.json()["detail"]) == (404, "no client 999")


def test_an_analyst_may_read_clients_but_not_write_them(client: TestClient) -> None:
    created = _post(client).json()
    sign_in(client, role="analyst", login="ann")

    read = client.get(f"/api/clients/{created['id']}")
    found = client.get("/api/clients", params={"q": "иванов"})
    writes = [
        _post(client, name="Новый"),
        client.patch(f"/api/clients/{created['id']}", json={"note": "x"}),
        client.post(f"/api/clients/{created['id']}/phones", json={"number": "+79161234567"}),
        client.post(f"/api/clients/{created['id']}/vehicles", json={"vin": VIN}),
    ]  # fmt: skip

    assert {**read.json(), "same_phone": []} == created
    assert len(found.json()["clients"]) == 1
    for answer in writes:
        assert answer.status_code == 403
        assert answer.json()["detail"] == (
            "role `analyst` may not do this (needs `clients.write`)"
        )


def test_a_client_route_needs_a_signed_in_user(client: TestClient) -> None:
    answer = client.get(
        "/api/clients", params={"q": "x"}, headers={"Authorization": ""}
    )

    assert answer.status_code == 401


def test_client_pricing_gives_the_group_and_the_clients_own_discount(
    groups: Session,
) -> None:
    with_discount = create_client(
        groups,
        ClientIn(name="СТО Мотор", client_group="sto", discount_percent=Decimal("7.5")),
        actor=ACTOR,
    )
    without = create_client(
        groups, ClientIn(name="Иванов", client_group="retail"), actor=ACTOR
    )
    groups.commit()
    groups.expire_all()  # read back what the database holds

    assert client_pricing(groups, with_discount.id) == (
        "sto", Discount(percent=Decimal("7.5")),
    )  # fmt: skip
    assert client_pricing(groups, without.id) == ("retail", None)
    with pytest.raises(LookupError, match="no client 999"):
        client_pricing(groups, 999)


def test_find_clients_by_each_kind_of_text(groups: Session) -> None:
    create_client(
        groups,
        ClientIn.model_validate({
            "name": "Сёмин Олег", "client_group": "retail",
            "phones": [{"number": "8 916 123 45 67"}],
            "vehicles": [{"vin": VIN, "plate": "в777ок199"}],
        }),
        actor=ACTOR,
    )  # fmt: skip
    groups.commit()

    def how(text: str) -> tuple[str, list[str], bool]:
        rows, matched_by, truncated = find_clients(groups, text)
        return matched_by, [r.name for r in rows], truncated

    assert how("семин") == ("name", ["Сёмин Олег"], False)
    assert how("В 777 ОК 199") == ("plate", ["Сёмин Олег"], False)
    assert how(VIN.lower()) == ("vin", ["Сёмин Олег"], False)
    assert how("1234567") == ("phone", ["Сёмин Олег"], False)
    assert how("8 (916) 123-45-67") == ("phone", ["Сёмин Олег"], False)


def test_a_client_is_checked_whole_before_anything_is_written(
    groups: Session,
) -> None:
    bad = ClientIn.model_validate({
        "name": "Иванов", "client_group": "retail",
        "phones": [{"number": "8 916 123 45 67"}], "vehicles": [{"vin": "XTA"}],
    })  # fmt: skip

    with pytest.raises(ClientError, match="VIN `XTA`: wrong length"):
        create_client(groups, bad, actor=ACTOR)
    groups.rollback()

    assert find_clients(groups, "иванов") == ([], "name", False)


def test_a_phone_written_as_stored_its_last_four_digits_and_a_plate_piece_find_it(
    client: TestClient,
) -> None:
    created = _post(client).json()
    client.post(f"/api/clients/{created['id']}/vehicles", json={"plate": "Е789КХ750"})
    client.post(f"/api/clients/{created['id']}/phones",
                json={"number": "+7 (912) 345-67-89"})  # fmt: skip

    for text in ("+7 (912) 345-67-89", "6789", "8 912 345 67 89"):
        assert _found(client, text) == ("phone", ["Иванов Иван"], False), text
    for text in ("Е789КХ", "e789kx", "789 КХ"):
        assert _found(client, text) == ("plate", ["Иванов Иван"], False), text
    # plate letters and digits that are on no plate are looked up as a name
    _post(client, name="АВТО 1")
    assert _found(client, "Авто 1") == ("name", ["АВТО 1"], False)
