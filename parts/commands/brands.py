"""`parts brands …`: the brand review queue and the decisions made on it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parts.settings import get_settings

if TYPE_CHECKING:
    from pipelines.brand_review import BrandChange

console = Console()
err_console = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides (default: $USER).")
]


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the `brands` command group."""
    brands_app = typer.Typer(
        help="Brand aliases: review unknown brands, accept aliases.",
        no_args_is_help=True,
    )
    brands_app.command("review")(review)
    brands_app.command("alias")(alias)
    brands_app.command("accept-new")(accept_new)
    brands_app.command("reject")(reject)
    brands_app.command("show")(show)
    brands_app.command("refresh")(refresh)
    app.add_typer(brands_app, name="brands")


def review(
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="Most brands listed.")] = 200,
) -> None:
    """Brands seen in price lists and crosses but not in the alias table."""
    from pipelines.brand_review import review_queue

    queue = review_queue(get_settings(), limit=limit)
    if as_json:
        _print_json(queue.to_dict())
        return
    if not queue.brands:
        console.print("no unknown brands")
        return
    table = Table("brand", "offers", "suppliers", "crosses", "suggestions")
    for item in queue.brands:
        table.add_row(
            item.brand,
            str(item.offers),
            ", ".join(f"{s} ({n})" for s, n in item.suppliers.items()),
            str(item.crosses),
            ", ".join(f"{s['brand']} {s['score']:.0f}" for s in item.suggestions),
        )
    console.print(table)
    if queue.truncated:
        console.print(f"first {len(queue.brands)} of {queue.total} unknown brands")


def alias(
    alias: Annotated[str, typer.Argument(help="The spelling to accept.")],
    canonical: Annotated[str, typer.Argument(help="The known brand it stands for.")],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept ALIAS as a spelling of CANONICAL; live offers follow at once."""
    from pipelines.brand_review import accept_alias

    _decide(lambda: accept_alias(get_settings(), alias, canonical, by=_by(by)), as_json)


def accept_new(
    brand: Annotated[str, typer.Argument(help="An unknown brand.")],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark BRAND as a brand of its own, not a misspelling: it leaves the queue."""
    from pipelines.brand_review import accept_new as run

    _decide(lambda: run(get_settings(), brand, by=_by(by)), as_json)


def reject(
    brand: Annotated[str, typer.Argument(help="An unknown brand.")],
    suggestion: Annotated[str, typer.Argument(help="The suggestion that is wrong.")],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Say SUGGESTION is not BRAND, so it is no longer suggested."""
    from pipelines.brand_review import reject_suggestion

    _decide(
        lambda: reject_suggestion(get_settings(), brand, suggestion, by=_by(by)),
        as_json,
    )


def show(
    brand: Annotated[str, typer.Argument(help="Any spelling of a brand.")],
    as_json: JsonOption = False,
) -> None:
    """A brand's canonical name, aliases, families and review decisions."""
    from pipelines.brand_review import brand_info

    info = brand_info(get_settings(), brand)
    if as_json:
        _print_json(info)
        return
    if not info["known"]:
        hint = ", ".join(info["suggestions"]) or "none"
        console.print(f"`{info['brand']}` is not a known brand; close: {hint}")
    else:
        console.print(f"[bold]{info['canonical']}[/]")
        console.print(f"  aliases: {', '.join(info['aliases']) or '-'}")
        for name, members in info["families"].items():
            console.print(f"  family {name}: {', '.join(members)}")
    console.print(f"  live offers: {info['offers']}")
    for d in info["decisions"]:
        console.print(
            f"  {d['kind']} {d['alias']} → {d['canonical']} by {d['by']}, {d['at']}"
        )


def refresh(as_json: JsonOption = False) -> None:
    """Re-derive the brands of all live offers with the current table."""
    from pipelines.brand_review import recanonicalize

    rebranded = recanonicalize(get_settings())
    if as_json:
        _print_json({"rebranded": rebranded})
        return
    _show_rebranded(rebranded)


def _decide(run: Callable[[], BrandChange], as_json: bool) -> None:
    """Run one decision; a refused decision is a usage error (exit 2)."""
    from crosses.brand_decisions import BrandDecisionError

    try:
        change = run()
    except BrandDecisionError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        _print_json(change.to_dict())
        return
    console.print(change.outcome.note)
    _show_rebranded(change.rebranded)


def _show_rebranded(rebranded: dict[str, int]) -> None:
    for supplier_id, rows in rebranded.items():
        console.print(f"  {supplier_id}: {rows} offers re-branded")


def _by(by: str | None) -> str:
    return by or os.environ.get("USER") or "unknown"


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
