"""`parts crosses …` and `parts analogs` keep the interfaces other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings

runner = CliRunner()
X = "Производитель;Артикул;Производитель аналога;Артикул аналога\nKRAFT;PN-2466;SANGSIN;SP1250\n"
Y = "brand;article;brand;article\nSANGSIN;SP 1250;DELPHI;D2466\nSANGSIN;SP 1250;TRW;GDB1330\n"


def _last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


def _load(tmp_path: Path, source: str, text: str, *extra: str) -> Any:
    path = tmp_path / f"{source}.csv"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["crosses", "load", str(path), "--source", source, "--json",
                                 *extra])  # fmt: skip
    return result


def _analogs(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["analogs", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = _last_json(result.stdout)
    assert isinstance(data, list)
    return data


def test_load_json_contract_and_exit_codes(settings: Settings, tmp_path: Path) -> None:
    first = _load(tmp_path, "supplier-x", X)
    assert first.exit_code == 0, first.output
    data = _last_json(first.stdout)
    assert {k: data[k] for k in ("status", "source", "rows_read", "edges", "edges_by_kind",
                                  "rejects", "shape")} == {
        "status": "published", "source": "supplier-x", "rows_read": 1, "edges": 1,
        "edges_by_kind": {"analog": 1}, "rejects": {}, "shape": "pairs",
    }  # fmt: skip
    assert data["columns"]["article_b"] == "D `Артикул аналога`"
    assert {"reject_examples", "unknown_brands", "seconds", "load_id"} <= set(data)
    again = _load(tmp_path, "supplier-x", X)
    assert (again.exit_code, _last_json(again.stdout)["status"]) == (0, "unchanged")
    bad = _load(tmp_path, "supplier-x", "Наименование;Цена\nФильтр;1\n")
    assert bad.exit_code == 1 and _last_json(bad.stdout)["status"] == "quarantined"
    missing = runner.invoke(
        app, ["crosses", "load", str(tmp_path / "no.csv"), "-s", "x"]
    )
    assert missing.exit_code == 2
    wrong = _load(tmp_path, "Bad Name", X)
    assert wrong.exit_code == 2


def test_load_pins_from_the_command_line(settings: Settings, tmp_path: Path) -> None:
    text = "a;b;c\nx;AC 273 000S;LR015556; LR018405\n"
    result = _load(tmp_path, "mahle", text, "--brand", "MAHLE", "--column", "article=B",
                   "--list", "C:oe:;", "--header-row", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _last_json(result.stdout)["edges_by_kind"] == {"oe": 1}


def test_analogs_json_contract_q34(settings: Settings, tmp_path: Path) -> None:
    _load(tmp_path, "supplier-x", X)
    _load(tmp_path, "supplier-y", Y)

    data = _analogs("KRAFT", "PN2466")

    assert [
        (a["brand"], a["article"], a["kind"], a["verified"], a["blocked"]) for a in data
    ] == [
        ("SANGSIN", "SP1250", "analog", False, False),
        ("DELPHI", "D2466", "analog", False, False),
        ("TRW", "GDB1330", "analog", False, False),
    ]
    far = data[1]
    assert [(h["source"], h["from"]["article"], h["to"]["article"]) for h in far["path"]] == [
        ("supplier-x", "PN2466", "SP1250"), ("supplier-y", "SP1250", "D2466"),
    ]  # fmt: skip
    assert set(far["path"][0]) >= {"from", "to", "kind", "source", "verified", "row"}
    assert [a["article"] for a in _analogs("KRAFT", "PN2466", "--depth", "1")] == [
        "SP1250"
    ]
    assert _analogs("KRAFT", "2466") == []


def test_verify_and_block_apply_at_once(settings: Settings, tmp_path: Path) -> None:
    _load(tmp_path, "supplier-y", Y)
    blocked = runner.invoke(
        app, ["crosses", "block", "SANGSIN", "SP1250", "TRW", "GDB 1330", "--by", "olga",
              "--json"],
    )  # fmt: skip
    assert blocked.exit_code == 0, blocked.output
    mark = _last_json(blocked.stdout)
    assert (mark["action"], mark["by"], mark["sources"]) == (
        "block",
        "olga",
        ["supplier-y"],
    )
    verified = runner.invoke(
        app,
        ["crosses", "verify", "sangsin", "sp-1250", "DELPHI", "D2466", "--by", "ivan"],
    )
    assert verified.exit_code == 0 and "verified" in verified.stdout

    assert [(a["article"], a["verified"]) for a in _analogs("SANGSIN", "SP1250")] == [
        ("D2466", True)
    ]
    listed = _analogs("SANGSIN", "SP1250", "--blocked")
    assert [(a["article"], a["blocked"]) for a in listed] == [
        ("D2466", False),
        ("GDB1330", True),
    ]

    _load(tmp_path, "supplier-y", Y + "SANGSIN;SP1250;BREMBO;P85020\n")
    assert {a["article"] for a in _analogs("SANGSIN", "SP1250")} == {"D2466", "P85020"}


def test_sources_lists_live_loads(settings: Settings, tmp_path: Path) -> None:
    _load(tmp_path, "supplier-x", X)
    result = runner.invoke(app, ["crosses", "sources", "--json"])
    rows = _last_json(result.stdout)
    assert [(r["source"], r["live_edges"], r["last_status"]) for r in rows] == [
        ("supplier-x", 1, "published")
    ]
