"""Finding the header row(s) and mapping columns to offer fields.

Names are compared after folding case, punctuation and spacing; a synonym
matches when each of its words starts a word of the header, and the best
covering synonym wins. Near misses fall back to a fuzzy ratio. A supplier
profile can pin the header row and any column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

FIELDS = (
    "article", "brand", "name", "price", "qty", "multiplicity",
    "delivery_days", "warehouse", "currency", "barcode",
)  # fmt: skip

SYNONYMS: dict[str, tuple[str, ...]] = {
    "article": (
        "артикул",
        "номер детали",
        "номер запчасти",
        "каталожный номер",
        "кат номер",
        "номер по каталогу",
        "код производителя",
        "артикул производителя",
        "произв",
        "№ произв",
        "парт номер",
        "part number",
        "part no",
        "partnumber",
        "part",
        "article",
        "art",
        "sku",
        "oem",
        "oe",
        "номер",
        "detail number",
    ),
    "brand": (
        "бренд",
        "брэнд",
        "производитель",
        "наименование производителя",
        "марка",
        "изготовитель",
        "фирма",
        "фирма производитель",
        "brand",
        "manufacturer",
        "make",
        "maker",
        "vendor",
        "producer",
        "виробник",
        "марка бренд",
    ),
    "name": (
        "наименование",
        "название",
        "описание",
        "номенклатура",
        "товар",
        "наименование товара",
        "наименование детали",
        "name",
        "description",
        "descr",
        "title",
        "найменування",
        "назва",
        "опис",
    ),
    "price": (
        "цена",
        "стоимость",
        "цена опт",
        "оптовая цена",
        "цена закупки",
        "закупочная",
        "цена руб",
        "цена с ндс",
        "price",
        "cost",
        "wholesale",
        "ціна",
        "вартість",
        "опт",
        "прайс",
    ),
    "qty": (
        "количество",
        "кол во",
        "кол",
        "кол во на складе",
        "количество на складе",
        "остаток на складе",
        "остаток склад",
        "остаток",
        "остатки",
        "наличие",
        "в наличии",
        "склад наличия",
        "qty",
        "quantity",
        "stock",
        "available",
        "кількість",
        "наявність",
        "доступно",
        "свободный остаток",
    ),
    "multiplicity": (
        "кратность",
        "кратность отгрузки",
        "минимальная партия",
        "мин партия",
        "минимальный заказ",
        "мин заказ",
        "min order",
        "minimum order",
        "moq",
        "multiplicity",
        "кратність",
        "пакет",
        "упаковка кратность",
    ),
    "delivery_days": (
        "срок поставки",
        "срок доставки",
        "срок",
        "дней",
        "дни",
        "доставка",
        "delivery",
        "delivery days",
        "lead time",
        "термін",
        "термін поставки",
        "срок дн",
        "поставка",
    ),
    "warehouse": ("склад", "warehouse", "location", "город", "склад отгрузки"),
    "currency": ("валюта", "currency", "вал", "валюта цены"),
    # read only to check it: a barcode mangled into `4.60123E+12` rejects its row
    "barcode": ("штрихкод", "штрих код", "barcode", "ean", "ean13", "gtin"),
}

# Words that mark a column as the wrong variant of a field.
EXCLUDE: dict[str, tuple[str, ...]] = {
    "price": (
        "розн",
        "реализ",
        "retail",
        "ррц",
        "миц",
        "рекоменд",
        "старая",
        "сумма",
        "продаж",
        "со скидкой",
        "2",
    ),
    "article": ("1с", "1c", "внутр", "код товара", "штрих", "barcode", "ean"),
    "qty": ("сток", "заказ", "резерв", "в пути"),
    "name": ("производител", "бренд"),
    "multiplicity": ("фасовка",),
}

_FOLD = re.compile(r"[^0-9a-zа-яіїєґ№]+")


def fold_header(text: str) -> str:
    """Lower case, `ё`→`е`, punctuation to spaces, spaces collapsed."""
    return " ".join(_FOLD.sub(" ", text.lower().replace("ё", "е")).split())


_FOLDED_SYNONYMS = {
    f: tuple(fold_header(s) for s in syns) for f, syns in SYNONYMS.items()
}


def field_score(field_name: str, header: str) -> float:
    """How well a header names a field: 0 (not at all) to 1 (exactly)."""
    name = fold_header(header)
    if not name:
        return 0.0
    words = name.split()
    for bad in EXCLUDE.get(field_name, ()):
        if any(w.startswith(bad) for w in words) or (" " in bad and bad in name):
            return 0.0
    letters = len(name.replace(" ", ""))
    best = covering_score(_FOLDED_SYNONYMS[field_name], name)
    if best == 0.0 and letters >= 5:
        for syn in _FOLDED_SYNONYMS[field_name]:
            if len(syn) >= 5:
                ratio = fuzz.ratio(name, syn)
                if ratio >= 85:
                    best = max(best, 0.25 * ratio / 100)
    return best


def covering_score(synonyms: tuple[str, ...], name: str) -> float:
    """0 when no synonym's words start words of the folded `name`; else 0.3 to
    1 by how much of the name the best synonym covers."""
    words = name.split()
    letters = len(name.replace(" ", ""))
    best = 0.0
    for syn in synonyms:
        syn_words = syn.split()
        if _words_match(syn_words, words):
            covered = sum(len(w) for w in syn_words)
            best = max(best, 0.3 + 0.7 * min(1.0, covered / letters))
    return best


def _words_match(syn_words: list[str], words: list[str]) -> bool:
    start = 0
    for syn in syn_words:
        for i in range(start, len(words)):
            if words[i].startswith(syn) and (len(syn) >= 3 or words[i] == syn):
                start = i + 1
                break
        else:
            return False
    return True


@dataclass
class ColumnChoice:
    index: int
    header: str
    score: float
    why: str


@dataclass
class HeaderGuess:
    """Where the header is and how its columns map to fields."""

    first_row: int  # 0-based offset of the first header row
    last_row: int  # 0-based offset of the last header row
    names: list[str]
    mapping: dict[str, ColumnChoice] = field(default_factory=dict)

    @property
    def data_start(self) -> int:
        return self.last_row + 1

    @property
    def score(self) -> float:
        core = sum(1.0 for f in ("article", "price") if f in self.mapping)
        return core * 2 + sum(c.score for c in self.mapping.values())


def assign_fields(names: list[str]) -> dict[str, ColumnChoice]:
    """Greedy best-first assignment: each field one column, each column one field."""
    scored = []
    for index, header in enumerate(names):
        for field_name in FIELDS:
            score = field_score(field_name, header)
            if score > 0:
                priority = -FIELDS.index(field_name)
                scored.append((score, priority, -index, field_name, index, header))
    scored.sort(reverse=True)
    mapping: dict[str, ColumnChoice] = {}
    used: set[int] = set()
    for score, _priority, _neg, field_name, index, header in scored:
        if field_name in mapping or index in used:
            continue
        kind = "fuzzy" if score < 0.3 else "synonym"
        mapping[field_name] = ColumnChoice(
            index, header, round(score, 3), f"header `{header}` matched by {kind}"
        )
        used.add(index)
    return mapping


_NUMBER = re.compile(
    r"^[\s\u00a0\u202f]*[-+]?[\d\s\u00a0\u202f.,]+(?:р\.?|руб\.?|₽)?\s*$"
)


# A part number such as `HR-0001`, `W712/75`, `0986452041AB`: letters and digits
# with no spaces, as no header cell is written. A data row with a price of
# `по запросу` still holds one.
_CODE = re.compile(
    r"^(?=[^\s]*\d)(?=[^\s]*[A-Za-zА-Яа-я])[A-Za-zА-Яа-я0-9][\w\-./]{2,}$"
)


def _is_number(text: str) -> bool:
    return bool(text) and bool(_NUMBER.match(text)) and any(ch.isdigit() for ch in text)


def _row_kind(row: list[str]) -> str:
    cells = [c.strip() for c in row if c and c.strip()]
    if not cells:
        return "blank"
    numbers = sum(1 for c in cells if _is_number(c) or _CODE.match(c))
    if len(cells) >= 2 and numbers >= 1:
        return "data"
    return "text"


def compose_names(rows: list[list[str]]) -> list[str]:
    """Column names of a multi-row header: upper cells carried right over blanks
    that have a sub-label below (`Цена` over `Опт | Розница`)."""
    width = max((len(r) for r in rows), default=0)
    grid = [
        [(r[c].strip() if c < len(r) and r[c] else "") for c in range(width)]
        for r in rows
    ]
    for depth in range(len(grid) - 1):
        carry = ""
        for c in range(width):
            below = any(grid[d][c] for d in range(depth + 1, len(grid)))
            if grid[depth][c]:
                carry = grid[depth][c]
            elif carry and below and c > 0:
                grid[depth][c] = carry
            else:
                carry = ""
    names = []
    for c in range(width):
        parts: list[str] = []
        for row in grid:
            part = " ".join(row[c].split())
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        names.append(" ".join(parts))
    return names


def detect_header(head: list[list[str]]) -> HeaderGuess | None:
    """The best header block (1 to 4 rows) directly above the data, or None."""
    kinds = [_row_kind(r) for r in head]
    singles = [sum(1 for c in r if c and c.strip()) == 1 for r in head]
    best: HeaderGuess | None = None
    for bottom, kind in enumerate(kinds):
        if kind != "text" or not _data_follows(kinds, bottom, singles):
            continue
        top = bottom
        while (
            top - 1 >= 0
            and bottom - (top - 1) < 4
            and kinds[top - 1] == "text"
            and sum(1 for c in head[top - 1] if c and c.strip()) >= 2
        ):
            top -= 1
        for first in range(bottom, top - 1, -1):
            names = compose_names(head[first : bottom + 1])
            guess = HeaderGuess(first, bottom, names, assign_fields(names))
            if "article" not in guess.mapping and "price" not in guess.mapping:
                continue
            if best is None or guess.score > best.score + 1e-9:
                best = guess
    return best or _header_by_words(head, kinds)


def _header_by_words(head: list[list[str]], kinds: list[str]) -> HeaderGuess | None:
    """Fallback when no numeric row follows any header (a price column empty
    in its first rows, text articles): the one-row header naming both article
    and price, with a non-blank row below it."""
    best: HeaderGuess | None = None
    for row, kind in enumerate(kinds):
        if kind != "text" or all(k == "blank" for k in kinds[row + 1 :]):
            continue
        names = compose_names(head[row : row + 1])
        guess = HeaderGuess(row, row, names, assign_fields(names))
        if "article" not in guess.mapping or "price" not in guess.mapping:
            continue
        if best is None or guess.score > best.score + 1e-9:
            best = guess
    return best


def _data_follows(
    kinds: list[str], row: int, singles: list[bool] | None = None
) -> bool:
    """True when the next rows (past blanks and up to three one-cell group rows,
    such as a 1C category `Фильтры`) hold data."""
    groups = 0
    for index in range(row + 1, len(kinds)):
        kind = kinds[index]
        if kind == "blank":
            continue
        if kind == "text" and singles and singles[index] and groups < 3:
            groups += 1
            continue
        return kind == "data"
    return False
