"""TecDoc web-service `getArticles` replies mapped into catalogue tables.

Two JSON shapes and one XML shape are understood:

- the Pegasus 3.0 reply, `{"articles": [{"mfrName", "articleNumber",
  "genericArticles", "oemNumbers", "articleCriteria", "linkages"…}]}`;
- the same reply as a SOAP envelope (`getArticlesResponse`), read element by
  element into the same dictionaries;
- the flattened JSON shops keep per article: `articleNo` (or
  `matchedArticleNo` when an OE number was searched), `supplier`, `product`,
  `vehicles` (with K-type `vehicleId`), `specs`, `oe`, `fetchedAt`.

Replies are partial by nature, so the result is a catalogue in `update` mode.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import polars as pl

from crosses.catalogue import (
    SPECS,
    BadValue,
    Catalogue,
    UnreadableCatalogue,
    clean_text,
    number_expr,
    parsed_expr,
)


def read_tecdoc_replies(
    replies: Iterable[tuple[str, bytes]],
    *,
    version: str | None = None,
    date: str | None = None,
    source: str = "tecdoc-ws",
) -> Catalogue:
    """Map `getArticles` replies (JSON or SOAP XML) to catalogue tables.

    The version defaults to `ws-<date>`, the date to the newest `fetchedAt` or
    today. Replies are partial by nature, so the catalogue is an `update`.
    """
    rows = _Rows()
    for name, data in replies:
        if name.lower().endswith(".xml") or data.lstrip()[:1] == b"<":
            _xml_reply(name, data, rows)
        else:
            _json_reply(name, data, rows)
    date = date or (max(rows.fetched) if rows.fetched else dt.date.today().isoformat())
    version = version or f"ws-{date}"
    return _catalogue_from_rows(rows, version=version, date=date, source=source)


@dataclass
class _Rows:
    articles: list[dict[str, Any]] = field(default_factory=list)
    criteria: list[dict[str, Any]] = field(default_factory=list)
    oe: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


def _json_reply(name: str, data: bytes, rows: _Rows) -> None:
    try:
        reply = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableCatalogue(f"not valid UTF-8 JSON: {exc}", file=name) from exc
    items = reply if isinstance(reply, list) else [reply]
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise UnreadableCatalogue("expected JSON objects", file=name, row=i)
        if isinstance(item.get("articles"), list):
            for article in item["articles"]:
                _pegasus_article(article, rows, file=name)
        elif "articleNo" in item:
            _flat_article(item, rows, file=name, row=i)
        else:
            raise UnreadableCatalogue(
                "neither a `getArticles` reply (`articles`) nor an article "
                "(`articleNo`)",
                file=name, row=i,
            )  # fmt: skip


def _flat_article(item: dict[str, Any], rows: _Rows, *, file: str, row: int) -> None:
    """The flattened JSON some shops keep: `articleNo`, `vehicles`, `specs`, `oe`."""
    brand = item.get("supplier")
    number = item.get("matchedArticleNo") or item.get("articleNo")
    if not brand or not number:
        raise BadValue(
            "an article needs `supplier` and `articleNo`", file=file, row=row
        )
    key = {"brand": str(brand), "article": str(number)}
    rows.articles.append(
        {**key, "generic_article": item.get("product"), "ean": item.get("ean") or None}
    )
    for spec in item.get("specs") or []:
        rows.criteria.append(
            {
                **key,
                "criterion": spec.get("criteriaName"),
                "value": spec.get("criteriaValue"),
            }
        )
    for oe in item.get("oe") or []:
        rows.oe.append(
            {**key, "oe_brand": oe.get("oemBrand"), "oe_number": oe.get("oemDisplayNo")}
        )
    for vehicle in item.get("vehicles") or []:
        rows.vehicles.append(_flat_vehicle(vehicle))
        rows.links.append({**key, "vehicle_id": vehicle.get("vehicleId")})
    if item.get("fetchedAt"):
        rows.fetched.append(str(item["fetchedAt"])[:10])


def _flat_vehicle(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "vehicle_id": v.get("vehicleId"),
        "make": v.get("manufacturerName"),
        "model": v.get("modelName"),
        "type": v.get("typeEngineName"),
        "year_from": _year_of(v.get("constructionIntervalStart")),
        "year_to": _year_of(v.get("constructionIntervalEnd")),
    }


def _year_of(value: Any) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def _pegasus_article(article: dict[str, Any], rows: _Rows, *, file: str) -> None:
    """One `articles` item of a Pegasus 3.0 reply (JSON, or XML made into dicts)."""
    brand, number = article.get("mfrName"), article.get("articleNumber")
    if not brand or not number:
        raise BadValue("an article needs `mfrName` and `articleNumber`", file=file)
    key = {"brand": str(brand), "article": str(number)}
    generic = _first(article.get("genericArticles"))
    rows.articles.append(
        {
            **key,
            "brand_id": _text(article.get("dataSupplierId")),
            "generic_article_id": _int(generic.get("genericArticleId")),
            "generic_article": generic.get("genericArticleDescription"),
            "ean": _text(_first_value(article.get("gtins"))),
        }
    )
    for oe in _many(article.get("oemNumbers")):
        rows.oe.append(
            {**key, "oe_brand": oe.get("mfrName"), "oe_number": oe.get("articleNumber")}
        )
    for crit in _many(article.get("articleCriteria")):
        value = crit.get("formattedValue", crit.get("rawValue"))
        rows.criteria.append(
            {
                **key,
                "criterion_id": _int(crit.get("criteriaId")),
                "criterion": crit.get("criteriaDescription"),
                "value": _text(value),
                "unit": crit.get("criteriaUnitDescription"),
            }
        )
    for link in _many(article.get("linkages")) + _many(article.get("articleLinkages")):
        target = _int(link.get("linkageTargetId"))
        if target is not None:
            rows.links.append({**key, "vehicle_id": target})


def _many(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [i for i in items if isinstance(i, dict)]


def _first(value: Any) -> dict[str, Any]:
    items = _many(value)
    return items[0] if items else {}


def _first_value(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_REPEATED = {
    "articles", "genericArticles", "oemNumbers", "articleCriteria", "gtins",
    "linkages", "articleLinkages", "linkageTargetTypes", "tradeNumbers",
}  # fmt: skip


def _xml_reply(name: str, data: bytes, rows: _Rows) -> None:
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data:
        raise UnreadableCatalogue(
            "XML with a DOCTYPE or entities is refused", file=name
        )
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise UnreadableCatalogue(f"not well-formed XML: {exc}", file=name) from exc
    fault = next((e for e in root.iter() if _local(e.tag) == "Fault"), None)
    if fault is not None:
        text = " ".join(t.strip() for t in fault.itertext() if t.strip())
        raise UnreadableCatalogue(f"the reply is a SOAP fault: {text}", file=name)
    reply = next((e for e in root.iter() if _local(e.tag).endswith("Response")), None)
    if reply is None:
        raise UnreadableCatalogue(
            "not a `getArticles` reply (no `getArticlesResponse` element)", file=name
        )
    if _local(reply.tag) != "getArticlesResponse":
        raise UnreadableCatalogue(
            f"a `{_local(reply.tag)}` reply, not `getArticlesResponse`: only "
            "`getArticles` replies carry articles",
            file=name,
        )
    for element in reply:
        if _local(element.tag) == "articles":
            _pegasus_article(_as_dict(element), rows, file=name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _as_dict(element: ElementTree.Element) -> dict[str, Any]:
    """An XML element as the JSON the REST flavour of the service returns."""
    out: dict[str, Any] = {}
    for child in element:
        key = _local(child.tag)
        value: Any = _as_dict(child) if len(child) else (child.text or "")
        if key in _REPEATED:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def _catalogue_from_rows(
    rows: _Rows, *, version: str, date: str, source: str
) -> Catalogue:
    """Normalize the collected reply rows into typed tables."""

    def frame(name: str, data: list[dict[str, Any]]) -> pl.DataFrame:
        spec = [c for c in SPECS[name] if c.name != "data_version"]
        text = pl.DataFrame(
            [{c.name: _text(r.get(c.name)) for c in spec} for r in data],
            schema={c.name: pl.String for c in spec},
        ).with_columns(clean_text(c.name, [c.name]) for c in spec)
        return text.with_columns(
            *[parsed_expr(c).alias(c.name) for c in spec],
            *[
                pl.col(c.name).alias(f"{c.name}_raw")
                for c in spec
                if c.kind in ("brand", "article")
            ],
        )

    articles = frame("articles", rows.articles).unique(
        ["brand", "article"], keep="last", maintain_order=True
    )
    vehicles = (
        frame("vehicles", rows.vehicles)
        .filter(pl.col("vehicle_id").is_not_null())
        .unique("vehicle_id", maintain_order=True)
    )
    links = (
        frame("links", rows.links)
        .filter(pl.col("vehicle_id").is_not_null())
        .unique(["brand", "article", "vehicle_id"], maintain_order=True)
    )
    criteria = (
        frame("article_criteria", rows.criteria)
        .filter(pl.col("criterion").is_not_null())
        .with_columns(value_num=number_expr(pl.col("value")))
    )
    oe = (
        frame("oe_numbers", rows.oe)
        .filter(pl.col("oe_number").is_not_null() & pl.col("oe_brand").is_not_null())
        .unique(maintain_order=True)
    )
    version_col = pl.lit(version).alias("data_version")
    tables = {
        "brands": frame("brands", rows.articles).unique("brand", maintain_order=True),
        "articles": articles,
        "article_criteria": criteria,
        "oe_numbers": oe,
        "vehicles": vehicles,
        "links": links,
    }
    return Catalogue(
        version=version, date=date, source=source, mode="update"
    ).with_tables(**{k: v.with_columns(version_col) for k, v in tables.items()})
