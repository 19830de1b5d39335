"""VIN decoding against the shared samples and the rules of ISO 3779 / 49 CFR 565."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import pytest
import yaml

from crosses.vin import (
    VinDecode,
    compute_check_digit,
    decode_vin,
    default_wmi_table,
    read_wmi_list,
)
from tests.conftest import shared_file

TODAY = dt.date(2026, 6, 1)


def _decode(vin: str) -> VinDecode:
    return decode_vin(vin, today=TODAY)


def _yaml(name: str, key: str) -> list[dict[str, object]]:
    data = yaml.safe_load(shared_file("vin", name).read_text(encoding="utf-8"))
    return list(data[key])


def test_every_pyvin_vin_is_valid_with_its_year_and_make() -> None:
    rows = _yaml("pyvin_test_decode.yaml", "test_decode") + _yaml(
        "pyvin_test_ford.yaml", "test_ford_2023"
    )
    assert len(rows) == 97 + 415
    wrong = []
    for row in rows:
        got = _decode(str(row["vin"]))
        make = str(row["make"]).upper()
        if (
            not got.valid
            or got.model_year != row["model_year"]
            or make not in got.makes
        ):
            wrong.append((row["vin"], got.errors, got.model_year, got.makes))
    assert wrong == []


def test_acura_integra_1994_whole_decode() -> None:
    assert _decode("JH4DC4340RS003205") == VinDecode(
        vin="JH4DC4340RS003205",
        valid=True,
        errors=(),
        wmi="JH4",
        manufacturer="Honda (Acura)",
        makes=("ACURA",),
        country="Japan",
        region="Asia",
        vds="DC4340",
        model_year=1994,
        check_digit="0",
        check_digit_expected="0",
        check_digit_ok=None,  # Japan does not mandate it; it happens to be right
        plant="S",
        serial="003205",
    )


def test_bronco_1988_not_2018_because_position_7_is_a_digit() -> None:
    got = _decode("1FMCU14T3JU402061")
    assert (got.model_year, got.check_digit_ok, got.valid) == (1988, True, True)


@pytest.mark.parametrize(
    ("vin", "year", "make"),
    [
        ("5N3ZA0NE1AN908084", 2010, "INFINITI"),
        ("KNAE55LC7J6018811", 2018, "KIA"),
        ("WAUFFGFF8F1068897", 2015, "AUDI"),
    ],
)
def test_readme_model_years(vin: str, year: int, make: str) -> None:
    got = _decode(vin)
    assert (got.valid, got.model_year, make in got.makes) == (True, year, True)


def test_vpic_decode_of_f150_agrees() -> None:
    reply = json.loads(shared_file("vin", "vpic_decode-vin.json").read_text())
    values = reply["content"]["Results"][0]
    got = _decode("1FTMW1T88MFA00001")
    assert values["ErrorCode"] == "0"
    assert {
        "make": values["Make"],
        "model_year": int(values["ModelYear"]),
        "country": values["PlantCountry"].split(" (")[0].title(),
        "check_digit_ok": True,
        "check_digit": "8",
    } == {
        "make": got.makes[0],
        "model_year": got.model_year,
        "country": got.country,
        "check_digit_ok": got.check_digit_ok,
        "check_digit": compute_check_digit(got.vin),
    }


def test_partial_vins_are_incomplete_not_invalid_characters() -> None:
    reply = json.loads(shared_file("vin", "vpic_decode-vin-batch.json").read_text())
    for values in reply["content"]["Results"]:
        got = _decode(values["VIN"])
        assert "6" in values["ErrorCode"].split(",")
        assert got.valid is False
        assert len(got.errors) == 1
        assert got.errors[0].startswith("incomplete VIN: 11 of 17 characters")
        assert (got.model_year, values["Make"] in got.makes) == (
            int(values["ModelYear"]),
            True,
        )


def _wal33d() -> tuple[list[str], list[str]]:
    text = shared_file("vin", "wal33d_test_vins.txt").read_text(encoding="utf-8")
    valid_part, _, invalid_part = text.partition("## Invalid VINs")
    pick = re.compile(r"^([0-9A-Z]{15,19}) - ", re.MULTILINE)
    return pick.findall(valid_part), pick.findall(invalid_part)


def test_only_four_of_the_claimed_valid_vins_have_a_right_check_digit() -> None:
    claimed, _ = _wal33d()
    assert len(claimed) == 28
    right = [v for v in claimed if compute_check_digit(v) == v[8]]
    assert right == [
        "4JGDA5HB7JB158144",
        "JTHBA1D27G5004260",
        "JH4KA96632C005859",
        "1N4AL3AP1FC273695",
    ]
    for vin in claimed:
        got = _decode(vin)
        if vin[0] in "12345":
            assert got.check_digit_ok is (vin in right), vin
            assert got.valid is (vin in right), vin
        else:
            assert (got.check_digit_ok, got.valid) == (None, True), vin
    assert _decode("1FTFW1ET5DFC10312").errors == (
        "check digit `5` at position 9 does not match `9` computed from the "
        "other characters",
    )


def test_each_invalid_vin_gets_its_own_clear_error() -> None:
    _, invalid = _wal33d()
    errors = {vin: _decode(vin).errors for vin in invalid}
    assert errors == {
        "1HGCM82633A004353": (
            "check digit `3` at position 9 does not match `5` computed from the "
            "other characters",
        ),
        "1HGCM82633AOIQ352": (
            "invalid characters: the letters I, O and Q are never used in a VIN "
            "(`O` at position 12, `I` at position 13, `Q` at position 14); read "
            "them as 1, 0 and 9",
        ),
        "1HGCM82633A00435": ("wrong length: a VIN has 17 characters, this one has 16",),
        "1HGCM82633A0043522": (
            "wrong length: a VIN has 17 characters, this one has 18",
        ),
    }


def test_wrong_length_still_names_the_maker() -> None:
    got = _decode("1HGCM82633A00435")
    assert (got.wmi, got.makes, got.country, got.model_year, got.check_digit_ok) == (
        "1HG",
        ("HONDA",),
        "United States",
        None,
        None,
    )


def test_other_characters_and_empty_input() -> None:
    assert _decode("XTA21099%4Y123456").errors == (
        "invalid characters: `%` at position 9; a VIN has only A-Z and 0-9",
    )
    assert _decode("  ").errors == ("empty VIN: a VIN has 17 characters",)


def test_cyrillic_lookalikes_lower_case_and_spaces_are_folded() -> None:
    typed = "хта gfl110 ky100017"  # Cyrillic х, т, а as a Russian keyboard gives
    assert _decode(typed) == _decode("XTAGFL110KY100017")
    assert _decode(typed).vin == "XTAGFL110KY100017"


@pytest.mark.parametrize(
    ("vin", "year"),
    [
        ("XTAGFL110KY100017", 2019),  # not North American: the latest year
        ("1FTFW1E50JFA00001", 2018),  # North American, position 7 a letter
        ("1FTFW1450JFA00001", 1988),  # North American, position 7 a digit
        ("XTA21099TTY100017", 2026),  # T = 1996 or 2026; 2026 is this year
        ("XTA21099VVY100017", 2027),  # V = 1997 or 2027; next year is possible
        ("XTA21099WWY100017", 1998),  # W = 2028 is too far ahead
        ("XTA21099UUY100017", None),  # U is no year code
    ],
)
def test_model_year_cycle(vin: str, year: int | None) -> None:
    assert _decode(vin).model_year == year


@pytest.mark.parametrize(
    ("vin", "country"),
    [
        ("XTAGFL110KY100017", "Russia"),
        ("X7LLSRB1H8H123456", "Russia"),
        ("Z94CB41AADR123456", "Russia"),
        ("XWB3K32EDDA123456", "Uzbekistan"),  # table override of the USSR range
        ("SALLAAA146A123456", "United Kingdom"),
        ("TMBDA11Z3BK123456", "Czech Republic"),
        ("LFV3A23C8E3123456", "China"),
        ("9BWZZZ377VT004251", "Brazil"),
        ("Y3MZZZ11ZZZ123456", "Belarus"),
    ],
)
def test_country_by_wmi_and_iso_ranges(vin: str, country: str) -> None:
    assert _decode(vin).country == country


def test_unknown_wmi_keeps_the_country_and_warns() -> None:
    got = _decode("X8Z12345678901234")
    assert (got.manufacturer, got.country, got.warnings) == (
        None,
        "Russia",
        ("WMI `X8Z` is not in the WMI table",),
    )


def test_russian_wmis() -> None:
    makes = {wmi: default_wmi_table().entries[wmi].makes for wmi in (
        "XTA", "X96", "XTC", "XTT", "XW8", "Z94", "X7L"
    )}  # fmt: skip
    assert makes == {
        "XTA": ("LADA",),
        "X96": ("GAZ",),
        "XTC": ("KAMAZ",),
        "XTT": ("UAZ",),
        "XW8": ("VOLKSWAGEN", "SKODA", "AUDI"),
        "Z94": ("HYUNDAI", "KIA"),
        "X7L": ("RENAULT",),
    }


def test_opencars_and_wiki_wmi_lists_are_read() -> None:
    opencars = read_wmi_list(
        shared_file("vin", "opencars_wmi_manufacturers.csv").read_bytes()
    )
    wiki = read_wmi_list(shared_file("vin", "wal33d_wmi_from_wiki.csv").read_bytes())
    assert len(opencars) == 971
    assert len(wiki) == 436
    assert {w: opencars[w] for w in ("XTA", "WDB", "VF1", "LFV")} == {
        "XTA": "AVTOVAZ",
        "WDB": "MERCEDES-BENZ",
        "VF1": "RENAULT",
        "LFV": "FAW-VOLKSWAGEN",
    }
    assert all(re.fullmatch(r"[0-9A-Z]{2,3}", w) for w in wiki)  # `JA`: a prefix
    assert sum("," in name for name in wiki.values()) == 37  # unquoted commas kept


def _tokens(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return {w for w in re.findall(r"[A-Z0-9]+", plain.upper()) if len(w) >= 3}


def test_shipped_wmi_table_agrees_with_the_public_lists() -> None:
    table = default_wmi_table()
    disagree = set()
    for name in ("opencars_wmi_manufacturers.csv", "wal33d_wmi_from_wiki.csv"):
        theirs = read_wmi_list(shared_file("vin", name).read_bytes())
        for wmi in set(theirs) & set(table.entries):
            entry = table.entries[wmi]
            ours = _tokens(entry.manufacturer).union(*map(_tokens, entry.makes))
            if not ours & _tokens(theirs[wmi]):
                disagree.add(wmi)
    # Reviewed: KL7 was GM Canada's Asuna badge, now GM Korea's Chevrolet;
    # WDC is listed under DaimlerChrysler, Mercedes-Benz's owner then; LGB is
    # spelled `Dong Feng` there.
    assert disagree == {"KL7", "WDC", "LGB"}
