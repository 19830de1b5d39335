"""Quote answers shaped for the page: groups, formatted numbers, row data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson
import phonenumbers

from search.export import delivery_text
from service.web import i18n

GROUPS: tuple[str, ...] = ("exact", "verified_analog", "analog")
MAX_EXPORT_LINES = 2000
# what the cart and the order need of a line; prices are checked again on order
CART_KEYS: tuple[str, ...] = (
    "brand", "article", "article_raw", "name", "supplier_id", "supplier_name",
    "source", "warehouse", "load_id", "row", "multiplicity", "qty", "qty_approx",
    "delivery_days_min", "delivery_days_max", "price",
)  # fmt: skip
# currencies a page writes with their sign; others by their ISO code
CURRENCY_SIGNS: dict[str, str] = {"RUB": "₽"}
# what keys an offer on the page: not its load and row, which a new load changes
KEY_FIELDS: tuple[str, ...] = ("supplier_id", "warehouse", "brand", "article")


def money(value: str | Decimal | None, language: str = "ru") -> str:
    """`1234.5` as `1 234,50` (ru) or `1,234.50` (en); empty for None."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):,.2f}"
    if language == "ru":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def date_text(iso: str, language: str = "ru") -> str:
    """`2026-12-01` as `01.12.2026` (ru); as it is in English."""
    if language != "ru":
        return iso
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return iso


def phone_text(e164: str) -> str:
    """`+79161234567` as people write it: `+7 916 123-45-67`."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def percent_text(value: str | Decimal, language: str = "ru") -> str:
    """`12.5000` as `12,5 %` (ru) or `12.5 %` (en)."""
    text = f"{Decimal(value).normalize():f}"
    return f"{text.replace('.', ',') if language == 'ru' else text} %"


def local_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A moment as people here read it, in `zone`: `05.12.2026 01:30`."""
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def stock(line: dict[str, Any], unknown: str) -> str:
    """Stock as the file said it: `5`, `>10`, or `unknown`."""
    qty = line.get("qty")
    if qty is None:
        return unknown
    return f">{qty}" if line.get("qty_approx") else str(qty)


def line_key(line: dict[str, Any]) -> str:
    """An offer's key on the page and in the cart, the same across the
    supplier's price-list loads: `supplier|warehouse|brand|article`."""
    return "|".join(str(line.get(k) or "") for k in KEY_FIELDS)


def line_keys(lines: list[dict[str, Any]]) -> list[str]:
    """The key of each line of one answer. A load may hold one offer's key on
    several rows (packagings, batches): the first by row number keeps the
    key, the next ones get `|2`, `|3`… — row order, which a new load of the
    same file keeps, where row numbers themselves may shift."""
    order = sorted(
        range(len(lines)),
        key=lambda i: (lines[i].get("row") is None, lines[i].get("row") or 0, i),
    )
    keys = [""] * len(lines)
    seen: dict[str, int] = {}
    for i in order:
        key = line_key(lines[i])
        seen[key] = n = seen.get(key, 0) + 1
        keys[i] = key if n == 1 else f"{key}|{n}"
    return keys


def on_screen(
    lines: list[dict[str, Any]], keys: list[str]
) -> tuple[list[dict[str, Any]], int]:
    """The lines the page showed, by their keys in its order (at most
    `MAX_EXPORT_LINES`), and how many of those keys no line has any more."""
    keys = keys[:MAX_EXPORT_LINES]
    by_key = dict(zip(line_keys(lines), lines, strict=True))
    kept = [by_key[k] for k in keys if k in by_key]
    return kept, len(keys) - len(kept)


def row_view(
    line: dict[str, Any],
    language: str,
    unknown: str,
    group_names: Mapping[str, str] | None = None,
    *,
    key: str | None = None,
) -> dict[str, Any]:
    """What one results row shows and carries (client groups by their names);
    its `key` from `line_keys` (default: `line_key`)."""
    price = line.get("price")
    return {
        **line,
        "key": key or line_key(line),
        "price_text": money(price, language),
        "days_text": delivery_text(line),
        "stock_text": stock(line, unknown),
        "probability_text": (
            f"{line['delivery_probability']:g} %"
            if line.get("delivery_probability") is not None
            else ""
        ),
        "sort_price": price if price is not None else "",
        "sort_days": line.get("delivery_days_max")
        if line.get("delivery_days_max") is not None
        else line.get("delivery_days_min"),
        "cart_json": orjson.dumps(cart_line(line)).decode(),
        "explain_items": explanation_items(line, language, group_names),
    }


