"""Names and header text a sender chooses: we read them, we choose the paths.

An attachment's name may carry a path (`../../x.xls`, `C:\\x.xls`), encoded
words, control characters or shell punctuation. `sent_name` is the name as the
sender meant it (decoded, the last path component): what a profile's
`file_pattern` matches and a reply names. `safe_name` keeps it in letters
(Cyrillic too), digits and a little punctuation for writing; `inside` makes
sure the final path stays in its folder whatever the name. `header_text`
unfolds a header value (a long subject is folded by the sender's mail client)
and drops the line breaks and control characters a header may not carry.
"""

from __future__ import annotations

import email.errors
import email.header
import re
import unicodedata
from pathlib import Path

MAX_NAME_BYTES = 120
"""In UTF-8: file systems count bytes (255), and the inbox and the archive
prefix the name with stamps, so a Cyrillic name must stay well under that."""
FALLBACK = "attachment"
_KEPT_PUNCTUATION = frozenset(" ._-+()[],№")
_SPACES = re.compile(r"\s+")
_RUNS = re.compile(r"_{2,}")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


class UnsafePath(ValueError):
    """A computed path would leave its folder (a bug or an attack: never write)."""


def header_text(raw: str | None) -> str:
    """A header value on one line: unfolded, other breaks and tabs as spaces,
    control characters dropped, trimmed."""
    text = _FOLD.sub("", raw or "")
    return "".join(_visible(ch) for ch in text).strip()


def sent_name(raw: str | None) -> str:
    """The attachment's name as the sender meant it: encoded words decoded, the
    last path component, on one line (empty when there is none)."""
    name = _decode_words(header_text(raw))
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    return header_text(name.rsplit("/", 1)[-1])


def safe_name(raw: str | None) -> str:
    """A file name that is one harmless path component, never empty, `.` or `..`."""
    name = "".join(_kept(ch) for ch in sent_name(raw))
    name = _RUNS.sub("_", _SPACES.sub(" ", name)).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:16].strip(" ._")
    stem = stem.strip(" ._") or FALLBACK
    stem = _cut(stem, MAX_NAME_BYTES - len(ext.encode()) - 1).rstrip(" ._")
    stem = stem or FALLBACK
    return f"{stem}.{ext}" if ext else stem


def _cut(text: str, most_bytes: int) -> str:
    """The longest start of `text` that is at most `most_bytes` in UTF-8."""
    return text.encode()[:most_bytes].decode("utf-8", "ignore")


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refused unless it resolves inside `folder`."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()) or target == folder.resolve():
        raise UnsafePath(f"`{name}` would leave the folder `{folder}`")
    return target


def _decode_words(raw: str) -> str:
    """Decode RFC 2047 encoded words a mail client left in the name."""
    if "=?" not in raw:
        return raw
    try:
        parts = email.header.decode_header(raw)
    except (ValueError, email.errors.HeaderParseError):
        return raw
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        try:
            out.append(chunk.decode(charset or "utf-8", "replace"))
        except LookupError:  # an unknown charset named by the sender
            out.append(chunk.decode("utf-8", "replace"))
    return "".join(out)


def _visible(ch: str) -> str:
    if ch.isspace():  # a line break left after unfolding, a tab
        return " "
    return "" if unicodedata.category(ch) in ("Cc", "Cf") else ch


def _kept(ch: str) -> str:
    if ch in _KEPT_PUNCTUATION:
        return ch
    if ch.isspace():  # tabs, NBSP, line breaks
        return " "
    category = unicodedata.category(ch)
    if category[0] in "LN":  # letters and digits of any script
        return ch
    if category[0] in "CZ":  # control and format characters (bidi overrides)
        return ""
    return "_"
