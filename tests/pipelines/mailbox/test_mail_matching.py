"""Message → supplier: sender, subject, attachment names, ZIP members."""

from __future__ import annotations

import pytest

from pipelines.mailbox.matching import (
    candidates,
    owner,
    sender_matches,
    subject_matches,
)
from pipelines.pricelists.profiles import SupplierProfile
from tests.pipelines.mailbox.mails import zipped


def _profile(supplier_id: str, **match: object) -> SupplierProfile:
    return SupplierProfile.model_validate({"id": supplier_id, "match": match})


PROFILES = {
    p.id: p
    for p in (
        _profile("kolobox", senders=["price@kolobox.ru"], file_pattern="Прайс_*.xls"),
        _profile("ural-msk", senders=["@ural.example"], file_pattern="msk_*.csv"),
        _profile("ural-spb", senders=["@ural.example"], file_pattern="spb_*.csv"),
        _profile("any", senders=["any.example"], subject_pattern="re:^прайс\\b"),
        _profile("quiet"),  # no senders: never matched by mail
    )
}


@pytest.mark.parametrize(
    ("sender", "entries", "hit"),
    [
        ("Price@Kolobox.RU", ["price@kolobox.ru"], True),
        ("other@kolobox.ru", ["price@kolobox.ru"], False),
        ("a@ural.example", ["@URAL.example"], True),
        ("a@sub.ural.example", ["@ural.example"], False),
        ("a@any.example", ["any.example"], True),
        ("not-an-address", ["@ural.example"], False),
        ("", [""], False),
    ],
)
def test_sender_matches(sender: str, entries: list[str], hit: bool) -> None:
    assert sender_matches(sender, entries) is hit


def test_subject_glob_regex_and_a_broken_regex() -> None:
    assert subject_matches("Прайс-лист на 04.12", "прайс*")
    assert not subject_matches("Re: Прайс", "прайс*")
    assert subject_matches("ПРАЙС от 04.12", "re:^прайс\\b")
    assert not subject_matches("anything", "re:(")
    assert subject_matches("anything", None)


def test_candidates_by_sender_and_subject() -> None:
    assert [p.id for p in candidates("x@ural.example", "", PROFILES)] == [
        "ural-msk", "ural-spb",
    ]  # fmt: skip
    assert [p.id for p in candidates("x@any.example", "Прайс 1", PROFILES)] == ["any"]
    assert candidates("x@any.example", "Счёт", PROFILES) == []
    assert candidates("nobody@nowhere.example", "Прайс", PROFILES) == []


def test_one_sender_two_suppliers_split_by_file_pattern() -> None:
    two = candidates("x@ural.example", "", PROFILES)
    assert owner("msk_0412.csv", b"", two).supplier_id == "ural-msk"
    assert owner("SPB_0412.CSV", b"", two).supplier_id == "ural-spb"
    lost = owner("ekb.csv", b"", two)
    assert (lost.supplier_id, lost.ambiguous) == (None, False)


def test_zip_matches_by_its_members_and_xlsx_is_not_a_zip_here() -> None:
    two = candidates("x@ural.example", "", PROFILES)
    archive = zipped(("msk_1.csv", b"a"), ("docs/msk_2.csv", b"b"))
    assert owner("stock.zip", archive, two).supplier_id == "ural-msk"
    both = zipped(("msk_1.csv", b"a"), ("spb_1.csv", b"b"))
    mixed = owner("stock.zip", both, two)
    assert mixed.ambiguous and "ural-msk, ural-spb" in mixed.reason
    assert owner("msk.xlsx", archive, two).supplier_id is None
    assert owner("broken.zip", b"PK\x03\x04junk", two).supplier_id is None


def test_without_a_pattern_only_price_like_names_are_taken() -> None:
    (any_,) = candidates("x@any.example", "Прайс", PROFILES)
    assert owner("остатки.xlsx", b"", [any_]).supplier_id == "any"
    assert owner("logo.png", b"", [any_]).supplier_id is None
    assert owner("invoice.pdf", b"", [any_]).supplier_id is None