def cart_line(line: dict[str, Any]) -> dict[str, Any]:
    """What the cart keeps of a line; an analog names the part it was found
    for (the first cross's start), so the order prices it as that analog."""
    kept = {k: line.get(k) for k in CART_KEYS}
    via = line.get("via") or []
    start = (via[0].get("from") or {}) if via else {}
    if line.get("match") != "exact" and start.get("brand") and start.get("article"):
        kept["asked_brand"] = start["brand"]
        kept["asked_article"] = start["article"]
    return kept


def explanation_items(
    line: dict[str, Any],
    language: str,
    group_names: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """The price explanation as (label key, text) steps, purchase to sell price."""
    x = line.get("explanation") or {}
    group = x.get("client_group")
    steps: list[tuple[str, str | None]] = [
        ("x_purchase", _purchase(line, x, language)),
        ("x_vat", "+" if x.get("vat_added") else None),
        ("x_purchase_rub", _purchase_rub(line, x, language)),
        ("x_rule", line.get("rule")),
        ("x_markup", _markup(x, language)),
        ("x_rounding", _rounding(x, language)),
        ("x_retail", money(x.get("retail_rub"), language) or None),
        ("x_group", (group_names or {}).get(group, group) if group else None),
        ("x_discount", _discount(x, language)),
        ("x_floor", money(x.get("floor_rub"), language) or None),
        ("x_price", money(line.get("price"), language) or None),
        ("x_reason", line.get("price_reason")),
    ]
    return [(label, text) for label, text in steps if text]


def _purchase_rub(line: dict[str, Any], x: dict[str, Any], language: str) -> str | None:
    """The purchase price in roubles, when it says more than the purchase
    price itself (another currency, or VAT added)."""
    if line.get("currency") in (None, "RUB") and not x.get("vat_added"):
        return None
    return money(x.get("purchase_rub"), language) or None


def _purchase(line: dict[str, Any], x: dict[str, Any], language: str) -> str | None:
    if line.get("purchase_price") is None:
        return None
    price = money(line["purchase_price"], language)
    currency = line.get("currency") or ""
    text = f"{price} {CURRENCY_SIGNS.get(currency, currency)}".strip()
    if x.get("rate") and line.get("currency") not in (None, "RUB"):
        rate = f"{Decimal(x['rate']).normalize():f}"
        text += f" × {rate if language == 'en' else rate.replace('.', ',')}"
        text += (
            f" ({date_text(x['rate_date'], language)})" if x.get("rate_date") else ""
        )
    return text


def _markup(x: dict[str, Any], language: str) -> str | None:
    if x.get("markup_rub") is None:
        return None
    parts = []
    if x.get("percent") not in (None, "0", "0.0000"):
        parts.append(percent_text(x["percent"], language))
    if x.get("fixed") not in (None, "0", "0.00"):
        parts.append(f"+{money(x['fixed'], language)}")
    if x.get("min_margin") not in (None, "0", "0.00"):
        least = i18n.labels(language)["min"]
        parts.append(f"{least} {money(x['min_margin'], language)}")
    return f"{' '.join(parts)} = {money(x['markup_rub'], language)}".strip()


def _rounding(x: dict[str, Any], language: str) -> str | None:
    step = x.get("rounding_step")
    if step in (None, "0", "0.00"):
        return None
    mode = x.get("rounding_mode")
    words = i18n.labels(language).get(f"round_{mode}", mode or "")
    return f"{money(step, language)} {words}".strip()


def _discount(x: dict[str, Any], language: str) -> str | None:
    percent, fixed = x.get("discount_percent"), x.get("discount_fixed")
    parts = []
    if percent not in (None, "0", "0.0000"):
        parts.append(percent_text(percent, language))
    if fixed not in (None, "0", "0.00"):
        parts.append(money(fixed, language))
    return " + ".join(parts) or None


def grouped(
    lines: list[dict[str, Any]],
    language: str,
    unknown: str,
    group_names: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Ranked lines split into the three groups, order kept."""
    out: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    for line, key in zip(lines, line_keys(lines), strict=True):
        out.setdefault(line.get("match") or "analog", []).append(
            row_view(line, language, unknown, group_names, key=key)
        )
    return out
