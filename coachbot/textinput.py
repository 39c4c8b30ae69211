"""Text as people and platforms send it, made safe once where it enters the core."""

from __future__ import annotations

import re
import unicodedata

# Longer numbers are never a choice, a track or an index; int() of 4,301+ digits even raises.
NUMBER_DIGITS = 6
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Text every database accepts: no NUL or other control bytes, no lone surrogates.

    PostgreSQL refuses NUL in text and SQLite (via UTF-8) refuses lone surrogates; bytes a
    platform decoded with surrogateescape arrive as surrogates too. Each becomes U+FFFD, so
    nothing is silently dropped and the turn still gets an answer.
    """
    if value.isascii() and value.isprintable():
        return value
    value = _SURROGATE.sub("\ufffd", value)
    return unicodedata.normalize("NFC", _CONTROL.sub("\ufffd", value))


def as_number(text: str) -> int | None:
    """'3', '٣' (any script's decimal digits) -> 3; '²', '①', '' or a huge number -> None."""
    value = text.strip()
    if not value or len(value) > NUMBER_DIGITS or not value.isdecimal():
        return None
    return int(value)
