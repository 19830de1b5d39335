"""`parts db …`: migrate the operational database, seed pricing rules into it."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from parts.settings import get_settings

console = Console()
err_console = Console(stderr=True)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the `db` command group."""
    db_app = typer.Typer(
        help="The operational database: migrations, seed data.", no_args_is_help=True
    )
    db_app.command("upgrade")(upgrade)
    db_app.command("current")(current)
    db_app.command("seed-rules")(seed_rules)
    app.add_typer(db_app, name="db")


def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Run the migrations up to `revision` (SQLite file or PARTS_DATABASE_URL)."""
    from service.db.engine import Database, masked_url
    from service.db.migrate import current_revision
    from service.db.migrate import upgrade as run_upgrade

    database = Database.from_settings(get_settings())
    try:
        run_upgrade(database.engine, revision)
        at = current_revision(database.engine)
    finally:
        database.close()
    console.print(f"{masked_url(database.url)} at {at}")


def current() -> None:
    """Print the database's revision and the newest one shipped."""
    from service.db.engine import Database
    from service.db.migrate import current_revision, head_revision

    database = Database.from_settings(get_settings())
    try:
        at = current_revision(database.engine)
    finally:
        database.close()
    console.print(f"database: {at}")
    console.print(f"code:     {head_revision()}")


def seed_rules(
    path: Annotated[Path, typer.Argument(help="TOML rule file ([[rules]]…).")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who seeds (default: $USER).")
    ] = None,
) -> None:
    """Replace the stored rule set with a TOML file's (validated, audited as seed)."""
    from pricing.rules import load_pricing_toml, load_rules_toml
    from service.db.audit import Actor
    from service.db.engine import Database
    from service.db.migrate import upgrade as run_upgrade
    from service.pricing_rules.logic import RulesRejected, save_rate, save_rule_set
    from service.pricing_rules.models import RateIn

    if not path.is_file():
        err_console.print(f"error: `{path}` is not a file")
        raise typer.Exit(2)
    database = Database.from_settings(get_settings())
    if database.is_sqlite:
        run_upgrade(database.engine)
    actor = Actor(who=by or getpass.getuser(), via="seed")
    try:
        with database.sessions() as session:
            summary = save_rule_set(session, load_rules_toml(path), actor=actor)
            rates = load_pricing_toml(path).rates.rates
            for currency, entry in sorted(rates.items()):
                save_rate(
                    session,
                    RateIn(currency=currency, rate=entry.rate, date=entry.date),
                    actor=actor,
                )
    except RulesRejected as exc:
        err_console.print(f"error: `{path}` was not saved:")
        for problem in exc.problems:
            err_console.print(f"  - {problem}")
        raise typer.Exit(1) from exc
    finally:
        database.close()
    console.print(
        f"rules from {path.name}: {summary.inserted} added, {summary.updated} changed, "
        f"{summary.deleted} removed, {summary.unchanged} unchanged; "
        f"{len(rates)} currency rates"
    )
