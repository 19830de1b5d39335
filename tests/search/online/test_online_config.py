"""Online supplier configs: validation errors that name the file and the key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from search.online.config import (
    BearerAuth,
    OnlineConfigError,
    QueryAuth,
    load_online_supplier,
    load_online_suppliers,
    resolve_secret,
)

REPO = Path(__file__).resolve().parents[3]

GOOD = """
id = "{id}"
url = "https://api.example/search?a={{article}}&b={{brand}}"
items = "data.items"

[fields]
article = "code"
price = "price"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_demo_configs_load() -> None:
    suppliers = load_online_suppliers(REPO / "suppliers" / "online")

    assert sorted(suppliers) == ["demo-emex", "demo-slow"]
    emex, slow = suppliers["demo-emex"], suppliers["demo-slow"]
    assert (emex.timeout_s, emex.delivery_probability) == (2.0, 92)
    assert (slow.timeout_s, slow.delivery_probability) == (1.0, 70)
    assert isinstance(emex.auth, BearerAuth)
    assert emex.items == "data.items"


def test_a_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    supplier = load_online_supplier(write(tmp_path, "a.toml", GOOD.format(id="a")))

    assert supplier.method == "GET"
    assert supplier.timeout_s == 2.0
    assert supplier.currency == "RUB"
    assert supplier.vat_included is True
    assert supplier.delivery_probability is None
    assert supplier.cache_ttl_s == 60
    assert supplier.enabled is True
    assert supplier.auth.kind == "none"
    assert supplier.departments == [] and supplier.visible_to("any-department")


def test_a_bad_id_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", GOOD.format(id="Bad Id"))

    with pytest.raises(OnlineConfigError) as caught:
        load_online_supplier(path)

    message = str(caught.value)
    assert "`id`: supplier id `Bad Id` is not valid" in message
    assert str(path) in message


def test_an_unknown_key_is_refused_naming_it(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace("items =", 'colour = "red"\nitems =')
    path = write(tmp_path, "x.toml", text)

    with pytest.raises(OnlineConfigError, match=r"`colour`: Extra inputs") as caught:
        load_online_supplier(path)
    assert str(path) in str(caught.value)


def test_a_missing_items_path_is_refused(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace('items = "data.items"\n', "")
    path = write(tmp_path, "x.toml", text)

    with pytest.raises(OnlineConfigError, match=r"`items`: Field required"):
        load_online_supplier(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{brand}", "{maker}"), r"unknown placeholders `\{maker\}`"),
        (('price = "price"', 'colour = "c"'), r"unknown fields \['colour'\]"),
        (('price = "price"', ""), r"fields must map \['price'\]"),
        (("https://", "ftp://"), r"must start with http:// or https://"),
        (('items = "data.items"', 'items = "d"\nmethod = "POST"'), r"needs a `body`"),
        (('items = "data.items"', 'items = "d"\ncurrency = "rub"'), r"ISO 4217"),
        (('items = "data.items"', 'items = "d"\ntimeout_s = 0'), r"`timeout_s`"),
    ],
)
def test_wrong_values_are_refused_with_a_reason(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = GOOD.format(id="x").replace(*change)
    path = write(tmp_path, "x.toml", text)

    with pytest.raises(OnlineConfigError, match=message):
        load_online_supplier(path)


def test_a_post_body_template_may_use_the_placeholders(tmp_path: Path) -> None:
    text = GOOD.format(id="x").replace(
        'items = "data.items"',
        'items = "data.items"\nmethod = "POST"\n'
        'body = { query = { code = "{article}", maker = "{brand}" }, page = 1 }',
    )
    supplier = load_online_supplier(write(tmp_path, "x.toml", text))

    assert supplier.body == {
        "query": {"code": "{article}", "maker": "{brand}"},
        "page": 1,
    }


def test_a_broken_file_is_left_out_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "a.toml", GOOD.format(id="a"))
    write(tmp_path, "b.toml", "id = [unclosed")
    write(tmp_path, "notes.txt", "not a config")

    with caplog.at_level(logging.WARNING, logger="search.online.config"):
        suppliers = load_online_suppliers(tmp_path)

    assert list(suppliers) == ["a"]
    assert "b.toml" in caplog.text


def test_a_duplicate_id_is_an_error_naming_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.format(id="same"))
    write(tmp_path, "b.toml", GOOD.format(id="same"))

    with pytest.raises(OnlineConfigError, match=r"`same` is also defined in .*a\.toml"):
        load_online_suppliers(tmp_path)


def test_a_missing_folder_has_no_suppliers(tmp_path: Path) -> None:
    assert load_online_suppliers(tmp_path / "absent") == {}


def test_env_secrets_are_read_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTS_TEST_ONLINE_KEY", "s3cret")
    monkeypatch.delenv("PARTS_TEST_ONLINE_ABSENT", raising=False)

    assert resolve_secret(SecretStr("env:PARTS_TEST_ONLINE_KEY")) == "s3cret"
    assert resolve_secret(SecretStr("literal")) == "literal"
    with pytest.raises(
        OnlineConfigError, match="`PARTS_TEST_ONLINE_ABSENT` is not set"
    ):
        resolve_secret(SecretStr("env:PARTS_TEST_ONLINE_ABSENT"))


def test_secrets_do_not_show_in_the_config_repr(tmp_path: Path) -> None:
    text = (
        GOOD.format(id="x")
        + '\n[auth]\nkind = "query"\nname = "key"\nvalue = "s3cret"\n'
    )
    supplier = load_online_supplier(write(tmp_path, "x.toml", text))

    assert isinstance(supplier.auth, QueryAuth)
    assert "s3cret" not in repr(supplier)
    assert "s3cret" not in supplier.model_dump_json()
