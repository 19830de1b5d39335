"""`parts mail …`: poll the price-list mailbox once; list what waits for review."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parts.settings import get_settings

console = Console()
err_console = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object.")]


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the `mail` command group."""
    mail_app = typer.Typer(
        help="The price-list mailbox: fetch once, review what matched no supplier.",
        no_args_is_help=True,
    )
    mail_app.command("fetch")(fetch)
    mail_app.command("review")(review)
    mail_app.command("local-server")(local_server)
    mail_app.command("send-demo")(send_demo)
    app.add_typer(mail_app, name="mail")


def fetch(as_json: JsonOption = False) -> None:
    """Poll the mailbox once and load what it delivered at once.

    Exit 0 when every file was published or unchanged, 1 when a file was
    quarantined or the mailbox failed, 2 when mailbox intake is off.
    """
    from pipelines.mailbox.intake import fetch_and_load

    settings = get_settings()
    if not settings.mail_host:
        err_console.print("error: mailbox intake is off: set PARTS_MAIL_HOST")
        raise typer.Exit(2)
    done = fetch_and_load(settings)
    summary = done.summary()
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, default=str) + "\n")
    else:
        _show_round(summary)
    bad = done.error or any(
        s["status"] not in ("published", "unchanged") for s in done.loads
    )
    raise typer.Exit(1 if bad else 0)


def review(
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="Most entries shown.")] = 100,
) -> None:
    """Messages moved to the review folder, newest first, with the reason."""
    from search import mail_store as store

    entries, cut = store.review_entries(get_settings().mail_dir, limit=limit)
    if as_json:
        data = {"entries": entries, "truncated": cut}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    if not entries:
        console.print("no messages wait for review")
        return
    table = Table("date", "from", "subject", "reason")
    for e in entries:  # a sender's text is never read as markup
        table.add_row(
            *(escape(str(e.get(k, ""))) for k in ("date", "from", "subject", "reason"))
        )
    console.print(table)
    if cut:
        err_console.print(f"showing the newest {limit}; more were cut")


def _show_round(summary: dict[str, Any]) -> None:
    for load in summary["loads"]:
        colour = {"published": "green", "unchanged": "cyan"}.get(load["status"], "red")
        console.print(
            f"[{colour}]{load['status']}[/] {load['supplier_id']} {escape(load['attachment'])}: "
            f"{load.get('rows_accepted', 0)} offers, {load.get('rows_rejected', 0)} rejected"
        )
        if load.get("error"):
            console.print(f"  [red]error:[/] {escape(load['error'])}")
    for dup in summary["duplicates"]:
        console.print(
            f"[cyan]skipped[/] {dup['supplier_id']} {escape(dup['attachment'])}: same bytes as before"
        )
    for entry in summary["review"]:
        console.print(f"[yellow]to review[/] {_message(entry)}")
    for entry in summary["left"]:
        console.print(f"[red]left in the folder[/] {_message(entry)}")
    for file, problem in summary["replies"]["errors"].items():
        console.print(f"[red]no reply[/] {escape(file)}: {escape(problem)}")
    console.print(
        f"{summary['processed']} message(s) processed, {len(summary['review'])} to review, "
        f"{len(summary['delivered'])} file(s) delivered, {len(summary['replies']['sent'])} reply(ies) sent"
        + (
            f", {summary['remaining']} left for the next poll"
            if summary["remaining"]
            else ""
        )
    )
    if summary["stopped"]:
        console.print(f"stopped: {summary['stopped']}")
    if summary["error"]:
        err_console.print(f"error: {escape(summary['error'])}")


def _message(entry: dict[str, Any]) -> str:
    """`from «subject»: reason`, the sender's words escaped."""
    return escape(f"{entry['from']} «{entry['subject']}»: {entry['reason']}")


# the demo's mailbox: a local dovecot under the data dir -------------------------

