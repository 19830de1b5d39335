"""What the one search box holds: an article (maybe with a brand), a VIN
with the part wanted, or words of a part name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crosses.articles import normalize_article
from crosses.brands import BrandTable
from crosses.vin import decode_vin, normalize_vin

_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$", re.IGNORECASE)
_WORD = re.compile(r"^[^\W\d_]{3,}$")


@dataclass(frozen=True)
class BoxQuery:
    """The box's text read as quote search parameters."""

    article: str | None = None
    brand: str | None = None
    text: str | None = None
    vin: str | None = None

    @property
    def kind(self) -> str:
        if self.vin:
            return "vin"
        return "article" if self.article else "text"


def read_box(raw: str, brands: BrandTable) -> BoxQuery:
    """Read the search box: `VIN колодки`, `MANN W712/75`, `0 986 452 041`,
    `фильтр масляный`.

    Words of three letters or more that are not a known brand make it a name
    search; a known brand as the first or the last word, the rest an
    article, names the brand.
    """
    tokens = raw.split()
    if not tokens:
        return BoxQuery()
    vin = normalize_vin(tokens[0])  # `ХТА…` typed in Cyrillic is a VIN too
    if _VIN.match(vin) and decode_vin(vin).valid:
        rest = " ".join(tokens[1:]).strip()
        return BoxQuery(vin=vin, text=rest or None)
    brand, tokens = _brand_apart(tokens, brands)
    if _looks_like_article(tokens, brands):
        return BoxQuery(article=" ".join(tokens), brand=brand)
    return BoxQuery(text=raw.strip())


def _brand_apart(tokens: list[str], brands: BrandTable) -> tuple[str | None, list[str]]:
    """A known brand before an article (`MANN W712/75`) or after it
    (`0986452041 BOSCH`), and the article's words; else no brand."""
    if len(tokens) < 2:
        return None, tokens
    first, last = tokens[0], tokens[-1]
    if brands.is_known(first.upper()) and _looks_like_article(tokens[1:], brands):
        return first, tokens[1:]
    # a last word of digits only is a piece of the article (`0 986 452 041`)
    if (
        any(c.isalpha() for c in last)
        and brands.is_known(last.upper())
        and _looks_like_article(tokens[:-1], brands)
    ):
        return last, tokens[:-1]
    return None, tokens


def _looks_like_article(tokens: list[str], brands: BrandTable) -> bool:
    joined = "".join(tokens)
    article, _note = normalize_article(joined)
    if not article or not any(c.isdigit() for c in article):
        return False
    return not any(
        _WORD.match(t) and not brands.is_known(t.upper()) for t in tokens
    ) or (len(tokens) == 1)


def without_brand(
    parsed: BoxQuery, brand: str | None, brands: BrandTable
) -> tuple[BoxQuery, str] | None:
    """What to search when the box found nothing because of a brand: the
    article alone (the brands that have it to choose from) and the note that
    says why; None when the box named no brand to leave out.

    `0986452041 FEBI` (a brand without this article) and `0986452041 BOSH`
    (no brand at all, so read as words of a name) both end in a dead end
    otherwise; a manager on the phone wants the brands that do have it.
    """
    if parsed.vin:
        return None
    if parsed.article and brand:
        note = f"`{brand}` has no offers of `{parsed.article}`: the article alone"
        return BoxQuery(article=parsed.article), note
    tokens = (parsed.text or "").split()
    pieces = [t for t in tokens if _looks_like_article([t], brands)]
    others = [t for t in tokens if t not in pieces]
    # one article and one word that is no brand we know (a brand mistyped,
    # or a word of the name): the article alone
    if len(pieces) == 1 and len(others) == 1 and _WORD.match(others[0]):
        note = f"no part names hold `{parsed.text}`: the article `{pieces[0]}` alone"
        return BoxQuery(article=pieces[0]), note
    return None
