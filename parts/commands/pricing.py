"""`parts price` (what would this offer cost this client, and why) and its bench."""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parts.settings import get_settings

console = Console()
err_console = Console(stderr=True)

DEMO_RULES = (
    Path(__file__).resolve().parents[2] / "pricing" / "data" / "demo_rules.toml"
)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `price` and `bench pricing`."""
    app.command("price")(price)
    bench_app.command("pricing")(bench_pricing)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def price(
    supplier: Annotated[str, typer.Option(help="Supplier id.")],
    brand: Annotated[
        str, typer.Option(help="Brand, any spelling (goes through the alias table).")
    ],
    purchase: Annotated[str, typer.Option("--price", help="Purchase price.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "RUB",
    client_group: Annotated[
        str | None, typer.Option("--client-group", help="Client group id.")
    ] = None,
    department: Annotated[str | None, typer.Option(help="Department.")] = None,
    price_group: Annotated[
        str | None, typer.Option("--price-group", help="Price group.")
    ] = None,
    analog: Annotated[
        bool | None, typer.Option("--analog/--requested", help="An analog or not.")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Delivery days.")] = None,
    rules: Annotated[
        Path, typer.Option("--rules", help="Rules TOML (default: the demo rules).")
    ] = DEMO_RULES,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """The sell price of one offer for a client group, and its explanation."""
    from pydantic import ValidationError

    from pipelines.brand_review import brand_table
    from pricing.engine import explain_price
    from pricing.rules import load_pricing_toml

    try:
        amount = Decimal(purchase.replace(",", "."))
        config = load_pricing_toml(rules)
    except (InvalidOperation, OSError, ValidationError, ValueError) as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    for problem in config.rules.problems():
        err_console.print(f"[yellow]warning:[/] {problem}")

    try:
        result = explain_price(
            supplier=supplier, price=amount, currency=currency.upper(),
            brand=brand_table(get_settings()).canonical(brand),
            rules=config.rules, rates=config.rates, vat_rules=config.vat,
            client_group=client_group, department=department,
            price_group=price_group, is_analog=analog, delivery_days=days,
        )  # fmt: skip
    except ValueError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        _print_json(result)
    else:
        _show_price(result)
    raise typer.Exit(0 if result["sell_price"] is not None else 1)


def _show_price(r: dict[str, Any]) -> None:
    if r["sell_price"] is None:
        console.print(f"[red]no price[/]: {r['reason']}")
    else:
        console.print(f"sell price [bold]{r['sell_price']} RUB[/] (VAT included)")
    table = Table("step", "value")
    rate = f"{r['rate']} RUB/{r['currency']} of {r['rate_date']}" if r["rate"] else "-"
    rows = [
        ("purchase price", f"{r['price']} {r['currency']}"),
        ("rate", rate),
        ("VAT added", "yes" if r["vat_added"] else "no (price list includes it)"),
        ("purchase, RUB", str(r["purchase_rub"])),
        ("rule", str(r["rule_id"])),
        ("terms", f"{r['percent']} % + {r['fixed']}, min margin {r['min_margin']}"),
        ("markup", str(r["markup_rub"])),
        (
            "rounding",
            f"{r['rounding_mode'] or 'none'} to {r['rounding_step'] or '0.01'}",
        ),
        ("retail price", str(r["retail_rub"])),
        ("client group", str(r["client_group"])),
        ("discount", f"{r['discount_percent']} % + {r['discount_fixed']} RUB"),
        ("floor", str(r["floor_rub"])),
    ]
    for step, value in rows:
        table.add_row(step, value)
    console.print(table)


def bench_pricing(
    offers: Annotated[int, typer.Option(help="Synthetic offers.")] = 1_000_000,
    rules: Annotated[int, typer.Option(help="Synthetic rules.")] = 500,
    repeat: Annotated[int, typer.Option(help="Timed search-sized batches.")] = 200,
    quote_repeat: Annotated[
        int | None,
        typer.Option(help="Timed 60-offer quote batches (default: 10 × --repeat)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print one JSON object, last.")
    ] = False,
) -> None:
    """Offers/s and ms per 2,000 offers, against a per-row loop over the same rules;
    60-offer quote batches by `price_batch` against `price_offers`."""
    from pricing.bench import run_bench

    with err_console.status(f"bench: {offers:,} offers, {rules} rules…"):
        r = run_bench(
            offers=offers, rules=rules, repeat=repeat, quote_repeat=quote_repeat
        )
    table = Table("measure", "ours", "per-row loop", "ratio", "target", title=(
        f"pricing bench: {r['offers']:,} offers, {r['rules']} rules"
    ))  # fmt: skip
    table.add_row(
        "all offers", f"{r['offers_per_s']:,}/s ({r['seconds']} s)", "", "", ""
    )
    table.add_row(
        "2,000 offers, median (p90)",
        f"{r['ms_per_2000']} ms ({r['ms_per_2000_p90']} ms)",
        f"{r['baseline_ms_per_2000']} ms", f"{r['ratio']}×",
        f"< {r['targets']['ms_per_2000']} ms, > {r['targets']['ratio']}×",
    )  # fmt: skip
    table.add_row(
        "60 offers, price_batch p50 (p99)",
        f"{r['batch60_p50_ms']} ms ({r['batch60_p99_ms']} ms)", "",
        f"{r['batch60_ratio']}× (vs price_offers)",
        f"< {r['targets']['batch60_p50_ms']} ms",
    )  # fmt: skip
    table.add_row(
        "60 offers, price_offers p50 (p99)",
        f"{r['frame60_p50_ms']} ms ({r['frame60_p99_ms']} ms)", "", "", "",
    )  # fmt: skip
    console.print(table)
    for name, same in (
        ("the loop and the engine", r["same_results"]),
        ("price_batch and price_offers", r["batch_same_results"]),
    ):
        shown = "[green]the same[/]" if same else "[red]DIFFERENT[/]"
        console.print(f"results of {name} on the 2,000 offers: {shown}")
    if as_json:
        _print_json(r)
    if not (r["same_results"] and r["batch_same_results"]):
        raise typer.Exit(1)