DEMO_PORT = 1143
DEMO_USER = "prices"
DEMO_PASSWORD = "demo-mail"
DEMO_SENDER = "price@avtoopt-msk.example"


def local_server(
    action: Annotated[str, typer.Argument(help="`start` or `stop`.")],
    port: Annotated[int, typer.Option(help="Loopback port.")] = DEMO_PORT,
) -> None:
    """Start (detached) or stop the demo's IMAP server (Debian's dovecot) under
    `$PARTS_DATA_DIR/mail-server`, and print the settings that point at it."""
    import os
    import signal

    from pipelines.mailbox import local_imap

    settings = get_settings()
    root = settings.data_dir / "mail-server"
    pid_file = root / "dovecot.pid"
    if action == "stop":
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)
            pid_file.unlink()
        return
    if action != "start":
        err_console.print(f"error: unknown action `{action}`; use start or stop")
        raise typer.Exit(2)
    try:
        process = local_imap.start(root.resolve(), port=port,
                                   password=DEMO_PASSWORD, detached=True)  # fmt: skip
    except (FileNotFoundError, RuntimeError) as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(1) from None
    pid_file.write_text(str(process.pid))
    console.print(
        f"demo mailbox on 127.0.0.1:{port}: PARTS_MAIL_HOST=127.0.0.1 "
        f"PARTS_MAIL_PORT={port} PARTS_MAIL_SECURITY=plain "
        f"PARTS_MAIL_USER={DEMO_USER} PARTS_MAIL_PASSWORD={DEMO_PASSWORD}"
    )


DEMO_KINDS = ("price", "broken", "stranger")
STRANGER = "sales@unknown-parts.example"


def send_demo(
    kind: Annotated[
        str,
        typer.Option(
            help="price: АвтоОпт's list of today (published); broken: the same "
            "list cut off above its header (quarantined, the live list kept); "
            "stranger: a list from an address no profile "
            "knows (sent to review)."
        ),
    ] = "price",
) -> None:
    """Put a demo supplier's price list e-mail into the mailbox (as if АвтоОпт
    had sent it): the mailbox sensor delivers it and the inbox sensor loads it."""
    import datetime as dt
    import random
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    from pipelines.demo_data import generate_demo
    from pipelines.mailbox.config import MailConfig
    from pipelines.mailbox.fetch import close, connect

    if kind not in DEMO_KINDS:
        err_console.print(f"error: --kind is one of {', '.join(DEMO_KINDS)}")
        raise typer.Exit(2)
    settings = get_settings()
    if not settings.mail_host:
        err_console.print("error: mailbox intake is off: set PARTS_MAIL_HOST")
        raise typer.Exit(2)
    files = dict(generate_demo(settings.tmp_dir / "mail-demo"))
    # today's list: the demo's without one line picked at random, so that
    # every e-mail is new bytes and so a new load (the same bytes are skipped)
    lines = files["avtoopt-msk"].read_bytes().splitlines(keepends=True)
    del lines[random.randrange(2, len(lines))]
    if kind == "broken":  # no header: no column can be told
        lines = lines[1:]
    price = b"".join(lines)
    sender = STRANGER if kind == "stranger" else DEMO_SENDER
    message = EmailMessage()
    message["From"] = f"АвтоОпт Москва <{sender}>"
    message["To"] = settings.mail_user or "prices@example"
    message["Subject"] = f"Прайс-лист на {dt.date.today():%d.%m.%Y}"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    message.set_content("Добрый день! Актуальный прайс во вложении.")
    name = f"avtoopt_price_{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}.csv"
    message.add_attachment(price, maintype="text", subtype="csv",
                           filename=name)  # fmt: skip
    box = connect(MailConfig.from_settings(settings))
    try:
        box.append(message.as_bytes(), settings.mail_folder)
    finally:
        close(box)
    console.print(f"sent {name} ({kind}) from {sender} to {settings.mail_folder}")
