"""`parts price --json` and a small `parts bench pricing` run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from parts.cli import app
from pricing.bench import run_bench

runner = CliRunner()


def _last_json(output: str) -> dict[str, object]:
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_price_json_explains_the_demo_rules() -> None:
    result = runner.invoke(app, [
        "price", "--supplier", "euroline-eur", "--brand", "BOSCH", "--price", "100",
        "--currency", "EUR", "--client-group", "wholesale", "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    got = _last_json(result.output)
    assert {k: got[k] for k in ("sell_price", "rule_id", "rate", "purchase_rub")} == {
        "sell_price": "12733.60",
        "rule_id": "euroline-bosch-wholesale",
        "rate": "100.450000",
        "purchase_rub": "12254.90",  # 100 EUR × 100.45, plus 22 % VAT
    }


def test_price_with_a_missing_rate_exits_1() -> None:
    result = runner.invoke(app, [
        "price", "--supplier", "x", "--brand", "B", "--price", "100",
        "--currency", "KZT", "--json",
    ])  # fmt: skip
    assert result.exit_code == 1
    got = _last_json(result.output)
    assert (got["sell_price"], got["reason"]) == (None, "missing rate")


def test_bench_cli_json_keys() -> None:
    result = runner.invoke(
        app, ["bench", "pricing", "--offers", "5000", "--repeat", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    got = _last_json(result.output)
    for key in ("offers_per_s", "ms_per_2000", "baseline_ms_per_2000", "ratio"):
        assert key in got
    assert got["same_results"] is True


def test_small_bench_prices_the_same_as_the_loop() -> None:
    result = run_bench(offers=3000, rules=120, repeat=2)
    assert result["same_results"] is True
    assert result["missing_rate"] > 0
